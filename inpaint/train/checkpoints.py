"""Training state on disk: run folders, checkpoints with a keep limit, RNG states, resume checks.

Files of a run folder ``RUN/``: ``config.yaml`` (resolved settings), ``last.pt`` (always the
newest), ``step_000100.pt`` … (the newest ``keep`` of them), ``metrics.jsonl``, ``samples/``.
Checkpoints follow :mod:`inpaint.checkpoint` and add the training keys ``optimizer_g``,
``optimizer_d``, ``scaler``, ``rng`` and ``train_config``; everything stays loadable with
``torch.load(weights_only=True)`` (RNG states are stored as lists / plain dicts).
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from inpaint.atomic import atomic_open, remove_stale_temps, temp_pattern
from inpaint.checkpoint import inference_weights, load_checkpoint, save_checkpoint, task_of
from inpaint.errors import CheckpointError, TrainingError
from inpaint.finite import state_is_finite

LAST = "last.pt"
NUMBERED = re.compile(r"^step_(\d+)\.pt$")
RUN_FILES = ("config.yaml", LAST, "metrics.jsonl")
# temporary files of the atomic writes of a run folder (left behind only by a killed process)
RUN_TEMPS = temp_pattern(r"last\.pt|step_\d+\.pt|config\.yaml|metrics\.jsonl", r"\.pt|\.yaml|\.jsonl")
SAMPLE_TEMPS = temp_pattern(r"step_\d+\.png", r"\.png")


def numbered_name(step: int) -> str:
    return f"step_{step:06d}.pt"


def rng_state() -> dict:
    """torch CPU/CUDA, numpy (global) and python ``random`` states as weights_only-safe values."""
    np_state = np.random.get_state(legacy=False)
    np_state = {**np_state, "state": {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                      for k, v in np_state["state"].items()}}
    version, internal, gauss = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": np_state,
        "python": [version, list(internal), gauss],
    }


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"].cpu())
    if state.get("cuda") and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    np_state = dict(state["numpy"])
    np_state["state"] = {k: (np.array(v, dtype=np.uint64) if isinstance(v, list) else v)
                         for k, v in np_state["state"].items()}
    np.random.set_state(np_state)
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))


def save_training_checkpoint(out: Path, state: dict, step: int, numbered: bool, keep: int) -> Path:
    """Write ``last.pt`` (and ``step_XXXXXX.pt`` when ``numbered``) atomically; prune old numbered.

    ``last.pt`` is its own file, a copy (never a hard link): damage to one leaves the other,
    so resuming can fall back to the newest numbered checkpoint."""
    out = Path(out)
    if numbered and keep > 0:
        target = out / numbered_name(step)
        save_checkpoint(target, state)
        with atomic_open(out / LAST) as fh, open(target, "rb") as src:
            shutil.copyfileobj(src, fh)
        prune(out, keep)
    else:
        save_checkpoint(out / LAST, state)
    return out / LAST


def numbered_checkpoints(out: Path) -> list[Path]:
    found = [(int(m.group(1)), p) for p in Path(out).iterdir() if (m := NUMBERED.match(p.name))]
    return [p for _, p in sorted(found)]


def prune(out: Path, keep: int) -> None:
    for path in numbered_checkpoints(out)[:-keep] if keep > 0 else numbered_checkpoints(out):
        path.unlink(missing_ok=True)


def resolve_resume(path: str | Path) -> Path:
    """A checkpoint file, or a run folder → its ``last.pt``."""
    path = Path(path)
    if path.is_dir():
        path = path / LAST
        if not path.is_file() and not numbered_checkpoints(path.parent):
            raise TrainingError(f"cannot resume: {path.parent} has no {LAST}")
    elif not path.exists():
        raise TrainingError(f"cannot resume: {path} does not exist")
    return path


def _load_intact(path: Path) -> dict:
    """A checkpoint that can be resumed: readable, with training state and finite weights."""
    state = load_checkpoint(path)
    for key in ("step", "optimizer_g", "train_config"):
        if key not in state:
            raise TrainingError(f"cannot resume from {path}: it holds no training state ({key!r}); "
                                "only checkpoints written by `inpaint train` can be resumed")
    if not all(state_is_finite(state.get(k)) for k in ("generator", "generator_ema", "discriminator")):
        raise CheckpointError(f"{path} holds non-finite (NaN or inf) weights")
    return state


def load_resume_state(path: str | Path, note: Callable[[str], None] | None = None) -> dict:
    """The training state to resume from ``path`` (a run folder or a checkpoint file).

    When that is a run's ``last.pt`` and it is damaged (unreadable, truncated, non-finite), the
    newest intact ``step_*.pt`` beside it is used instead and ``note`` is told which."""
    path = resolve_resume(path)
    try:
        return _load_intact(path)
    except CheckpointError as exc:
        if path.name != LAST:
            raise
        first = exc
    for spare in reversed(numbered_checkpoints(path.parent)):
        try:
            state = _load_intact(spare)
        except (CheckpointError, TrainingError):
            continue
        if note is not None:
            problem = "missing" if not path.exists() else "damaged"
            note(f"{path} is {problem}; resuming from {spare} (step {int(state['step'])}), the newest intact checkpoint")
        return state
    raise TrainingError(f"cannot resume: {first}; and no intact step_*.pt beside it") from None


def _differences(saved: dict | None, wanted: dict | None) -> list[str]:
    saved, wanted = saved or {}, wanted or {}
    keys = sorted(set(saved) | set(wanted))
    return [f"{k} {saved.get(k)!r} vs {wanted.get(k)!r}" for k in keys if saved.get(k) != wanted.get(k)]


def _normalised(cls, saved: dict | None, path) -> dict | None:
    """A stored config dict with the fields newer versions added (at their defaults), so an
    older checkpoint compares equal to the same architecture today."""
    if saved is None:
        return None
    try:
        return cls.from_dict(dict(saved)).to_dict()
    except (TypeError, ValueError) as exc:
        raise TrainingError(f"cannot use {path}: bad model settings ({exc})") from None


def check_compatible(state: dict, gen: dict, disc: dict | None, path: str | Path,
                     task: dict | None = None) -> None:
    """Refuse (one line) to resume a checkpoint whose task or architecture differs from the
    config's. ``task``: the run's ``"task"`` dict (None: not checked)."""
    from inpaint.config import DiscriminatorConfig, GeneratorConfig

    if task is not None:
        saved_task = task_of(state)
        if saved_task != task:
            raise TrainingError(f"cannot resume from {path}: it was trained for another task "
                                f"(checkpoint {saved_task} vs requested {task}); keep --task and "
                                "--direction as they were")
    diff = _differences(_normalised(GeneratorConfig, state["generator_config"], path), gen)
    if diff:
        raise TrainingError(f"cannot resume from {path}: it is another generator architecture "
                            f"(checkpoint vs requested: {'; '.join(diff)})")
    saved_d = _normalised(DiscriminatorConfig, state.get("discriminator_config"), path)
    if (saved_d is None) != (disc is None):
        has = "has" if saved_d is not None else "has no"
        raise TrainingError(f"cannot resume from {path}: the checkpoint {has} discriminator; keep "
                            "--adv-weight as it was (0 = no discriminator)")
    diff = _differences(dict(saved_d) if saved_d else None, disc)
    if diff:
        raise TrainingError(f"cannot resume from {path}: it is another discriminator architecture "
                            f"(checkpoint vs requested: {'; '.join(diff)})")


def load_init_state(path: str | Path) -> dict:
    """The checkpoint a fine-tuning run starts from (``--init``): any readable checkpoint with
    finite weights (a training one or an exported one, a file or a run folder's last.pt)."""
    path = Path(path)
    if path.is_dir() and (path / LAST).is_file():
        path = path / LAST
    state = load_checkpoint(path)
    if not all(state_is_finite(state.get(k)) for k in ("generator", "generator_ema", "discriminator")):
        raise CheckpointError(f"{path} holds non-finite (NaN or inf) weights: cannot start from it")
    state["_path"] = str(path)
    return state


def apply_init(state: dict, generator: torch.nn.Module, discriminator: torch.nn.Module | None,
               gen: dict, path: str | Path) -> str | None:
    """Copy ``--init`` weights into freshly built models (fine-tuning: step 0, fresh optimisers).

    The generator must have the checkpoint's architecture (``gen``: the run's generator config
    dict; one-line :class:`TrainingError` otherwise), or be the checkpoint's U-Net with a larger
    ``ngf``: then the weights are widened so the run starts from the same function
    (:mod:`inpaint.models.widen`). The discriminator's weights are taken when the checkpoint has
    some that fit, else it starts fresh. Returns the notes to print, or None."""
    from inpaint.config import GeneratorConfig
    from inpaint.models.widen import can_widen, widen_unet_state

    where = state.get("_path", path)
    saved = _normalised(GeneratorConfig, state.get("generator_config"), where)
    notes = []
    weights = inference_weights(state)  # a run's weight average, when it kept one, is its model
    if saved is not None:
        old_cfg, new_cfg = GeneratorConfig.from_dict(saved), GeneratorConfig.from_dict(gen)
        if can_widen(old_cfg, new_cfg):
            weights = widen_unet_state(weights, old_cfg, new_cfg)
            notes.append(f"{where} has ngf {old_cfg.ngf}: widened to ngf {new_cfg.ngf}, the same function to start")
    try:
        generator.load_state_dict(weights)
    except (RuntimeError, TypeError, KeyError):
        diff = _differences(saved, gen)
        detail = "; ".join(diff) if diff else "the weights do not fit"
        raise TrainingError(f"cannot start from {where}: its generator is another architecture "
                            f"(checkpoint vs requested: {detail}); give the settings of the run "
                            "that wrote it (e.g. its --image-size), or a larger --ngf of the same "
                            "U-Net to widen it") from None
    if discriminator is not None:
        if not state.get("discriminator"):
            notes.append(f"{where} has no discriminator: the discriminator starts from scratch")
        else:
            try:
                discriminator.load_state_dict(state["discriminator"])
            except (RuntimeError, TypeError, KeyError):
                notes.append(f"the discriminator of {where} does not fit this run's: it starts from scratch")
    return "; ".join(notes) or None


def prepare_run_dir(out: Path, resuming: bool, overwrite: bool) -> None:
    """Create ``out``; refuse to mix a new run into a folder holding anything, unless asked.

    ``overwrite`` removes only what a previous run wrote (checkpoints, metrics, samples,
    config, TensorBoard events), never other files.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise TrainingError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (resuming or overwrite):
        raise TrainingError(f"--out {out} is not empty (it holds another run or other files); "
                            f"pass --resume {out} to continue it or --overwrite to start a new run there")
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out, RUN_TEMPS)
    remove_stale_temps(out / "samples", SAMPLE_TEMPS)
    if overwrite and not resuming:
        for path in numbered_checkpoints(out):
            path.unlink()
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)
        for sub in ("samples", "tensorboard"):
            if (out / sub).is_dir():
                shutil.rmtree(out / sub)
