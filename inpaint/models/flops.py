"""Model size figures for benchmarks: parameter counts and forward FLOPs (no real compute)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from inpaint.config import GeneratorConfig


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def count_generator_flops(cfg: GeneratorConfig, batch: int = 1) -> int:
    """Forward-pass FLOPs (multiply-add = 2) of ``cfg``'s generator for ``batch`` images.

    The model is built on the ``meta`` device, so this allocates no weights and runs no maths:
    it is instant even for 256 px / ngf 64.
    """
    from inpaint.models import build_generator

    with torch.device("meta"):
        model = build_generator(cfg).eval()
        x = torch.empty(batch, cfg.in_channels, cfg.image_size, cfg.image_size)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x)
    return int(counter.get_total_flops())
