"""Shared helpers of the training tests: a folder of noise photos and a tiny U-Net GAN run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from inpaint.train import build_config


def noise_photos(root: Path, seed: int, count: int = 6, shape: tuple[int, int] = (72, 80)) -> Path:
    """``count`` uniform-noise RGB PNGs of ``shape`` (height, width) in ``root``; returns ``root``."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (*shape, 3)).astype(np.uint8)).save(root / f"p{i}.png")
    return root


def tiny_gan_config(data, out, **overrides):
    """A 64-px ngf-8 U-Net with a hinge PatchGAN on block holes, 4 CPU steps of batch 2, logged
    every step, sampled, validated and saved every 2; ``overrides`` replace any setting."""
    settings = {"data_dir": str(data), "out": str(out), "image_size": 64, "generator": "unet", "ngf": 8,
                "mask": "block", "adv_weight": 0.01, "ndf": 8, "gan_loss": "hinge", "lr": 1e-3,
                "batch_size": 2, "steps": 4, "log_every": 1, "sample_every": 2, "val_every": 2,
                "ckpt_every": 2, "val_fraction": 0.2, "val_max": 2, "device": "cpu"}
    settings.update(overrides)
    return build_config(settings)
