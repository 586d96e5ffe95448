"""Training configuration: typed dataclasses, flat settings, YAML/TOML files.

Users (CLI flags, ``--config`` files, the saved ``RUN/config.yaml``) speak in *flat settings*:
one mapping of names such as ``image_size``, ``mask``, ``adv_weight`` → values; dashes and
underscores are interchangeable. :data:`SETTINGS` maps each flat name to the field of one
section dataclass, so the code below the CLI only ever sees :class:`TrainConfig`.

The dataclasses are the one source of truth of every setting: its default (the field's
default), its type (the field's annotation: the checks of :func:`normalise` are derived from it)
and the flat name (:data:`SETTINGS`); ``cli/train_cmd.py`` builds its options from them.

Layering (lowest first): dataclass defaults < the task's defaults (``--task colorize`` and
``paired`` train a pix2pix-style U-Net + PatchGAN; each task object in :mod:`inpaint.tasks`
holds its own) < the resumed run's saved settings < the config file < flags given on the
command line. At import this module loads neither torch nor the models; :func:`build_config`
imports the task registry (torch) when it runs.
"""

from __future__ import annotations

import json
import math
import tomllib
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Optional

import yaml

from inpaint.config import (DISCRIMINATOR_KINDS, NORM_KINDS, OUTPUT_MODES, PREFILL_KINDS,
                            DiscriminatorConfig, GeneratorConfig, discriminator_input_size,
                            foreign_knob_message, own_settings, patch_output_size)
from inpaint.errors import TrainingError
from inpaint.models.generators import GENERATOR_KINDS, GENERATORS, all_knobs, knob_owners  # torch-free

# The keys of inpaint.losses.RECONSTRUCTION_KINDS / GAN_LOSSES, repeated here because that
# module imports torch; tests/test_losses.py checks that the two lists agree.
REC_LOSSES = ("l2", "l1")
LR_SCHEDULES = ("constant", "cosine")
GAN_LOSS_NAMES = ("bce", "lsgan", "hinge")
CE_SHORT_SIDE = 350  # Context Encoders load 128-px crops from images with a 350-px short side
CE_CROP = 128
CACHE_KINDS = ("memory", "disk", "off")
# The keys of inpaint.tasks.TASKS (that package imports torch); tests/test_train_tasks.py checks
# that the two agree.
TASK_NAMES = ("inpaint", "colorize", "paired")
DIRECTIONS = ("AtoB", "BtoA")  # paired: which half of an A|B pair is the input
# Settings only one task reads; a run's config.yaml lists those its task does not read after a
# comment saying so (dump_yaml), so the file still holds every setting and round-trips.
INPAINT_ONLY = ("mask", "mask_mix", "mask_bank", "prefill_reuse", "prefill", "mask_channel", "overlap")
PAIRED_ONLY = ("direction", "data_dir_b")
COLORIZE_ONLY = ("chroma_balance",)
MAX_LOADER_WORKERS = 8  # CUDA default loader processes (bench_input.py: samples/s per core)

# Settings left unset (None) take these values for the device the run trains on; resolved
# once, at the start of a run (resolve_device_defaults), and then saved in config.yaml.
DEVICE_DEFAULTS: dict[str, dict[str, int]] = {
    "cpu": {"workers": 0, "prefill_reuse": 1, "log_every": 50, "sample_every": 500,
            "val_every": 1000, "ckpt_every": 1000},
    # workers: min(MAX_LOADER_WORKERS, CPU cores per local process - 1), see below
    "cuda": {"workers": MAX_LOADER_WORKERS, "prefill_reuse": 16, "log_every": 200,
             "sample_every": 5000, "val_every": 5000, "ckpt_every": 5000},
}


@dataclass
class TaskConfig:
    """What the run learns (:mod:`inpaint.tasks`): ``inpaint`` fills holes, ``colorize`` predicts
    chroma from luminance, ``paired`` translates photo A to photo B."""

    name: str = "inpaint"
    direction: str = "AtoB"  # paired: AtoB (input A, target B) or BtoA
    # colorize: weigh the L1 chroma loss by the rarity of each pixel's true colour (Zhang et al.
    # 2016's class rebalancing, inpaint/train/chroma_balance.py); the mix λ of the chroma prior
    # with a uniform one, in (0, 1] (0.5 in the paper); 0 → every pixel weighs alike
    chroma_balance: float = 0.0


