"""Context-encoder bottlenecks: ``(B, C, 4, 4)`` encoder features → ``(B, C, 4, 4)`` decoder input.

Both kinds keep the channel count ``C`` (= 8·ngf) on the way out so the decoder never depends on
the bottleneck kind (a popular CE port got that wrong).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from inpaint.models.context_encoder_params import CEParams


class _WholeMapConv(nn.Conv2d):
    """A k×k, stride-1, unpadded conv applied to a k×k map (→ 1×1), computed as one matrix
    multiply: CPU conv kernels are ~8× slower than a GEMM for this shape. Same parameters and
    state_dict as ``nn.Conv2d``; other input sizes fall back to the convolution."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != self.weight.shape[-2:]:
            return super().forward(x)
        out = F.linear(x.reshape(x.shape[0], -1), self.weight.reshape(self.out_channels, -1), self.bias)
        return out[:, :, None, None]


class _WholeMapConvTranspose(nn.ConvTranspose2d):
    """The transposed counterpart (1×1 → k×k), also one matrix multiply."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != (1, 1):
            return super().forward(x)
        k_h, k_w = self.weight.shape[-2:]
        out = F.linear(x.reshape(x.shape[0], -1), self.weight.reshape(self.in_channels, -1).t())
        out = out.reshape(x.shape[0], self.out_channels, k_h, k_w)
        return out if self.bias is None else out + self.bias[:, None, None]


class ConvBottleneck(nn.Module):
    """The released CE code's bottleneck: 4×4 conv ``C → n_bottleneck`` (4×4 → 1×1), BatchNorm,
    LeakyReLU 0.2, then a 4×4 transposed conv ``n_bottleneck → C`` (1×1 → 4×4), BatchNorm, ReLU.

    Note: BatchNorm on a 1×1 map needs a training batch of at least 2.
    """

    def __init__(self, channels: int, n_bottleneck: int, spatial: int = 4):
        super().__init__()
        self.net = nn.Sequential(
            _WholeMapConv(channels, n_bottleneck, spatial, 1, 0, bias=False),
            nn.BatchNorm2d(n_bottleneck),
            nn.LeakyReLU(0.2, inplace=True),
            _WholeMapConvTranspose(n_bottleneck, channels, spatial, 1, 0, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ChannelwiseFC(nn.Module):
    """The paper's channel-wise fully connected layer: every channel ``c`` gets its own dense map
    over its ``n×n`` positions, ``y[c] = W[c] · x[c] + b[c]`` with ``W[c]`` of shape ``n²×n²``.

    Parameters: ``m·n⁴`` weights plus ``m·n²`` biases (``m`` channels), instead of the ``m²·n⁴``
    of a full dense layer. No information flows between channels here.
    Input and output ``(B, m, n, n)``.
    """

    def __init__(self, channels: int, spatial: int):
        super().__init__()
        self.channels = channels
        self.spatial = spatial
        area = spatial * spatial
        self.weight = nn.Parameter(torch.empty(channels, area, area))
        self.bias = nn.Parameter(torch.zeros(channels, area))
        nn.init.normal_(self.weight, 0.0, 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        if (c, h, w) != (self.channels, self.spatial, self.spatial):
            raise ValueError(f"channel-wise FC expects (B, {self.channels}, {self.spatial}, "
                             f"{self.spatial}), got {tuple(x.shape)}")
        # One batched matmul over channels; reshape (not view) copes with channels_last input.
        flat = x.reshape(b, c, h * w)
        out = torch.einsum("bci,cij->bcj", flat, self.weight.to(flat.dtype))
        out = out + self.bias.to(out.dtype)
        return out.reshape(b, c, h, w)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, spatial={self.spatial}"


class ChannelwiseBottleneck(nn.Module):
    """Channel-wise FC, ReLU, optional dropout, then a 1×1 conv mixing channels, BatchNorm, ReLU."""

    def __init__(self, channels: int, spatial: int = 4, dropout: float = 0.0):
        super().__init__()
        self.fc = ChannelwiseFC(channels, spatial)
        layers: list[nn.Module] = [nn.ReLU(inplace=True)]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers += [nn.Conv2d(channels, channels, 1, 1, 0, bias=False),
                   nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
        self.mix = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mix(self.fc(x))


def _conv(channels: int, params: CEParams) -> nn.Module:
    return ConvBottleneck(channels, params.n_bottleneck)


def _channelwise(channels: int, params: CEParams) -> nn.Module:
    return ChannelwiseBottleneck(channels, 4, params.dropout)


# kind → factory(channels, CEParams) -> module mapping (B, C, 4, 4) to (B, C, 4, 4); the keys are
# BOTTLENECK_KINDS (context_encoder_params.py, torch-free)
BOTTLENECKS = {"conv": _conv, "channelwise": _channelwise}
