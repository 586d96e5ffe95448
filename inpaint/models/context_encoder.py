"""Context-encoder generator (Pathak et al. 2016).

Input ``(B, cfg.in_channels, S, S)`` in [-1, 1]: the photo with its holes pre-filled, plus the
mask channel (1 = hole) when ``cfg.mask_channel``. Output pixels in [-1, 1], not composited:
``(B, C, S/2, S/2)`` — the centre patch, rows/cols ``S/4 .. 3S/4`` — in ``mode="center"``,
``(B, C, S, S)`` in ``mode="full"``; ``C = cfg.out_channels`` (3, RGB, for inpainting).

Encoder: 4×4 stride-2 convs down to 4×4 (BatchNorm after all but the first, LeakyReLU 0.2),
with channel multipliers ``[1, …, 1, 2, 4, 8]·ngf`` — for S = 128 and ngf = 64 exactly the
paper's 3→64→64→128→256→512. Bottleneck (:mod:`.bottlenecks`, ``params.bottleneck``) back to
8·ngf channels at 4×4. Decoder: 4×4 stride-2 transposed convs (or bilinear + 3×3 conv,
``params.upsample``) mirroring the encoder, BatchNorm + ReLU, Tanh output; centre mode has one
up-layer fewer (S/2 out). ``params`` is ``cfg.params``, a :class:`.context_encoder_params.CEParams`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from inpaint.config import GeneratorConfig
from inpaint.models.bottlenecks import BOTTLENECKS
from inpaint.models.context_encoder_params import CEParams
from inpaint.models.layers import OutputHead, init_dcgan, up_conv


def encoder_multipliers(image_size: int) -> list[int]:
    """Channel multipliers of the encoder's down layers (one per halving, S → 4)."""
    n_down = int(math.log2(image_size // 4))
    tail = [1, 2, 4, 8]
    return [1] * max(0, n_down - len(tail)) + tail[max(0, len(tail) - n_down):]


class ContextEncoder(nn.Module):
    """CE generator; see the module docstring for shapes and layers."""

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        params: CEParams = cfg.params
        mults = encoder_multipliers(cfg.image_size)
        chans = [m * cfg.ngf for m in mults]

        enc: list[nn.Module] = []
        prev = cfg.in_channels
        for i, ch in enumerate(chans):
            enc.append(nn.Conv2d(prev, ch, 4, 2, 1, bias=(i == 0)))
            if i > 0:
                enc.append(nn.BatchNorm2d(ch))
            enc.append(nn.LeakyReLU(0.2, inplace=True))
            prev = ch
        self.encoder = nn.Sequential(*enc)
        self.bottleneck = BOTTLENECKS[params.bottleneck](prev, params)

        # Decoder mirrors the encoder: reversed channels, then the output's (3 RGB); centre mode
        # stops one layer early, at S/2.
        n_up = len(chans) - (1 if cfg.mode == "center" else 0)
        dec_chans = list(reversed(chans))[1:n_up] + [cfg.out_channels]
        dec: list[nn.Module] = []
        for i, ch in enumerate(dec_chans):
            last = i == len(dec_chans) - 1
            dec += up_conv(prev, ch, params.upsample, bias=last)
            if not last:
                dec += [nn.BatchNorm2d(ch), nn.ReLU(inplace=True)]
            prev = ch
        self.decoder = nn.Sequential(*dec)
        self.head = OutputHead(cfg.residual, center=cfg.mode == "center")
        init_dcgan(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raw = self.decoder(self.bottleneck(self.encoder(x)))
        return self.head(raw, x)
