"""Shared helpers of the fill tests: tiny photos, masks and randomly initialised checkpoints."""

from __future__ import annotations

import numpy as np
import pytest


def photo(height: int = 96, width: int = 128, seed: int = 0) -> np.ndarray:
    """A smooth colourful test photo (gradients + a little noise), uint8 H×W×3."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.stack([xx / max(width - 1, 1) * 200 + 20, yy / max(height - 1, 1) * 180 + 40,
                    (xx + yy) / (height + width) * 150 + 60], axis=2)
    img += rng.normal(0, 4, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def rect_mask(height, width, *boxes) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    for y0, x0, y1, x1 in boxes:
        mask[y0:y1, x0:x1] = 255
    return mask


def tiny_config(mode: str = "center", **changes):
    from inpaint.config import GeneratorConfig

    return GeneratorConfig(kind="ce", mode=mode, image_size=64, ngf=8, n_bottleneck=16, **changes)


def make_checkpoint(path, mode: str = "center", seed: int = 0, gain: float = 1.0, **changes):
    """Write a randomly initialised tiny CE checkpoint; returns its path. ``gain`` scales the
    weights: at 1 (DCGAN init) the output is a nearly uniform grey, at 5 it has some structure."""
    import torch

    from inpaint.checkpoint import save_checkpoint
    from inpaint.models import build_generator

    torch.manual_seed(seed)
    cfg = tiny_config(mode, **changes)
    model = build_generator(cfg)
    with torch.no_grad():
        for param in model.parameters():
            if param.dim() > 1:
                param.mul_(gain)
    save_checkpoint(path, {"generator_config": cfg.to_dict(), "generator": model.state_dict(),
                           "discriminator_config": None, "discriminator": None, "step": 0})
    return path


def tiny_filler(mode: str = "center", seed: int = 0, batch_size: int = 16, refine=None, **changes):
    import torch

    from inpaint.fill.engine import ModelFiller
    from inpaint.models import build_generator

    torch.manual_seed(seed)
    cfg = tiny_config(mode, **changes)
    return ModelFiller(build_generator(cfg).eval(), cfg, "cpu", batch_size, refine)


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    return {mode: make_checkpoint(folder / f"{mode}.pt", mode) for mode in ("center", "full")}
