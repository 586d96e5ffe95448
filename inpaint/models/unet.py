"""pix2pix-style U-Net generator (full mode only).

Input ``(B, cfg.in_channels, S, S)`` in [-1, 1] (pre-filled photo, plus the mask channel with
1 = hole when ``cfg.mask_channel``; or another task's image, ``cfg.image_channels``); output
``(B, cfg.out_channels, S, S)`` in [-1, 1] (RGB, or chroma for colourisation), not composited.

``log2(S)`` levels (8 at 256 px, down to 1×1): 4×4 stride-2 convs with widths
``ngf·min(2^i, 8)``, BatchNorm on all but the outermost and innermost, LeakyReLU 0.2 (ReLU at the
innermost). The decoder mirrors it: up-sampling (4×4 stride-2 transposed convs, or bilinear ×2 +
3×3 conv with ``params.upsample="bilinear"``), BatchNorm, dropout ``params.dropout`` in the
first three decoder blocks, ReLU, and each block's output concatenated with the encoder features
of the same resolution (skip connections). Tanh output. ``params`` is ``cfg.params``, a
:class:`.unet_params.UNetParams`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from inpaint.config import GeneratorConfig
from inpaint.models.layers import OutputHead, init_dcgan, up_conv
from inpaint.models.unet_params import UNetParams

DROPOUT_BLOCKS = 3  # pix2pix: dropout in the first three decoder blocks


def level_widths(ngf: int, image_size: int) -> list[int]:
    """Channels of the encoder's ``log2(image_size)`` levels, outermost first (the decoder mirrors them)."""
    return [ngf * min(2 ** i, 8) for i in range(int(math.log2(image_size)))]


class UNet(nn.Module):
    """U-Net generator; see the module docstring for shapes and layers."""

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        params: UNetParams = cfg.params
        chans = level_widths(cfg.ngf, cfg.image_size)
        n = len(chans)

        self.downs = nn.ModuleList()
        prev = cfg.in_channels
        for i, ch in enumerate(chans):
            outer, inner = i == 0, i == n - 1
            layers: list[nn.Module] = [nn.Conv2d(prev, ch, 4, 2, 1, bias=outer or inner)]
            if not (outer or inner):
                layers.append(nn.BatchNorm2d(ch))
            # Each activation consumes a fresh conv/norm output, so inplace is safe here.
            layers.append(nn.ReLU(inplace=True) if inner else nn.LeakyReLU(0.2, inplace=True))
            self.downs.append(nn.Sequential(*layers))
            prev = ch

        # ups[k] produces level n-2-k's resolution; its input is the previous output concatenated
        # with the skip features (except the innermost, which sees the 1×1 code alone).
        self.ups = nn.ModuleList()
        for k, i in enumerate(range(n - 1, -1, -1)):
            in_ch = chans[i] if i == n - 1 else 2 * chans[i]
            if i == 0:
                self.ups.append(nn.Sequential(*up_conv(in_ch, cfg.out_channels, params.upsample, bias=True)))
                break
            out_ch = chans[i - 1]
            layers = up_conv(in_ch, out_ch, params.upsample, bias=False) + [nn.BatchNorm2d(out_ch)]
            if k < DROPOUT_BLOCKS and params.dropout > 0:
                layers.append(nn.Dropout(params.dropout))
            layers.append(nn.ReLU(inplace=True))
            self.ups.append(nn.Sequential(*layers))
        self.head = OutputHead(cfg.residual, center=False)
        init_dcgan(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        h = x
        for down in self.downs:
            h = down(h)
            skips.append(h)
        skips.pop()  # the innermost code is not a skip
        h = self.ups[0](h)
        for up in self.ups[1:]:
            h = up(torch.cat([h, skips.pop()], dim=1))
        return self.head(h, x)
