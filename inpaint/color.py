"""Colour spaces for colourisation: full-range BT.601 YCbCr (the JPEG one).

Luminance is ``Y = 0.299 R + 0.587 G + 0.114 B`` — the grey value Pillow's ``convert("L")`` and
OpenCV's ``COLOR_RGB2GRAY`` give — and chroma is ``Cb``/``Cr``. The space is linear, so chroma
can be changed (or scaled towards grey to stay inside the RGB cube) without touching ``Y``:
:func:`recombine` returns a photo whose luminance is the given one to within rounding.

Two domains, one matrix:

* numpy, levels: RGB 0–255 ↔ ``Y`` 0–255, ``Cb``/``Cr`` centred on 128 (offsets ±127.5);
* tensors, the toolkit's [-1, 1] images (``(B, 3, H, W)``, see :mod:`inpaint.tensors`):
  ``Y`` in [-1, 1] (``Y/127.5 − 1``) and chroma in [-1, 1] (``(C − 128)/127.5``), ``(B, 1, H, W)``
  and ``(B, 2, H, W)``. Because the luminance weights sum to 1 and the chroma weights to 0, the
  normalisation commutes with the matrix: no offsets in this domain.
"""

from __future__ import annotations

import numpy as np

# rows: Y, Cb, Cr (applied to R, G, B)
RGB_TO_YCC = np.array([[0.299, 0.587, 0.114],
                       [-0.168736, -0.331264, 0.5],
                       [0.5, -0.418688, -0.081312]], dtype=np.float64)
YCC_TO_RGB = np.linalg.inv(RGB_TO_YCC)
CHROMA_OFFSET = 128.0
# Grey photos saved as RGB (JPEG) round their channels slightly apart; within this many levels a
# photo counts as grey (training skips it: no colour to learn; eval skips it: none to score).
GREY_TOLERANCE = 2
LEVEL_SCALE = 127.5  # levels ↔ [-1, 1]


def luminance(rgb: np.ndarray) -> np.ndarray:
    """``H×W×3`` RGB (any real dtype, 0–255 levels) → ``H×W`` float32 ``Y`` in 0–255."""
    rgb = np.asarray(rgb, dtype=np.float32)
    w = RGB_TO_YCC[0].astype(np.float32)
    return rgb[..., 0] * w[0] + rgb[..., 1] * w[1] + rgb[..., 2] * w[2]


def is_grey(rgb: np.ndarray) -> bool:
    """``uint8`` ``H×W×3``: are all channels equal (within :data:`GREY_TOLERANCE`)?"""
    a = np.asarray(rgb).astype(np.int16)
    return bool(np.abs(a[..., 0] - a[..., 1]).max() <= GREY_TOLERANCE
                and np.abs(a[..., 1] - a[..., 2]).max() <= GREY_TOLERANCE)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """``H×W×3`` RGB levels → ``H×W×3`` float32 (``Y``, ``Cb``, ``Cr``), chroma centred on 128."""
    ycc = np.asarray(rgb, dtype=np.float32) @ RGB_TO_YCC.T.astype(np.float32)
    ycc[..., 1:] += CHROMA_OFFSET
    return ycc


def chroma_to_rgb_offsets(cbcr: np.ndarray) -> np.ndarray:
    """``H×W×2`` chroma *offsets* (``Cb − 128``, ``Cr − 128``) → ``H×W×3`` float32 RGB offsets
    that add to a grey ``Y`` and leave its luminance unchanged (their ``Y`` is 0)."""
    m = YCC_TO_RGB[:, 1:].astype(np.float32)  # 3×2: the chroma columns
    return np.asarray(cbcr, dtype=np.float32) @ m.T


def recombine(y: np.ndarray, cbcr: np.ndarray) -> np.ndarray:
    """Luminance ``y`` (``H×W``, 0–255) + chroma offsets ``cbcr`` (``H×W×2``, centred on 0) →
    ``H×W×3`` uint8 RGB whose luminance is ``y`` to within rounding (≤ 0.5 level).

    Where ``y + offsets`` leaves the RGB cube, the chroma of that pixel is scaled towards grey
    just enough to fit, instead of clipping a channel (clipping would change the luminance)."""
    y = np.asarray(y, dtype=np.float32)
    cbcr = np.asarray(cbcr, dtype=np.float32)
    m = YCC_TO_RGB[:, 1:].astype(np.float32)
    # Per channel on H×W planes (no size-3 axes: this runs on 12-MP photos). The largest k in
    # [0, 1] with 0 <= y + k*d <= 255 in every channel is 1 / max(1, need), need the largest of
    # d/(255 − y) (d > 0) and −d/y (d < 0); a zero room gives a huge need, so k = 0 (grey).
    inv_hi = 1.0 / np.maximum(255.0 - y, 1e-6)
    inv_lo = 1.0 / np.maximum(y, 1e-6)
    planes = [cbcr[..., 0] * m[c, 0] + cbcr[..., 1] * m[c, 1] for c in range(3)]
    need = np.ones_like(y)
    for d in planes:
        np.maximum(need, np.maximum(d, 0.0) * inv_hi, out=need)
        np.maximum(need, np.maximum(-d, 0.0) * inv_lo, out=need)
    k = 1.0 / need
    out = np.empty(y.shape + (3,), np.uint8)
    for c, d in enumerate(planes):
        out[..., c] = np.clip(np.rint(y + k * d), 0, 255)
    return out


def _matrix(rows: np.ndarray, like):
    import torch

    return torch.as_tensor(rows, dtype=like.dtype, device=like.device)


def rgb_to_ycbcr_tensor(x):
    """``(B, 3, H, W)`` RGB in [-1, 1] → (``Y`` ``(B, 1, H, W)``, chroma ``(B, 2, H, W)``), both
    in [-1, 1] (see the module docstring)."""
    import torch

    ycc = torch.einsum("ij,bjhw->bihw", _matrix(RGB_TO_YCC, x), x)
    return ycc[:, :1], ycc[:, 1:]


def ycbcr_to_rgb_tensor(y, cbcr):
    """Inverse of :func:`rgb_to_ycbcr_tensor`: ``(B, 1, H, W)`` + ``(B, 2, H, W)`` → ``(B, 3, H, W)``
    RGB (not clamped: out-of-cube values are the caller's to clamp)."""
    import torch

    ycc = torch.cat([y, cbcr], dim=1)
    return torch.einsum("ij,bjhw->bihw", _matrix(YCC_TO_RGB, ycc), ycc)
