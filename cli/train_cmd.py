"""`inpaint train`: parse options, layer them over a config file (and a resumed run's settings),
then call :func:`inpaint.train.run_training`. Torch is imported inside the command only."""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.core import ParameterSource

from cli.errors import friendly_errors
from inpaint.config import (BOTTLENECK_KINDS, DISCRIMINATOR_KINDS, GENERATOR_KINDS, NORM_KINDS,
                            OUTPUT_MODES, PREFILL_KINDS, UPSAMPLE_KINDS)
from inpaint.train.config import (CACHE_KINDS, DEVICE_DEFAULTS, GAN_LOSS_NAMES, LR_SCHEDULES,  # torch-free
                                  REC_LOSSES, DataConfig)

# click option names that are not settings of the run
_ACTIONS = ("config", "resume", "overwrite")
_CHOICE = click.Choice


def _by_device(name: str) -> str:
    """``[default: X on CPU, Y on CUDA]`` from DEVICE_DEFAULTS (the one source of these values)."""
    cpu, cuda = DEVICE_DEFAULTS["cpu"][name], DEVICE_DEFAULTS["cuda"][name]
    return f"[default: {cpu} on CPU, {cuda} on CUDA]"


def _opt(*decls, **kwargs):
    kwargs.setdefault("show_default", True)
    return click.option(*decls, **kwargs)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("data_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@_opt("--out", "-o", type=click.Path(path_type=Path), default=None, show_default=False,
      help="Run folder (checkpoints, metrics.jsonl, samples/, config.yaml).")
@_opt("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
      help="YAML/TOML file of settings (same names as the options); flags override it.")
@_opt("--mask", default="center", help="Mask kind from the masks registry (center, block, region, "
      "stroke, mixed, thin, medium, thick, ...).")
@_opt("--mask-mix", default="", show_default=False,
      help="With --mask mixed: kind=weight,... e.g. center=1,block=1,region=1,stroke=1 "
      "[default: block, region, stroke equally].")
@_opt("--mode", type=_CHOICE(OUTPUT_MODES), default=None, show_default=False,
      help="Output mode [default: center for --mask center, else full].")
@_opt("--steps", type=int, default=None, show_default=False, help="Total steps [default: 10000].")
@_opt("--epochs", type=int, default=None, show_default=False, help="Train for N epochs instead of --steps.")
@_opt("--batch-size", type=int, default=64, help="Batch size per process.")
@_opt("--image-size", type=int, default=128, help="Crop size: 64, 128 or 256.")
@_opt("--scale-min", type=int, default=None, show_default=False,
      help="Short side (px) photos are resized to before the random crop [default: 350/128 x size].")
@_opt("--scale-max", type=int, default=None, show_default=False, help="Upper end of that range.")
@_opt("--val-fraction", type=float, default=0.05, help="Held-out share of the photos (never trained on).")
@_opt("--val-max", type=int, default=64, help="Validation images scored at most.")
@_opt("--generator", type=_CHOICE(GENERATOR_KINDS), default="ce")
@_opt("--bottleneck", type=_CHOICE(BOTTLENECK_KINDS), default="conv")
@_opt("--n-bottleneck", type=int, default=4000, help="Bottleneck channels (CE release: 4000).")
@_opt("--ngf", type=int, default=64, help="Generator width.")
@_opt("--ndf", type=int, default=64, help="Discriminator width.")
@_opt("--discriminator", type=_CHOICE(DISCRIMINATOR_KINDS), default="dcgan")
@_opt("--d-norm", type=_CHOICE(NORM_KINDS), default="batch")
@_opt("--d-layers", type=int, default=3, help="PatchGAN stride-2 layers.")
@_opt("--conditional/--no-conditional", default=False, help="Discriminator also sees the generator input.")
@_opt("--gan-loss", type=_CHOICE(GAN_LOSS_NAMES), default="bce")
@_opt("--adv-weight", type=float, default=0.001, help="Adversarial weight; 0 = plain L2 context encoder, no D.")
@_opt("--rec-weight", type=float, default=0.999, help="Reconstruction weight.")
@_opt("--rec-loss", type=_CHOICE(REC_LOSSES), default="l2")
@_opt("--prefill", type=_CHOICE(PREFILL_KINDS), default="mean", help="How holes are pre-filled.")
@_opt("--residual/--no-residual", default=False, help="Generator predicts a correction of the pre-fill.")
@_opt("--mask-channel/--no-mask-channel", default=False, help="Feed the mask as a 4th input channel.")
@_opt("--overlap", type=int, default=4, help="Centre mode: known band (px) inside the predicted patch.")
@_opt("--upsample", type=_CHOICE(UPSAMPLE_KINDS), default="transposed",
      help="Decoder up-sampling (bilinear avoids checkerboard artefacts).")