@dataclass
class DataConfig:
    data_dir: str = ""
    # paired: the B folder (files matched to DATA_DIR's by name); "" → DATA_DIR holds A|B files
    data_dir_b: str = ""
    mask: str = "center"  # any name of masks.MASK_KINDS
    # with mask "mixed": "kind=weight,..." (e.g. "center=1,block=1,stroke=2"); "" → the mixture's default
    mask_mix: str = ""
    scale_min: Optional[int] = None  # short side (px) before the random crop; None → 350/128·S
    scale_max: Optional[int] = None
    val_fraction: float = 0.05
    val_max: int = 64  # validation images actually scored (the first of the held-out split)
    workers: Optional[int] = None  # loader processes; None → DEVICE_DEFAULTS of the device
    # decoded, pre-scaled uint8 photos (train/photo_cache.py): "memory", "disk" (a memory-mapped
    # file under cache_dir, built on first use, reused by later runs) or "off" (decode per sample)
    cache: str = "memory"
    cache_dir: str = ""  # "" → $XDG_CACHE_HOME/inpaint (~/.cache/inpaint)
    mask_bank: int = 4096  # masks drawn once per run (seeded), each used under 8 mirrorings; 0 → fresh
    # epochs each Telea-prefilled crop is reused for (mirrored at random); None → DEVICE_DEFAULTS
    prefill_reuse: Optional[int] = None


@dataclass
class LossConfig:
    rec_loss: str = "l2"
    rec_weight: float = 0.999
    adv_weight: float = 0.001  # 0 → plain context encoder, no discriminator at all
    gan_loss: str = "bce"
    fm_weight: float = 0.0  # feature matching on D's activations (pix2pixHD); needs a discriminator


@dataclass
class OptimConfig:
    lr: float = 2e-4  # generator; the discriminator gets lr · d_lr_ratio (CE release: G is 10× D)
    beta1: float = 0.5
    beta2: float = 0.999
    d_lr_ratio: float = 0.1
    lr_schedule: str = "constant"  # or "cosine": decays both learning rates to 0 over the run
    # the discriminator's learning rate; None → lr · d_lr_ratio
    lr_d: Optional[float] = None
    # update the discriminator on every Nth generator step only (steps 0, N, 2N, …): a GAN-balance
    # trick of the pix2pix colourisation write-ups, for a discriminator that wins too easily
    d_every: int = 1
    # keep an exponential moving average of the generator's weights with this decay (e.g. 0.999,
    # about the last 1,000 steps; inpaint/train/ema.py) and validate, sample and export it;
    # 0 → off (the trained weights are the model)
    ema: float = 0.0

    def d_lr(self) -> float:
        return self.lr_d if self.lr_d is not None else self.lr * self.d_lr_ratio


@dataclass
class ScheduleConfig:
    steps: Optional[int] = None  # total optimisation steps (None with epochs None → 10000)
    epochs: Optional[int] = None
    batch_size: int = 64  # per process (per GPU under torchrun)
    # None → DEVICE_DEFAULTS of the device (a GPU runs ~100x more steps per minute than a CPU)
    log_every: Optional[int] = None
    sample_every: Optional[int] = None
    val_every: Optional[int] = None
    ckpt_every: Optional[int] = None
    keep: int = 3  # numbered step_*.pt kept; last.pt is always written
    # wall-clock minutes of training steps (0 = no limit; loading photos before and the final
    # validation and save after are extra): the run ends early, validated and saved as at its last
    # step, so a run fits a session or a job slot; --resume goes on to `steps`
    max_minutes: float = 0.0


@dataclass
class RuntimeConfig:
    out: str = ""
    device: str = "auto"
    seed: int = 0
    amp: bool = False
    compile: bool = False
    channels_last: bool = False
    sync_bn: bool = False
    # CPU threads for torch (None: torch's default, one per core). On a CPU shared with other
    # jobs, 1 thread per process can be ~3x faster than oversubscribed OpenMP threads.
    threads: Optional[int] = None
    # start from another checkpoint's weights (generator; discriminator when it fits) with fresh
    # optimisers at step 0: fine-tuning. Ignored when resuming (the resumed weights win).
    init: str = ""


