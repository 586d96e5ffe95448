"""Conversions between numpy images/masks and the network's tensors.

numpy image ``uint8`` ``H×W×3`` [0, 255]  <->  tensor ``(3, H, W)`` float [-1, 1]
numpy mask  ``uint8`` ``H×W`` 255 = hole  <->  tensor ``(1, H, W)`` float, 1 = hole
"""

from __future__ import annotations

import numpy as np
import torch


def image_to_tensor(image: np.ndarray) -> torch.Tensor:
    """``uint8`` ``H×W×3`` → contiguous float32 ``(3, H, W)`` in [-1, 1].

    Computed in numpy: it runs per sample in the data loader, where small strided torch ops
    cost milliseconds each on a busy multi-threaded CPU."""
    chw = np.ascontiguousarray(image.transpose(2, 0, 1)).astype(np.float32)
    chw /= np.float32(127.5)
    chw -= np.float32(1.0)
    return torch.from_numpy(chw)


def mask_to_tensor(mask: np.ndarray) -> torch.Tensor:
    """``H×W`` mask (non-zero = hole) → float32 ``(1, H, W)``, 1 = hole."""
    return torch.from_numpy((mask > 0).astype(np.float32))[None]


def tensor_to_image(tensor: torch.Tensor) -> np.ndarray:
    """``(3, H, W)`` in [-1, 1] → ``uint8`` ``H×W×3`` (rounded, clipped)."""
    t = tensor.detach().float().clamp(-1, 1).add(1).mul(127.5).round()
    return t.to(torch.uint8).permute(1, 2, 0).cpu().numpy()


def tensor_to_mask(tensor: torch.Tensor) -> np.ndarray:
    """``(1, H, W)`` float mask (1 = hole) → ``uint8`` ``H×W``, 255 = hole."""
    return (tensor[0].detach().cpu().numpy() > 0.5).astype(np.uint8) * np.uint8(255)
