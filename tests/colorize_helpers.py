"""Shared helpers of the colourisation tests: tiny real networks with random or fixed weights."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class TinyChroma(nn.Module):
    """1 → 2 channels, two random 3×3 convs and a tanh; ``gain`` scales the output towards
    saturated chroma."""

    def __init__(self, seed: int = 0, gain: float = 1.0):
        super().__init__()
        torch.manual_seed(seed)
        self.a, self.b, self.gain = nn.Conv2d(1, 8, 3, padding=1), nn.Conv2d(8, 2, 3, padding=1), gain

    def forward(self, y):
        return torch.tanh(self.gain * self.b(torch.relu(self.a(y))))


class SmoothChroma(nn.Module):
    """A fixed network whose chroma is a blurred function of the luminance (blue where bright,
    red where dark): smooth across edges, as a model predicting at low resolution is."""

    def __init__(self, blur: int = 9, amount: float = 0.5):
        super().__init__()
        self.blur, self.amount = blur, amount

    def forward(self, y):
        soft = F.avg_pool2d(y, self.blur, stride=1, padding=self.blur // 2, count_include_pad=False)
        return torch.cat([self.amount * soft, -self.amount * soft], dim=1)


class TinyPaired(nn.Module):
    """3 → 3 channels: one random 3×3 conv and a tanh."""

    def __init__(self, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.conv = nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x):
        return torch.tanh(self.conv(x) + x)


def edge_photo(height: int = 480, width: int = 640, edge: int = 333, dark: int = 50, bright: int = 200,
               seed: int = 0) -> np.ndarray:
    """A grey ``uint8`` photo with one sharp vertical luminance edge at column ``edge``."""
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(width)[None, :] < edge, dark, bright) + rng.normal(0, 2, (height, width))
    return np.clip(np.rint(y), 0, 255).astype(np.uint8)


def bleeding(rgb: np.ndarray, edge: int, near: int, far: int) -> float:
    """Mean chroma error (levels) within ``near`` px of the edge, against the chroma of each side
    far from it (its plateau, measured ``far`` px away): how much colour crossed the edge."""
    from inpaint.color import rgb_to_ycbcr

    c = rgb_to_ycbcr(rgb)[..., 1:] - 128.0
    left = c[:, edge - far - 5:edge - far].mean(axis=(0, 1))
    right = c[:, edge + far:edge + far + 5].mean(axis=(0, 1))
    err_l = np.abs(c[:, edge - near:edge] - left).mean()
    err_r = np.abs(c[:, edge:edge + near] - right).mean()
    return float((err_l + err_r) / 2)