@dataclass
class TrainConfig:
    task: TaskConfig = field(default_factory=TaskConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    data: DataConfig = field(default_factory=DataConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)

    @property
    def adversarial(self) -> bool:
        return self.loss.adv_weight > 0

    def scale_range(self) -> tuple[int, int]:
        default = round(CE_SHORT_SIDE * self.generator.image_size / CE_CROP)
        lo = self.data.scale_min if self.data.scale_min is not None else default
        hi = self.data.scale_max if self.data.scale_max is not None else max(lo, default)
        return lo, hi

    def total_steps(self, steps_per_epoch: int) -> int:
        if self.schedule.epochs is not None:
            return self.schedule.epochs * steps_per_epoch
        return self.schedule.steps if self.schedule.steps is not None else 10000

    def to_dict(self) -> dict:
        """Nested plain dict (stored in checkpoints as ``train_config``); the generator's part
        is :meth:`GeneratorConfig.to_dict` (flat: common fields, then its kind's knobs)."""
        return {f.name: (self.generator.to_dict() if f.name == "generator" else asdict(getattr(self, f.name)))
                for f in fields(self)}

    def to_flat(self) -> dict:
        """Every setting of this run; of the generator knobs only its kind's own."""
        own = self.generator.params.knobs()
        return {name: getattr(getattr(self, sec), attr) for name, (sec, attr) in SETTINGS.items()
                if name not in GENERATOR_KNOBS or name in own}


# flat setting name -> (section attribute of TrainConfig, field name in that section)
SETTINGS: dict[str, tuple[str, str]] = {
    "task": ("task", "name"), "direction": ("task", "direction"),
    "chroma_balance": ("task", "chroma_balance"),
    "data_dir": ("data", "data_dir"), "data_dir_b": ("data", "data_dir_b"), "mask": ("data", "mask"), "mask_mix": ("data", "mask_mix"),
    "scale_min": ("data", "scale_min"), "scale_max": ("data", "scale_max"),
    "val_fraction": ("data", "val_fraction"), "val_max": ("data", "val_max"),
    "workers": ("data", "workers"), "cache": ("data", "cache"), "cache_dir": ("data", "cache_dir"),
    "mask_bank": ("data", "mask_bank"), "prefill_reuse": ("data", "prefill_reuse"),
    "generator": ("generator", "kind"), "mode": ("generator", "mode"),
    "image_size": ("generator", "image_size"), "ngf": ("generator", "ngf"),
    "mask_channel": ("generator", "mask_channel"), "prefill": ("generator", "prefill"),
    "residual": ("generator", "residual"), "overlap": ("generator", "overlap"),
    "image_channels": ("generator", "image_channels"), "out_channels": ("generator", "out_channels"),
    "discriminator": ("discriminator", "kind"), "ndf": ("discriminator", "ndf"),
    "d_layers": ("discriminator", "n_layers"), "d_norm": ("discriminator", "norm"),
    "conditional": ("discriminator", "conditional"),
    "rec_loss": ("loss", "rec_loss"), "rec_weight": ("loss", "rec_weight"),
    "adv_weight": ("loss", "adv_weight"), "gan_loss": ("loss", "gan_loss"),
    "fm_weight": ("loss", "fm_weight"),
    "lr": ("optim", "lr"), "beta1": ("optim", "beta1"), "beta2": ("optim", "beta2"),
    "d_lr_ratio": ("optim", "d_lr_ratio"), "lr_schedule": ("optim", "lr_schedule"),
    "lr_d": ("optim", "lr_d"), "d_every": ("optim", "d_every"),
    "ema": ("optim", "ema"),
    "steps": ("schedule", "steps"), "epochs": ("schedule", "epochs"),
    "batch_size": ("schedule", "batch_size"), "log_every": ("schedule", "log_every"),
    "sample_every": ("schedule", "sample_every"), "val_every": ("schedule", "val_every"),
    "ckpt_every": ("schedule", "ckpt_every"), "keep": ("schedule", "keep"),
    "max_minutes": ("schedule", "max_minutes"),
    "out": ("runtime", "out"), "device": ("runtime", "device"), "seed": ("runtime", "seed"),
    "amp": ("runtime", "amp"), "compile": ("runtime", "compile"),
    "channels_last": ("runtime", "channels_last"), "sync_bn": ("runtime", "sync_bn"),
    "threads": ("runtime", "threads"), "init": ("runtime", "init"),
}
# Each generator's own knobs (inpaint/models/*_params.py), flat under their field names: knob
# name → its dataclass fields, one per generator kind that has it. Read through
# GeneratorConfig's attribute view of its params.
GENERATOR_KNOBS: dict[str, list] = all_knobs()
SETTINGS.update({name: ("generator", name) for name in GENERATOR_KNOBS})

# The choices of the settings that take one of a few names (the CLI's click.Choice lists).
CHOICES: dict[str, tuple] = {
    "task": TASK_NAMES, "direction": DIRECTIONS, "generator": GENERATOR_KINDS, "mode": OUTPUT_MODES,
    "prefill": PREFILL_KINDS, "discriminator": DISCRIMINATOR_KINDS, "d_norm": NORM_KINDS,
    "rec_loss": REC_LOSSES, "gan_loss": GAN_LOSS_NAMES, "lr_schedule": LR_SCHEDULES, "cache": CACHE_KINDS,
}
for _spec in GENERATORS.values():  # the knobs' choices, from each generator's params
    CHOICES.update(_spec.params.CHOICES)


def _knob_field(name: str):
    """``(field, resolved type, default)`` of a generator knob: its type must be the same in
    every generator that has it; its default is theirs when they agree, else None (unset: the
    chosen generator's own default applies)."""
    owners = [GENERATORS[k].params for k in knob_owners(name)]
    hints = {typing.get_type_hints(cls)[name] for cls in owners}
    if len(hints) != 1:
        raise TypeError(f"generator knob {name!r} has different types in {', '.join(c.__name__ for c in owners)}")
    defaults = {repr(getattr(cls(), name)) for cls in owners}
    default = getattr(owners[0](), name) if len(defaults) == 1 else None
    return GENERATOR_KNOBS[name][0], hints.pop(), default


def knob_defaults(name: str) -> dict[str, Any]:
    """Generator kind → its default of the knob ``name`` (for help texts)."""
    return {k: getattr(GENERATORS[k].params(), name) for k in knob_owners(name)}


def setting_field(name: str):
    """``(dataclass field, resolved type, default)`` of the flat setting ``name``."""
    if name in GENERATOR_KNOBS:
        return _knob_field(name)
    section, attr = SETTINGS[name]
    cls = typing.get_type_hints(TrainConfig)[section]
    hint = typing.get_type_hints(cls)[attr]
    f = next(f for f in fields(cls) if f.name == attr)
    return f, hint, getattr(cls(), attr)


def setting_default(name: str) -> Any:
    """The dataclass default of a flat setting (the task's defaults come on top of it)."""
    return setting_field(name)[2]


def setting_type(name: str) -> tuple[type, bool]:
    """``(int | float | bool | str, nullable)`` of a flat setting, from its field's annotation."""
    hint = setting_field(name)[1]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    nullable = len(args) < len(typing.get_args(hint))
    return (args[0] if nullable else hint), nullable

_TYPES = {name: setting_type(name) for name in SETTINGS}
_INT = {n for n, (t, _) in _TYPES.items() if t is int}
_FLOAT = {n for n, (t, _) in _TYPES.items() if t is float}
_BOOL = {n for n, (t, _) in _TYPES.items() if t is bool}
# "mode" is a plain str field, but None as a setting means "follow the mask" (build_config)
_NULLABLE = {n for n, (_, nullable) in _TYPES.items() if nullable} | {"mode"}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Check a flat value's type (YAML/TOML already parse numbers and booleans)."""
    if value is None and name in _NULLABLE:
        return None
    if name in _BOOL:
        if isinstance(value, bool):
            return value
        kind = "true or false"
    elif name in _INT:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        kind = "an integer"
    elif name in _FLOAT:
        # inf and nan are numbers to Python and YAML, but no setting makes sense with them
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        kind = "a finite number"
    else:
        if isinstance(value, str):
            return value
        kind = "a string"
    raise TrainingError(f"{source}: setting {name!r} must be {kind}, got {value!r}")


def normalise(settings: dict, source: str) -> dict:
    """Dash/underscore-insensitive keys, unknown keys refused, values type-checked."""
    out = {}
    for key, value in settings.items():
        name = str(key).strip().replace("-", "_").lower()
        if name not in SETTINGS:
            raise TrainingError(f"{source}: unknown setting {key!r} "
                                f"(known: {', '.join(sorted(SETTINGS))})")
        out[name] = _coerce(name, value, source)
    return out


def read_config_file(path: str | Path) -> dict:
    """Flat settings from a ``.yaml``/``.yml``/``.toml``/``.json`` file (normalised)."""
    path = Path(path)
    if not path.is_file():
        raise TrainingError(f"config file not found: {path}")
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TrainingError(f"cannot parse config file {path}: {first}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TrainingError(f"config file {path} must hold a mapping of settings, got {type(data).__name__}")
    return _without_dumped_knobs(normalise(data, f"config file {path}"))


def _without_dumped_knobs(flat: dict) -> dict:
    """``config.yaml`` files written before each generator had its own parameters list every
    generator's knobs; those of another generator than the file's, at their default, are such
    a dump's and are dropped. Any other value of them is still refused by build_config."""
    kind = flat.get("generator")
    if kind not in GENERATORS:
        return flat
    own = GENERATORS[kind].params.knobs()
    return {k: v for k, v in flat.items()
            if k not in GENERATOR_KNOBS or k in own or v != setting_default(k)}


def build_config(*layers: dict) -> TrainConfig:
    """Apply flat-settings layers (later wins) over the defaults, resolve and validate."""
    flat: dict = {}
    for layer in layers:
        # --steps and --epochs are alternatives: a layer choosing one cancels the other below it
        for chosen, other in (("steps", "epochs"), ("epochs", "steps")):
            if layer.get(chosen) is not None and other not in layer:
                flat.pop(other, None)
        flat.update(layer)
    task = _task(flat.get("task", setting_default("task")))
    given = set(flat)
    # the task's defaults sit just above the dataclass defaults: anything set wins over them
    flat = {**normalise(task.defaults, f"the {task.name} task's defaults"), **flat}
    cfg = TrainConfig()
    generator: dict = {}
    for name, value in flat.items():
        section, attr = SETTINGS[name]
        if section == "generator":
            generator[attr] = value
        else:
            setattr(getattr(cfg, section), attr, value)
    if generator.get("mode") is None:  # unset: the output mode follows the mask
        generator["mode"] = "center" if cfg.data.mask == "center" else "full"
    cfg.generator = _generator(generator, given)
    validate(cfg)
    task.validate(cfg)  # what this task needs of the settings (one-line TrainingError)
    return cfg


def _generator(settings: dict, given: set) -> GeneratorConfig:
    """The GeneratorConfig of the flat generator ``settings``: a knob of another generator than
    the chosen one is refused when it was given (a task's defaults may name knobs of the
    generator they pick, which then do not apply)."""
    kind = settings.get("kind", GeneratorConfig.kind)
    if kind not in GENERATORS:
        raise TrainingError(f"generator must be one of {', '.join(GENERATOR_KINDS)}, got {kind!r}")
    own = GENERATORS[kind].params.knobs()
    for name in [n for n in settings if n in GENERATOR_KNOBS and n not in own]:
        if name in given:
            raise TrainingError(foreign_knob_message("--" + name.replace("_", "-"), kind))
        del settings[name]
    return GeneratorConfig(**settings)


def _task(name: str):
    """The task object of ``name`` (:data:`inpaint.tasks.TASKS`; imported here: it needs torch)."""
    if name not in TASK_NAMES:
        raise TrainingError(f"unknown task {name!r}: use one of {', '.join(TASK_NAMES)}")
    from inpaint.tasks import TASKS

    return TASKS[name]


def validate(cfg: TrainConfig) -> TrainConfig:
    """Range checks with one-line messages (raises :class:`TrainingError`)."""
    try:
        cfg.generator.validate()
        cfg.discriminator.validate()
    except ValueError as exc:
        raise TrainingError(str(exc)) from None
    from masks import MASK_KINDS  # torch-free

    d, lo, op, sc = cfg.data, cfg.loss, cfg.optim, cfg.schedule
    checks = [
        (d.mask in MASK_KINDS, f"unknown mask {d.mask!r}: use one of {', '.join(sorted(MASK_KINDS))}"),
        (cfg.generator.mode == "full" or d.mask == "center",
         "mode 'center' predicts only the centre patch: it needs --mask center (or use --mode full)"),
        (not d.mask_mix or d.mask == "mixed", "--mask-mix needs --mask mixed"),
        (op.lr_schedule in LR_SCHEDULES,
         f"lr schedule must be one of {', '.join(LR_SCHEDULES)}, got {op.lr_schedule!r}"),
        (0.0 <= d.val_fraction < 1.0, f"val fraction must be in [0, 1), got {d.val_fraction}"),
        (d.val_max >= 1, "val_max must be at least 1"),
        (d.workers is None or d.workers >= 0, "workers must be 0 or more"),
        (d.cache in CACHE_KINDS, f"cache must be one of {', '.join(CACHE_KINDS)}, got {d.cache!r}"),
        (d.mask_bank >= 0, "mask bank must be 0 (fresh masks) or more"),
        (d.prefill_reuse is None or d.prefill_reuse >= 1, "prefill reuse must be at least 1"),
        (lo.rec_loss in REC_LOSSES, f"rec loss must be one of {', '.join(REC_LOSSES)}, got {lo.rec_loss!r}"),
        (lo.gan_loss in GAN_LOSS_NAMES, f"gan loss must be one of {', '.join(GAN_LOSS_NAMES)}, got {lo.gan_loss!r}"),
        (lo.rec_weight >= 0 and lo.adv_weight >= 0, "loss weights must be 0 or more"),
        (lo.rec_weight > 0, "rec weight must be positive (the generator needs a reconstruction loss)"),
        (math.isfinite(lo.fm_weight) and lo.fm_weight >= 0,
         f"--fm-weight must be 0 (off) or more, got {lo.fm_weight}"),
        (lo.fm_weight == 0 or lo.adv_weight > 0,
         "--fm-weight matches the discriminator's features: it needs --adv-weight above 0"),
        (math.isfinite(op.lr) and math.isfinite(op.d_lr_ratio) and op.lr > 0 and op.d_lr_ratio > 0,
         f"learning rates must be positive finite numbers, got lr {op.lr}, d_lr_ratio {op.d_lr_ratio}"),
        (op.lr_d is None or (math.isfinite(op.lr_d) and op.lr_d > 0),
         f"--lr-d must be a positive finite number, got {op.lr_d}"),
        (op.d_every >= 1, f"--d-every must be at least 1 (1 = update D every step), got {op.d_every}"),
        (0.0 <= op.ema < 1.0, f"--ema must be in [0, 1) (0 = off; e.g. 0.999), got {op.ema}"),
        (0.0 <= cfg.task.chroma_balance <= 1.0,
         f"--chroma-balance must be in [0, 1] (0 = off), got {cfg.task.chroma_balance}"),
        (cfg.task.chroma_balance == 0 or cfg.task.name == "colorize",
         f"--chroma-balance is only for --task colorize, not {cfg.task.name}"),
        (cfg.task.direction in DIRECTIONS,
         f"direction must be one of {', '.join(DIRECTIONS)}, got {cfg.task.direction!r}"),
        (0 <= op.beta1 < 1 and 0 <= op.beta2 < 1, "Adam betas must be in [0, 1)"),
        (sc.batch_size >= 1, f"batch size must be at least 1, got {sc.batch_size}"),
        (not (sc.steps is not None and sc.epochs is not None), "give --steps or --epochs, not both"),
        (sc.steps is None or sc.steps >= 1, f"steps must be at least 1, got {sc.steps}"),
        (sc.epochs is None or sc.epochs >= 1, f"epochs must be at least 1, got {sc.epochs}"),
        (all(v is None or v >= 0 for v in (sc.log_every, sc.sample_every, sc.val_every, sc.ckpt_every)),
         "--log-every/--sample-every/--val-every/--ckpt-every must be 0 (off) or more"),
        (sc.keep >= 0, "keep must be 0 or more"),
        (math.isfinite(sc.max_minutes) and sc.max_minutes >= 0,
         f"--max-minutes must be 0 (no limit) or more, got {sc.max_minutes}"),
        (cfg.runtime.threads is None or cfg.runtime.threads >= 1, "threads must be at least 1"),
        (cfg.runtime.device.split(":")[0] in ("auto", "cpu", "cuda"),
         f"device must be auto, cpu or cuda, got {cfg.runtime.device!r}"),
    ]
    for ok, message in checks:
        if not ok:
            raise TrainingError(message)
    if d.mask_mix:
        parse_mask_mix(d.mask_mix)
    dc, g = cfg.discriminator, cfg.generator
    if cfg.adversarial and dc.kind == "patch":
        judged = discriminator_input_size(g)
        deepest = 0
        while patch_output_size(judged, deepest + 1) >= 1:
            deepest += 1
        if dc.n_layers > deepest:
            raise TrainingError(f"d_layers {dc.n_layers} is too deep for the patch discriminator on "
                                f"{judged}x{judged} inputs (at most {deepest})")
    smin, smax = cfg.scale_range()
    if smin < 1 or smax < smin:
        raise TrainingError(f"scale range must satisfy 1 <= scale_min <= scale_max, got {smin}..{smax}")
    return cfg


def resolve_device_defaults(cfg: TrainConfig, device_type: str, cpus_per_process: int | None = None) -> TrainConfig:
    """Fill the settings left unset (None) with :data:`DEVICE_DEFAULTS` for ``device_type``
    (``"cpu"`` or ``"cuda"``), in place. On CUDA the loader workers are at most
    :data:`MAX_LOADER_WORKERS` and leave one core per process to the training loop."""
    table = DEVICE_DEFAULTS["cuda" if device_type == "cuda" else "cpu"]
    sc, d = cfg.schedule, cfg.data
    if d.workers is None:
        workers = table["workers"]
        if device_type == "cuda" and cpus_per_process is not None:
            workers = max(0, min(workers, cpus_per_process - 1))
        d.workers = workers
    if d.prefill_reuse is None:
        d.prefill_reuse = table["prefill_reuse"]
    for name in ("log_every", "sample_every", "val_every", "ckpt_every"):
        if getattr(sc, name) is None:
            setattr(sc, name, table[name])
    return cfg


def parse_mask_mix(text: str) -> dict[str, float]:
    """``"center=1,block=1,stroke=2"`` → ``{"center": 1.0, "block": 1.0, "stroke": 2.0}``.

    Kinds and weights are checked by building the mixture (one-line :class:`TrainingError`)."""
    from masks import MaskError, make_generator  # torch-free

    mix = {}
    for item in text.split(","):
        name, sep, weight = item.partition("=")
        name = name.strip()
        try:
            mix[name] = float(weight) if sep else 1.0
        except ValueError:
            raise TrainingError(f"mask mix: weight of {name!r} must be a number, got {weight.strip()!r} "
                                f"(write kind=weight,..., e.g. center=1,block=1,stroke=2)") from None
    try:
        make_generator("mixed", kinds=mix)
    except MaskError as exc:
        raise TrainingError(f"mask mix: {exc}") from None
    return mix


def config_from_dict(nested: dict) -> TrainConfig:
    """Inverse of :meth:`TrainConfig.to_dict` (checkpoints' ``train_config``)."""
    flat = {}
    # runs started before each generator had its own parameters stored every generator's knobs
    nested = {**nested, "generator": own_settings(dict(nested.get("generator", {})))}
    for name, (section, attr) in SETTINGS.items():
        if section in nested and attr in nested[section]:
            flat[name] = nested[section][attr]
    return build_config(normalise(flat, "checkpoint train_config"))


def unused_settings(task: str) -> tuple[str, ...]:
    """The flat settings a run of ``task`` does not read (other tasks' own settings)."""
    return ((INPAINT_ONLY if task != "inpaint" else ()) + (PAIRED_ONLY if task != "paired" else ())
            + (COLORIZE_ONLY if task != "colorize" else ()))


def dump_yaml(cfg: TrainConfig) -> str:
    """The resolved flat settings as YAML; ``--config RUN/config.yaml`` reproduces the run.
    The settings its task does not read (:func:`unused_settings`) come last, under a comment."""
    header = "# inpaint train: resolved settings of this run (usable with --config)\n"
    flat = cfg.to_flat()
    unused = [name for name in unused_settings(cfg.task.name) if name in flat]
    text = header + yaml.safe_dump({k: v for k, v in flat.items() if k not in unused}, sort_keys=False)
    if unused:
        text += (f"# not read by --task {cfg.task.name} (settings of other tasks, listed so that this "
                 "file holds every setting):\n" + yaml.safe_dump({k: flat[k] for k in unused}, sort_keys=False))
    return text
