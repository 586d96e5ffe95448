"""Building blocks shared by the generators and discriminators: norms, up-sampling, DCGAN init,
and the generator output head (plain or residual).

Tensors here follow the package conventions: images ``(B, C, H, W)`` float in [-1, 1].
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

from inpaint.network_input import center_box


def _batch(channels: int) -> nn.Module:
    return nn.BatchNorm2d(channels)


def _instance(channels: int) -> nn.Module:
    # affine so the norm can learn a per-channel scale/shift like BatchNorm does.
    return nn.InstanceNorm2d(channels, affine=True)


# Spectral normalisation lives on the conv weights (see `conv_with_norm`), not in a layer.
NORM_LAYERS = {"batch": _batch, "instance": _instance, "spectral": None}


def conv_with_norm(conv: nn.Module, channels: int, norm: str | None) -> list[nn.Module]:
    """``[conv, norm layer]``, ``[spectral_norm(conv)]`` or ``[conv]`` (``norm=None``).

    :func:`init_dcgan` applied afterwards also initialises spectral-normalised convs.
    """
    if norm is None:
        return [conv]
    if norm not in NORM_LAYERS:
        raise ValueError(f"norm must be one of {', '.join(NORM_LAYERS)}, got {norm!r}")
    if norm == "spectral":
        return [spectral_norm(conv)]
    return [conv, NORM_LAYERS[norm](channels)]


def up_conv(in_ch: int, out_ch: int, upsample: str, bias: bool) -> list[nn.Module]:
    """Layers that double the spatial size: 4×4 stride-2 transposed conv, or bilinear ×2 + 3×3 conv."""
    if upsample == "transposed":
        return [nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=bias)]
    if upsample == "bilinear":
        return [nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                nn.Conv2d(in_ch, out_ch, 3, 1, 1, bias=bias)]
    raise ValueError(f"upsample must be 'transposed' or 'bilinear', got {upsample!r}")


def init_dcgan(module: nn.Module) -> None:
    """DCGAN initialisation: conv weights N(0, 0.02), norm weights N(1, 0.02), biases 0.

    Spectral-normalised convs are initialised through their unnormalised ``original`` weight.
    """
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            if parametrize.is_parametrized(m, "weight"):
                weight = m.parametrizations.weight.original
            else:
                weight = m.weight
            nn.init.normal_(weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d)) and m.weight is not None:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def center_crop(x: torch.Tensor) -> torch.Tensor:
    """Centre half ``(B, C, S/2, S/2)`` of ``(B, C, S, S)``: rows/cols ``S/4 .. 3S/4``
    (:func:`inpaint.network_input.center_box`)."""
    a, b = center_box(x.shape[-1])
    return x[..., a:b, a:b]


class OutputHead(nn.Module):
    """Turn the decoder's last pre-activation ``raw`` into pixels in [-1, 1].

    Plain: ``tanh(raw)``. Residual: ``clamp(base + tanh(raw), -1, 1)`` where ``base`` is the
    generator input's image channels (the first ``raw.shape[1]``: RGB; its centre crop when the
    output is the centre patch), so the network learns a correction to the pre-fill and a zero
    correction reproduces the input exactly.
    """

    def __init__(self, residual: bool, center: bool):
        super().__init__()
        self.residual = residual
        self.center = center

    def forward(self, raw: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        out = torch.tanh(raw)
        if not self.residual:
            return out
        base = x[:, :out.shape[1]]
        if self.center:
            base = center_crop(base)
        return torch.clamp(base.to(out.dtype) + out, -1.0, 1.0)

    def extra_repr(self) -> str:
        return f"residual={self.residual}, center={self.center}"
