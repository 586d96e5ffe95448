"""`inpaint train`: parse options, layer them over a config file (and a resumed run's settings),
then call :func:`inpaint.train.run_training`. Torch is imported inside the command only."""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.core import ParameterSource

from cli.errors import friendly_errors
from inpaint.train.config import (CHOICES, DEVICE_DEFAULTS, GENERATOR_KNOBS, knob_defaults,  # torch-free
                                  setting_default, setting_type)
from inpaint.models.generators import knob_owners  # torch-free

# click option names that are not settings of the run
_ACTIONS = ("config", "resume", "overwrite")
# settings that are no option: the positional folders, and the channels the task decides
NOT_OPTIONS = ("data_dir", "data_dir_b", "image_channels", "out_channels")
# settings whose option is unset by default although their field has a value: unset means
# "decided by another setting" (the output mode follows the mask)
UNSET_BY_DEFAULT = ("mode",)


def _by_device(name: str) -> str:
    """``[default: X on CPU, Y on CUDA]`` from DEVICE_DEFAULTS (the one source of these values)."""
    cpu, cuda = DEVICE_DEFAULTS["cpu"][name], DEVICE_DEFAULTS["cuda"][name]
    return f"[default: {cpu} on CPU, {cuda} on CUDA]"


def _opt(*decls, **kwargs):
    kwargs.setdefault("show_default", True)
    return click.option(*decls, **kwargs)


def setting(name: str, *short, help: str | None = None, default_text: str | None = None, **kwargs):
    """The option of the flat setting ``name``: ``--name-with-dashes``; its type, default and
    choices come from the config dataclasses (:mod:`inpaint.train.config`), never restated.
    ``default_text``: what an unset (None) default means, e.g. ``[default: 10000]``. A generator
    knob's help names the generators that have it (their params dataclasses)."""
    flag = "--" + name.replace("_", "-")
    typ, _ = setting_type(name)
    default = None if name in UNSET_BY_DEFAULT else setting_default(name)
    if name in GENERATOR_KNOBS:
        owners = knob_owners(name)
        help = f"{help + ' ' if help else ''}({' and '.join(owners)} generator{'s' if len(owners) > 1 else ''})"
        if default is None:  # the generators' defaults differ: say each
            default_text = "[default: " + ", ".join(f"{k} {v}" for k, v in knob_defaults(name).items()) + "]"
    if typ is bool:
        decls = (f"{flag}/--no-{flag[2:]}",)
    else:
        decls = (flag,)
        kwargs.setdefault("type", click.Choice(CHOICES[name]) if name in CHOICES else typ)
    text = help or ""
    if default_text:
        text = f"{text} {default_text}".strip()
    shown = default is not None and default != ""
    return click.option(*short, *decls, name, default=default, show_default=shown, help=text or None,
                        **kwargs)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("data_dirs", nargs=-1, metavar="DATA_DIR [B_DIR]",
                type=click.Path(file_okay=False, path_type=Path))
@setting("task", help="What to learn: fill holes, colour from luminance, or photo A -> photo B. "
         "colorize and paired start from the pix2pix recipe (U-Net, conditional PatchGAN, hinge "
         "loss, L1); options given still win.")
@setting("direction", help="--task paired: AtoB (input A, target B) or BtoA.")
@setting("chroma_balance", help="--task colorize: weigh the L1 loss by how rare each pixel's true "
         "colour is in the training photos (Zhang et al. 2016), mixing their chroma prior with a "
         "uniform one by this much (0.5 in the paper); 0 = off.")
@setting("out", "-o", type=click.Path(path_type=Path),
         help="Run folder (checkpoints, metrics.jsonl, samples/, config.yaml).")
@_opt("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
      help="YAML/TOML file of settings (same names as the options); flags override it.")
@setting("mask", help="Mask kind from the masks registry (center, block, region, "
         "stroke, mixed, thin, medium, thick, ...).")
@setting("mask_mix", help="With --mask mixed: kind=weight,... e.g. center=1,block=1,region=1,stroke=1",
         default_text="[default: block, region, stroke equally]")