@_opt("--dropout", type=float, default=0.5, help="U-Net decoder / channel-wise bottleneck dropout.")
@_opt("--lr", type=float, default=2e-4, help="Generator learning rate; the discriminator's is lr x 0.1.")
@_opt("--lr-schedule", type=_CHOICE(LR_SCHEDULES), default="constant",
      help="constant, or cosine decay of both learning rates to 0 over the run.")
@_opt("--seed", type=int, default=0)
@_opt("--device", default="auto", help="auto, cpu, cuda or cuda:N.")
@_opt("--amp/--no-amp", default=False, help="Mixed precision: bf16 (CPU; GPUs of compute capability >= 8.0) or fp16 + GradScaler (older GPUs).")
@_opt("--compile/--no-compile", "compile_", default=False, help="torch.compile the generator.")
@_opt("--channels-last/--no-channels-last", default=False, help="NHWC memory format.")
@_opt("--workers", type=int, default=None, show_default=False,
      help="DataLoader worker processes " + _by_device("workers")[:-1] + ", at most one fewer than the cores].")
@_opt("--cache", type=_CHOICE(CACHE_KINDS), default=DataConfig.cache,
      help="Decoded photos: in memory, in a memory-mapped file reused across runs, or off "
      "(decode every photo for every sample).")
@_opt("--cache-dir", default="", show_default=False,
      help="Folder of --cache disk files [default: $XDG_CACHE_HOME/inpaint/photos].")
@_opt("--mask-bank", type=int, default=DataConfig.mask_bank,
      help="Masks drawn once per run and reused (each in 8 orientations); 0 = a fresh mask per sample.")
@_opt("--prefill-reuse", type=int, default=None, show_default=False,
      help="--prefill telea: epochs each pre-filled crop is reused for (mirrored at random) "
      + _by_device("prefill_reuse") + ".")
@_opt("--threads", type=int, default=None, show_default=False,
      help="CPU threads per process [default: torch's, one per core].")
@_opt("--sync-bn/--no-sync-bn", default=False, help="SyncBatchNorm across GPUs under torchrun.")
@_opt("--log-every", type=int, default=None, show_default=False,
      help="Steps between metrics.jsonl lines (0 = off) " + _by_device("log_every") + ".")
@_opt("--sample-every", type=int, default=None, show_default=False,
      help="Steps between sample grids (0 = off) " + _by_device("sample_every") + ".")
@_opt("--val-every", type=int, default=None, show_default=False,
      help="Steps between validations (0 = only at the end) " + _by_device("val_every") + ".")
@_opt("--ckpt-every", type=int, default=None, show_default=False,
      help="Steps between checkpoints (0 = only at the end) " + _by_device("ckpt_every") + ".")
@_opt("--keep", type=int, default=3, help="Numbered step_*.pt checkpoints kept (last.pt always).")
@_opt("--resume", type=click.Path(path_type=Path), default=None, show_default=False,
      help="Continue from a checkpoint or a run folder (its last.pt).")
@_opt("--overwrite", is_flag=True, default=False, help="Start a new run in a non-empty --out.")
@click.pass_context
@friendly_errors
def train(ctx, data_dir, **options):
    """Train a context encoder on the photos under DATA_DIR (recursive).

    \b
    Examples:
      inpaint train photos/ --mask center --out runs/ce --steps 20000
      inpaint train photos/ --mask mixed --generator unet --prefill telea --residual --out runs/u
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
            given[name.rstrip("_")] = str(value) if isinstance(value, Path) else value
    if data_dir is not None:
        given["data_dir"] = str(data_dir)
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
    result = run_training(cfg, resume=resume, overwrite=options["overwrite"], resume_state=state)
    val = result.val
    summary = f"done: step {result.step}, checkpoint {result.checkpoint}"
    if val:
        summary += (f"; val hole PSNR {val['psnr_hole']:.2f} dB (Telea {val['telea_psnr_hole']:.2f} dB), "
                    f"SSIM {val['ssim_hole']:.3f} (Telea {val['telea_ssim_hole']:.3f})")
    if result.checkpoint is not None:
        click.echo(summary)
