"""Mask conventions, conversions, area bins and the base class every generator shares.

Mask convention (the whole project): a numpy ``uint8`` array of shape ``(H, W)`` whose values
are 255 for a **hole** (missing pixel) and 0 for a **known** pixel. A float mask (for tensors)
is ``float32`` 1.0 = hole, 0.0 = known.

A generator is called ``gen(height, width, rng)`` with a :class:`numpy.random.Generator` and
returns such a uint8 mask with at least one hole pixel and at least one known pixel. The same
rng state gives the same mask. Sizes from 32 to 4096 pixels per side are supported.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Optional

import numpy as np

from masks.errors import MaskError

MIN_SIDE = 32
MAX_SIDE = 4096

#: NVIDIA partial-convolution test-mask bins: hole fraction in (lo, hi].
NVIDIA_BINS: tuple[tuple[float, float], ...] = (
    (0.01, 0.1),
    (0.1, 0.2),
    (0.2, 0.3),
    (0.3, 0.4),
    (0.4, 0.5),
    (0.5, 0.6),
)


def bin_label(lo: float, hi: float) -> str:
    return f"{lo:g}-{hi:g}"


#: Labels of :data:`NVIDIA_BINS` in order, e.g. ``"0.1-0.2"``.
BIN_LABELS: tuple[str, ...] = tuple(bin_label(lo, hi) for lo, hi in NVIDIA_BINS)


def area_bin(fraction: float) -> Optional[str]:
    """Label of the NVIDIA bin ``(lo, hi]`` holding ``fraction``, or None outside (0.01, 0.6]."""
    for lo, hi in NVIDIA_BINS:
        if lo < fraction <= hi:
            return bin_label(lo, hi)
    return None


def check_size(height, width) -> tuple[int, int]:
    """Validate a mask size; MaskError unless both sides are integers in 32..4096."""
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise MaskError(f"mask {name} must be an integer, got {value!r}")
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise MaskError(f"mask {name} must be between {MIN_SIDE} and {MAX_SIDE} px, got {value}")
    return int(height), int(width)


def check_mask(mask) -> np.ndarray:
    """MaskError unless ``mask`` is a 2-D numpy array (any dtype)."""
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        shape = getattr(mask, "shape", None)
        raise MaskError(f"a mask must be a 2-D array HxW, got {type(mask).__name__} of shape {shape}")
    return mask


def to_bool(mask: np.ndarray) -> np.ndarray:
    """uint8 mask (255 = hole) → bool array, True = hole (values ≥ 128 count as hole)."""
    check_mask(mask)
    return mask.copy() if mask.dtype == bool else mask >= 128


def from_bool(hole: np.ndarray) -> np.ndarray:
    """bool array (True = hole) → uint8 mask {0, 255}."""
    return check_mask(hole).astype(bool).astype(np.uint8) * np.uint8(255)


def to_float(mask: np.ndarray) -> np.ndarray:
    """uint8 mask → float32 array with 1.0 = hole, 0.0 = known."""
    return to_bool(mask).astype(np.float32)


def from_float(mask: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """float array (1 = hole) → uint8 mask {0, 255}; values ≥ ``threshold`` become holes."""
    return from_bool(np.asarray(check_mask(mask)) >= threshold)


def hole_fraction(mask: np.ndarray) -> float:
    """Fraction of hole pixels (value ≥ 128, or True for bool masks) in [0, 1]."""
    check_mask(mask)
    if mask.size == 0:
        raise MaskError("empty mask")
    hole = mask if mask.dtype == bool else mask >= 128
    return float(np.count_nonzero(hole)) / mask.size


class MaskGenerator:
    """Base class: subclasses are dataclasses implementing ``draw(h, w, rng) -> uint8 canvas``.

    ``draw`` returns a fresh uint8 canvas with values {0, 255}; ``__call__`` validates the
    size and the rng, then :meth:`generate` redraws (a few times) a mask that is all-known or
    all-hole and finally repairs it, so every returned mask has both kinds of pixel. Wrappers
    (mixtures, constraints) override :meth:`generate` instead of ``draw``.
    """

    kind = "base"
    _REDRAWS = 8

    def draw(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def fraction_range(self, height: int, width: int) -> tuple[float, float]:
        """Hole fractions this generator can produce at this size (a superset is fine)."""
        return (1.0 / (height * width), 1.0 - 1.0 / (height * width))

    def params(self) -> dict:
        """The generator's parameters as a JSON-able dict."""
        return asdict(self) if hasattr(self, "__dataclass_fields__") else {}

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        height, width = check_size(height, width)
        if not isinstance(rng, np.random.Generator):
            raise MaskError("rng must be a numpy.random.Generator (numpy.random.default_rng(seed))")
        return self.generate(height, width, rng)

    def generate(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        """Like ``__call__`` without the argument checks (sizes already validated)."""
        size = height * width
        for _ in range(self._REDRAWS):
            canvas = self.draw(height, width, rng)
            n = np.count_nonzero(canvas)
            if 0 < n < size:
                break
        return _finish(canvas, n, size, rng)


def _finish(canvas: np.ndarray, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    if n == 0:
        # Fall back to one small square so the "at least one hole pixel" promise holds.
        h, w = canvas.shape
        side = max(1, min(h, w) // 16)
        y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        canvas[y : y + side, x : x + side] = 255
    elif n == size:
        canvas[int(rng.integers(0, canvas.shape[0])), int(rng.integers(0, canvas.shape[1]))] = 0
    return canvas
