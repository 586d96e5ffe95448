"""Discriminators: CE/DCGAN (one logit per image) and pix2pix PatchGAN (a grid of logits).

``forward(x, condition=None)``: ``x`` ``(B, C, P, P)`` in [-1, 1] is a generator output or its
real counterpart (``C`` = the generator's ``out_channels``: 3 RGB, 2 chroma for colourisation) — the centre patch (P = S/2) in centre mode, the whole image (P = S) in full
mode. When conditional, ``condition`` is the generator's input ``(B, in_channels, S, S)``; in
centre mode its centre crop (the same box as the patch, holding the known overlap band and the
pre-fill) is concatenated with ``x`` so both stay pixel-aligned; in full mode the whole of it.
Outputs are raw logits (no sigmoid): dcgan ``(B, 1)``, patch ``(B, 1, h, w)``. With
``features=True`` the output is ``(logits, features)``: ``features`` the activation after each
LeakyReLU, coarser as the list goes on (feature matching, pix2pixHD, compares them between real
and fake). It is a ``forward`` argument, not a method, so it goes through a DDP wrapper.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from inpaint.config import DiscriminatorConfig, patch_output_size
from inpaint.models.layers import center_crop, conv_with_norm, init_dcgan


class _Conditional(nn.Module):
    """Shared input handling for (optionally) conditional discriminators."""

    def __init__(self, patch_size: int, cond_channels: int, center: bool, channels: int = 3):
        super().__init__()
        self.patch_size = patch_size
        self.cond_channels = cond_channels
        self.center = center
        self.channels = channels

    def _input(self, x: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        if x.shape[1:] != (self.channels, self.patch_size, self.patch_size):
            raise ValueError(f"discriminator expects (B, {self.channels}, {self.patch_size}, "
                             f"{self.patch_size}), got {tuple(x.shape)}")
        if not self.cond_channels:
            return x
        if condition is None:
            raise ValueError("this discriminator is conditional: pass the generator input as condition")
        if condition.shape[1] != self.cond_channels:
            raise ValueError(f"condition must have {self.cond_channels} channels, got {condition.shape[1]}")
        if self.center:
            condition = center_crop(condition)
        if condition.shape[-2:] != x.shape[-2:]:
            raise ValueError(f"condition {tuple(condition.shape)} does not match x {tuple(x.shape)}")
        return torch.cat([x, condition.to(x.dtype)], dim=1)

    def _run(self, x: torch.Tensor, features: bool):
        if not features:
            return self.net(x), []
        found = []
        for layer in self.net:
            x = layer(x)
            if isinstance(layer, nn.LeakyReLU):
                found.append(x)
        return x, found


def _edge_norm(dcfg: DiscriminatorConfig) -> str | None:
    """The first and last convs get no norm layer (spectral norm still applies to them)."""
    return "spectral" if dcfg.norm == "spectral" else None


def _conv_stack(dcfg: DiscriminatorConfig, in_channels: int, strides: list[int]):
    """4×4 convs, one per stride, widening ``ndf·2^i`` (capped at 8·ndf), each followed by its
    norm and LeakyReLU 0.2. Returns ``(layers, last width)``."""
    # a following norm layer makes a bias redundant; spectral norm adds no layer, so keep it
    norm_bias = dcfg.norm == "spectral"
    layers: list[nn.Module] = []
    prev = in_channels
    for i, stride in enumerate(strides):
        ch = dcfg.ndf * min(2 ** i, 8)
        conv = nn.Conv2d(prev, ch, 4, stride, 1, bias=(i == 0) or norm_bias)
        layers += conv_with_norm(conv, ch, _edge_norm(dcfg) if i == 0 else dcfg.norm)
        layers.append(nn.LeakyReLU(0.2, inplace=True))
        prev = ch
    return layers, prev


class DCGANDiscriminator(_Conditional):
    """CE's discriminator: 4×4 stride-2 convs ndf→2ndf→4ndf→8ndf (capped at 8·ndf) down to 4×4,
    norm after all but the first, LeakyReLU 0.2, then a 4×4 conv to one logit ``(B, 1)``."""

    def __init__(self, dcfg: DiscriminatorConfig, patch_size: int, cond_channels: int, center: bool,
                 channels: int = 3):
        super().__init__(patch_size, cond_channels, center, channels)
        n_down = int(math.log2(patch_size // 4))
        layers, prev = _conv_stack(dcfg, channels + cond_channels, [2] * n_down)
        layers += conv_with_norm(nn.Conv2d(prev, 1, 4, 1, 0), 1, _edge_norm(dcfg))
        self.net = nn.Sequential(*layers)
        init_dcgan(self)

    def forward(self, x: torch.Tensor, condition: torch.Tensor | None = None, features: bool = False):
        logits, found = self._run(self._input(x, condition), features)
        return (logits.flatten(1), found) if features else logits.flatten(1)


class PatchDiscriminator(_Conditional):
    """pix2pix PatchGAN: a 4×4 stride-2 conv to ndf (no norm), ``n_layers - 1`` more stride-2
    convs doubling the width (capped at 8·ndf), one stride-1 conv, then a stride-1 conv to one
    channel. Output ``(B, 1, h, w)``; n_layers 3 gives 70×70 receptive fields, 30×30 at 256 px."""

    def __init__(self, dcfg: DiscriminatorConfig, patch_size: int, cond_channels: int, center: bool,
                 channels: int = 3):
        super().__init__(patch_size, cond_channels, center, channels)
        if patch_output_size(patch_size, dcfg.n_layers) < 1:
            raise ValueError(f"patch discriminator with n_layers {dcfg.n_layers} is too deep for "
                             f"{patch_size}×{patch_size} inputs")
        layers, prev = _conv_stack(dcfg, channels + cond_channels, [2] * dcfg.n_layers + [1])
        layers += conv_with_norm(nn.Conv2d(prev, 1, 4, 1, 1), 1, _edge_norm(dcfg))
        self.net = nn.Sequential(*layers)
        init_dcgan(self)

    def forward(self, x: torch.Tensor, condition: torch.Tensor | None = None, features: bool = False):
        logits, found = self._run(self._input(x, condition), features)
        return (logits, found) if features else logits
