"""Conversions between numpy images/masks and the network's tensors.

numpy image ``uint8`` ``H×W×3`` [0, 255]  <->  tensor ``(3, H, W)`` float [-1, 1]
numpy mask  ``uint8`` ``H×W`` 255 = hole  <->  tensor ``(1, H, W)`` float, 1 = hole
"""

from __future__ import annotations

import numpy as np
import torch


def image_to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div_(127.5).sub_(1.0)


def mask_to_tensor(mask: np.ndarray) -> torch.Tensor:
    return torch.from_numpy((mask > 0).astype(np.float32))[None]


def tensor_to_image(tensor: torch.Tensor) -> np.ndarray:
    """``(3, H, W)`` in [-1, 1] → ``uint8`` ``H×W×3`` (rounded, clipped)."""
    t = tensor.detach().float().clamp(-1, 1).add(1).mul(127.5).round()
    return t.to(torch.uint8).permute(1, 2, 0).cpu().numpy()
