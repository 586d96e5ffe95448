"""Build the generator's input and composite its output (shared by training and filling)."""

from __future__ import annotations

import torch

from inpaint.config import GeneratorConfig


def network_input(prefilled: torch.Tensor, mask: torch.Tensor, cfg: GeneratorConfig) -> torch.Tensor:
    """prefilled ``(B, 3, S, S)`` in [-1, 1] (holes already pre-filled), mask ``(B, 1, S, S)``
    1 = hole → ``(B, cfg.in_channels, S, S)``."""
    if cfg.mask_channel:
        return torch.cat([prefilled, mask.to(prefilled.dtype)], dim=1)
    return prefilled


def center_box(size: int) -> tuple[int, int]:
    """Start and end (exclusive) of the centre patch a centre-mode model predicts."""
    return size // 4, size - size // 4


def paste_center(patch: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    """Paste a centre patch ``(B, 3, S/2, S/2)`` into a copy of ``image`` ``(B, 3, S, S)``."""
    a, b = center_box(image.shape[-1])
    out = image.clone()
    out[..., a:b, a:b] = patch
    return out


def composite(prediction: torch.Tensor, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Keep known pixels of ``image`` exactly, take hole pixels (mask 1) from ``prediction``.

    prediction: full-size ``(B, 3, S, S)`` or a centre patch ``(B, 3, S/2, S/2)``;
    image ``(B, 3, S, S)``; mask ``(B, 1, S, S)`` with 1 = hole.
    """
    if prediction.shape[-1] != image.shape[-1]:
        prediction = paste_center(prediction, image)
    return torch.where(mask > 0.5, prediction, image)
