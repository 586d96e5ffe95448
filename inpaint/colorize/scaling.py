"""The photo's grid ↔ the model's grid, shared by colourisation and translation.

A photo of any size is scaled so its long side is the model's side (area interpolation when
shrinking, bilinear when enlarging), then reflection-padded (symmetrically) to a multiple of the
network's stride (:func:`inpaint.colorize.model.network_stride`) — for the toolkit's U-Nets,
which go down to 1×1 at their training size, that is the training size itself. The prediction is cropped back to the scaled photo.

Per-pixel work at full resolution (luminance, the recombination) runs in row strips on a few
threads: numpy releases the GIL, and strips stay in the CPU caches.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import cv2
import numpy as np

from inpaint.errors import InpaintError

STRIP_ROWS = 64
MAX_THREADS = 4


def scaled_shape(height: int, width: int, long_side: int) -> tuple[int, int]:
    """(h, w) with ``max(h, w) == long_side`` and the aspect ratio kept (each side ≥ 1)."""
    scale = long_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``image`` to (h, w): area interpolation when shrinking, bilinear when enlarging."""
    h, w = shape
    if image.shape[:2] == (h, w):
        return image
    shrink = h * w < image.shape[0] * image.shape[1]
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def check_side(side: int, stride: int, what: str = "--size") -> int:
    if side < 1 or stride < 1 or side % stride:
        raise InpaintError(f"{what} must be a positive multiple of the model's stride {stride} px, got {side}")
    return side


def padded_side(n: int, stride: int) -> int:
    return max(stride, math.ceil(n / stride) * stride)


def pad_reflect(x: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """Reflection-pad ``x`` (``h×w`` or ``h×w×C``) to ``shape``, split evenly on both sides;
    returns the padded array and the (top, left) offset of ``x`` in it."""
    h, w = x.shape[:2]
    ph, pw = shape[0] - h, shape[1] - w
    top, left = ph // 2, pw // 2
    pads = [(top, ph - top), (left, pw - left)] + [(0, 0)] * (x.ndim - 2)
    mode = "reflect" if min(h, w) > 1 else "edge"  # reflecting a single row is undefined
    return np.pad(x, pads, mode=mode), (top, left)


def strips(height: int, rows: int = STRIP_ROWS) -> list[slice]:
    return [slice(i, min(height, i + rows)) for i in range(0, height, rows)]


def threads() -> int:
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


def by_strips(height: int, work: Callable[[slice], None]) -> None:
    """Call ``work(rows)`` for every row strip of a ``height``-row image, on a few threads
    (``work`` writes its strip of a preallocated output)."""
    parts = strips(height)
    if len(parts) == 1 or threads() == 1:
        for rows in parts:
            work(rows)
        return
    with ThreadPoolExecutor(threads()) as pool:
        list(pool.map(work, parts))  # list(): re-raise the first error


def run_network(model, x: np.ndarray, device, out_channels: int, what: str) -> np.ndarray:
    """``x`` (``C×S×S'`` float32 in [-1, 1]) through ``model`` → ``out_channels×S×S'`` float32
    numpy; a wrong output shape or a non-finite value is a one-line :class:`InpaintError`."""
    import torch

    from inpaint.finite import all_finite

    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None].to(device)
    with torch.inference_mode():
        out = model(t)
    if not torch.is_tensor(out) or tuple(out.shape) != (1, out_channels, *x.shape[1:]):
        shape = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        raise InpaintError(f"the {what} model returned {shape} for a {tuple(t.shape)} input "
                           f"(expected (1, {out_channels}, {x.shape[1]}, {x.shape[2]}))")
    if not all_finite([out]):
        raise InpaintError(f"the {what} model predicted non-finite values (NaN or inf) for this photo; "
                           "nothing was written (the checkpoint is probably diverged: try another one)")
    return out[0].float().cpu().numpy()