@setting("mode", help="Output mode", default_text="[default: center for --mask center, else full]")
@setting("steps", help="Total steps", default_text="[default: 10000]")
@setting("epochs", help="Train for N epochs instead of --steps.")
@setting("batch_size", help="Batch size per process.")
@setting("image_size", help="Crop size: 64, 128 or 256.")
@setting("scale_min", help="Short side (px) photos are resized to before the random crop",
         default_text="[default: 350/128 x size]")
@setting("scale_max", help="Upper end of that range.")
@setting("val_fraction", help="Held-out share of the photos (never trained on).")
@setting("val_max", help="Validation images scored at most.")
@setting("generator")
@setting("bottleneck")
@setting("n_bottleneck", help="Bottleneck channels (CE release: 4000).")
@setting("ngf", help="Generator width.")
@setting("ndf", help="Discriminator width.")
@setting("discriminator")
@setting("d_norm")
@setting("d_layers", help="PatchGAN stride-2 layers.")
@setting("conditional", help="Discriminator also sees the generator input.")
@setting("gan_loss")
@setting("adv_weight", help="Adversarial weight; 0 = plain L2 context encoder, no D.")
@setting("rec_weight", help="Reconstruction weight.")
@setting("fm_weight", help="Feature-matching weight: L1 between the discriminator's activations on real "
         "and generated images (pix2pixHD; a texture loss). 0 = off; needs --adv-weight > 0.")
@setting("rec_loss")
@setting("prefill", help="How holes are pre-filled.")
@setting("residual", help="Generator predicts a correction of the pre-fill.")
@setting("mask_channel", help="Feed the mask as a 4th input channel.")
@setting("overlap", help="Centre mode: known band (px) inside the predicted patch.")
@setting("upsample", help="Decoder up-sampling (bilinear avoids checkerboard artefacts).")
@setting("dropout", help="U-Net decoder / channel-wise bottleneck dropout.")
@setting("lr", help="Generator learning rate.")
@setting("lr_d", help="Discriminator learning rate", default_text="[default: lr x --d-lr-ratio]")
@setting("d_lr_ratio", help="Discriminator learning rate / generator's when --lr-d is not given "
         "(colorize, paired: 1).")
@setting("d_every", help="Update the discriminator every Nth step only (1 = every step).")
@setting("ema", help="Also keep a moving average of the generator's weights with this decay (e.g. "
         "0.999: about the last 1,000 steps) and validate, sample and export it; 0 = off.")
@setting("beta1", help="Adam beta1.")
@setting("beta2", help="Adam beta2.")
@setting("lr_schedule", help="constant, or cosine decay of both learning rates to 0 over the run.")
@setting("seed")
@setting("device", help="auto, cpu, cuda or cuda:N.")
@setting("amp", help="Mixed precision: bf16 (CPU; GPUs of compute capability >= 8.0) or fp16 + GradScaler (older GPUs).")
@setting("compile", help="torch.compile the generator.")
@setting("channels_last", help="NHWC memory format.")
@setting("workers", help="DataLoader worker processes",
         default_text=_by_device("workers")[:-1] + ", at most one fewer than the cores]")
@setting("cache", help="Decoded photos: in memory, in a memory-mapped file reused across runs, or off "
         "(decode every photo for every sample).")
@setting("cache_dir", help="Folder of --cache disk files", default_text="[default: $XDG_CACHE_HOME/inpaint/photos]")
@setting("mask_bank", help="Masks drawn once per run and reused (each in 8 orientations); 0 = a fresh mask per sample.")
@setting("prefill_reuse", help="--prefill telea: epochs each pre-filled crop is reused for (mirrored at random)",
         default_text=_by_device("prefill_reuse"))
@setting("threads", help="CPU threads per process", default_text="[default: torch's, one per core]")
@setting("sync_bn", help="SyncBatchNorm across GPUs under torchrun.")
@setting("log_every", help="Steps between metrics.jsonl lines (0 = off)", default_text=_by_device("log_every"))
@setting("sample_every", help="Steps between sample grids (0 = off)", default_text=_by_device("sample_every"))
@setting("val_every", help="Steps between validations (0 = only at the end)", default_text=_by_device("val_every"))
@setting("ckpt_every", help="Steps between checkpoints (0 = only at the end)", default_text=_by_device("ckpt_every"))
@setting("keep", help="Numbered step_*.pt checkpoints kept (last.pt always).")
@setting("max_minutes", help="Stop after this many minutes of training steps, validated and saved as "
                             "at the last step (--resume goes on; a cosine schedule keeps its length); "
                             "0 = no limit.")
