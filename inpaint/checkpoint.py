"""Checkpoint files: one format for training, filling and evaluation.

A checkpoint is a ``torch.save``d dict, loadable with ``weights_only=True`` (only tensors,
dicts, lists, tuples, str, int, float, bool, None inside — never pickled objects):

==========================  ====================================================
``format``                  ``"inpaint-checkpoint"`` (anything else is refused)
``version``                 ``1``
``generator_config``        :class:`inpaint.config.GeneratorConfig` as a flat dict:
                            the common fields, then the kind's own knobs (files
                            written before generators had their own parameters
                            hold every generator's knobs; the others are dropped
                            on reading)
``generator``               the generator's ``state_dict``
``generator_ema``           training checkpoints of ``--ema`` runs: the moving
                            average of those weights (:mod:`inpaint.train.ema`),
                            which is the model: filling, evaluation, ``--init``
                            and export use it (:func:`inference_weights`)
``discriminator_config``    dict or ``None`` (inference-only checkpoints omit D)
``discriminator``           ``state_dict`` or ``None``
``step``                    optimisation steps done
``task``                    what the model does: ``{"name": "inpaint"}``,
                            ``{"name": "colorize", "color_space": "ycbcr"}``,
                            ``{"name": "paired", "direction": "AtoB"}``; a checkpoint
                            without it (every one written before tasks existed, the
                            shipped default model) is an inpainting one
(training keys)             ``optimizer_g``, ``optimizer_d``, ``scaler``, ``rng``,
                            ``train_config`` … owned by :mod:`inpaint.train`
==========================  ====================================================
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from inpaint.atomic import atomic_open
from inpaint.config import GeneratorConfig
from inpaint.errors import CheckpointError

FORMAT = "inpaint-checkpoint"
VERSION = 1


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` (plus format/version) atomically: temp file in the same folder, then rename.

    Through a Python file object, so a full disk is an ``OSError`` naming ``path`` (given a
    path, torch reports it as a ``RuntimeError`` about zip positions)."""
    payload = {"format": FORMAT, "version": VERSION, **state}
    with atomic_open(path) as fh:
        torch.save(payload, fh)


def load_checkpoint(path: str | os.PathLike, map_location="cpu") -> dict:
    """Load and validate a checkpoint dict; every failure is a one-line :class:`CheckpointError`."""
    path = Path(path)
    if path.is_dir():
        hint = f" (e.g. {path / 'last.pt'})" if (path / "last.pt").is_file() else ""
        raise CheckpointError(f"checkpoint {path} is a folder: give the .pt file{hint}")
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # corrupt zip, truncated file, pickled objects...
        raise CheckpointError(f"cannot read checkpoint {path}: not an inpaint checkpoint or corrupt "
                              f"({type(exc).__name__})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an inpaint checkpoint (written by `inpaint train`)")
    if state.get("version") != VERSION:
        raise CheckpointError(f"{path} has checkpoint version {state.get('version')}, this inpaint reads {VERSION}")
    for key in ("generator_config", "generator"):
        if key not in state:
            raise CheckpointError(f"{path} is incomplete: no {key!r}")
    return state


def generator_config_of(state: dict, path: str | os.PathLike = "checkpoint") -> GeneratorConfig:
    try:
        return GeneratorConfig.from_dict(dict(state["generator_config"]))
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: bad generator settings ({exc})") from None


INPAINT = "inpaint"


def task_of(state: dict) -> dict:
    """The checkpoint's ``task`` dict (``{"name": ...}`` plus the task's settings); checkpoints
    without one are inpainting models."""
    task = state.get("task")
    if not isinstance(task, dict) or not task.get("name"):
        return {"name": INPAINT}
    return dict(task)


def inference_weights(state: dict) -> dict:
    """The generator weights that are the model: the moving average when the run kept one."""
    return state.get("generator_ema") or state["generator"]


def require_finite_weights(state: dict, path: str | os.PathLike = "checkpoint") -> None:
    """Refuse a checkpoint whose generator holds NaN/inf (a diverged run): it would fill black."""
    from inpaint.finite import state_is_finite

    if not (state_is_finite(state.get("generator")) and state_is_finite(state.get("generator_ema"))):
        raise CheckpointError(f"{path} holds non-finite (NaN or inf) generator weights: the run that "
                              "wrote it diverged; use an earlier checkpoint (step_*.pt) or retrain with a lower --lr")


def export_for_inference(src: str | os.PathLike, dst: str | os.PathLike, half: bool = False) -> dict:
    """Write the part of a training checkpoint that filling needs — architecture, generator
    weights, step — to ``dst`` (atomically); optimiser, discriminator and RNG state are dropped
    (a ~3× smaller file). ``half`` stores the floating-point weights as float16 (half the size
    again); loading casts them back into the float32 model, so nothing else changes.
    Returns the written state."""
    state = load_checkpoint(src)
    generator_config_of(state, src)  # refuse exporting settings this version cannot rebuild
    require_finite_weights(state, src)
    weights = inference_weights(state)
    if half:
        from inpaint.finite import state_is_finite

        weights = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
        if not state_is_finite(weights):
            raise CheckpointError(f"{src}: a weight is too large for float16; export it without --half")
    slim = {"generator_config": state["generator_config"], "generator": weights,
            "discriminator_config": None, "discriminator": None, "step": state.get("step", 0)}
    if "task" in state:  # what the model does travels with it (absent: inpainting)
        slim["task"] = state["task"]
    save_checkpoint(dst, slim)
    return slim


def build_stored_generator(state: dict, path: str | os.PathLike, device: torch.device | str = "cpu"):
    """The generator of a loaded checkpoint ``state``, in eval mode on ``device``, and its
    config; any task. Refuses non-finite weights and weights that do not fit."""
    from inpaint.models import build_generator

    cfg = generator_config_of(state, path)
    require_finite_weights(state, path)
    model = build_generator(cfg)
    try:
        model.load_state_dict(inference_weights(state))
    except RuntimeError:
        raise CheckpointError(f"{path}: weights do not match the architecture stored with them") from None
    return model.to(device).eval(), cfg


def load_generator(path: str | os.PathLike, device: torch.device | str = "cpu"):
    """Rebuild the *inpainting* generator stored in a checkpoint (what fill, eval, serve and
    :class:`inpaint.Inpainter` use); a model of another task is refused with one line (see
    :func:`inpaint.tasks.load_task_model` for those).

    Returns ``(generator in eval mode on device, GeneratorConfig, state dict)``.
    """
    state = load_checkpoint(path)
    name = task_of(state)["name"]
    if name != INPAINT:
        raise CheckpointError(f"{path} is a {name} model (trained with `inpaint train --task {name}`), "
                              "not an inpainting one: it cannot fill holes")
    model, cfg = build_stored_generator(state, path, device)
    return model, cfg, state