@setting("init", type=click.Path(path_type=Path),
         help="Start from this checkpoint's weights (fine-tuning: step 0, fresh optimisers). "
              "A U-Net checkpoint with a smaller --ngf is widened into the same function.")
@_opt("--resume", type=click.Path(path_type=Path), default=None, show_default=False,
      help="Continue from a checkpoint or a run folder (its last.pt).")
@_opt("--overwrite", is_flag=True, default=False, help="Start a new run in a non-empty --out.")
@click.pass_context
@friendly_errors
def train(ctx, data_dirs, **options):
    """Train a model on the photos under DATA_DIR (recursive): an inpainting context encoder
    (--task inpaint), a colouriser (--task colorize) or a paired translator (--task paired:
    A_DIR B_DIR with files matched by name, or one folder of side-by-side A|B files).

    \b
    Examples:
      inpaint train photos/ --mask center --out runs/ce --steps 20000
      inpaint train photos/ --mask mixed --generator unet --prefill telea --residual --out runs/u
      inpaint train --task colorize photos/ --out runs/col --image-size 128 --ngf 32
      inpaint train --task paired facades/train --direction BtoA --out runs/facades
      inpaint train --task paired sketches/ photos/ --out runs/sketch2photo
      inpaint train --task colorize photos/ --init runs/col/last.pt --image-size 128 --ngf 32 --out runs/col-ft
      inpaint train photos/ --init inpaint/weights/default.pt --generator unet --ngf 24 --image-size 128 --prefill telea --residual --mask-channel --dropout 0 --out runs/wider
      inpaint train --config runs/ce/config.yaml --resume runs/ce --steps 40000
      torchrun --nproc_per_node 4 -m cli.main train photos/ --out runs/ddp
    """
    from inpaint.train import build_config, normalise, read_config_file, run_training
    from inpaint.train.checkpoints import load_resume_state
    from inpaint.train.config import config_from_dict

    given = {}
    for name, value in options.items():
        if name in _ACTIONS:
            continue
        if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            given[name] = str(value) if isinstance(value, Path) else value
    if len(data_dirs) > 2:
        raise click.UsageError(f"got {len(data_dirs)} folders: give one DATA_DIR, or A_DIR B_DIR for --task paired")
    for name, folder in zip(("data_dir", "data_dir_b"), data_dirs):
        given[name] = str(folder)
    given = normalise(given, "options")
    layers = []
    resume = options["resume"]
    state = None
    if resume is not None:
        state = load_resume_state(resume, note=lambda m: click.echo(f"note: {m}", err=True))  # read once: run_training reuses it
        saved = config_from_dict(dict(state["train_config"])).to_flat()
        if "out" not in given:  # continue in the run folder unless told otherwise
            saved["out"] = str(resume if resume.is_dir() else resume.parent)
        layers.append(saved)
    if options["config"] is not None:
        layers.append(read_config_file(options["config"]))
    layers.append(given)
    cfg = build_config(*layers)
    if not cfg.data.data_dir:
        raise click.UsageError("missing DATA_DIR (or data_dir in --config)")
    if not cfg.runtime.out:
        raise click.UsageError("missing --out RUN_FOLDER (or out in --config)")
    # Saved in config.yaml and the checkpoints: absolute, so --resume / --config work from any folder.
    cfg.data.data_dir, cfg.runtime.out = os.path.abspath(cfg.data.data_dir), os.path.abspath(cfg.runtime.out)
    if cfg.data.data_dir_b:
        cfg.data.data_dir_b = os.path.abspath(cfg.data.data_dir_b)
    if cfg.runtime.init:
        cfg.runtime.init = os.path.abspath(cfg.runtime.init)
    result = run_training(cfg, resume=resume, overwrite=options["overwrite"], resume_state=state)
    summary = f"done: step {result.step}, checkpoint {result.checkpoint}"
    if result.val_summary:
        summary += f"; {result.val_summary}"
    if result.checkpoint is not None:
        click.echo(summary)
