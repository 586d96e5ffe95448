"""Rectangular generators: the Context Encoder centre square and random blocks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from masks.core import MaskGenerator
from masks.errors import MaskError


def center_bounds(height: int, width: int, overlap: int) -> tuple[int, int, int, int]:
    """Rows ``y0:y1`` and columns ``x0:x1`` of the centre hole (end exclusive).

    The centre patch is rows ``H//4 .. H - H//4`` (half the side, the patch a centre-mode
    model predicts), shrunk by ``overlap`` px on each side.
    """
    return (height // 4 + overlap, height - height // 4 - overlap,
            width // 4 + overlap, width - width // 4 - overlap)


@dataclass
class CenterMask(MaskGenerator):
    """Context Encoder centre square: rows/cols H/4..3H/4, shrunk by ``overlap`` px per side.

    ``overlap=4`` at 128 px gives the CE hole (56×56 inside the predicted 64×64 patch).
    Deterministic: the rng is not used.
    """

    overlap: int = 0

    kind = "center"

    def __post_init__(self):
        if isinstance(self.overlap, bool) or not isinstance(self.overlap, (int, np.integer)) or self.overlap < 0:
            raise MaskError(f"center: overlap must be a non-negative integer, got {self.overlap!r}")

    def _bounds(self, height, width):
        y0, y1, x0, x1 = center_bounds(height, width, int(self.overlap))
        if y1 <= y0 or x1 <= x0:
            raise MaskError(f"center: overlap {self.overlap} leaves no hole in a {width}x{height} mask")
        return y0, y1, x0, x1

    def draw(self, height, width, rng):
        y0, y1, x0, x1 = self._bounds(height, width)
        canvas = np.zeros((height, width), np.uint8)
        canvas[y0:y1, x0:x1] = 255
        return canvas

    def fraction_range(self, height, width):
        y0, y1, x0, x1 = self._bounds(height, width)
        f = (y1 - y0) * (x1 - x0) / (height * width)
        return (f, f)


@dataclass
class BlockMask(MaskGenerator):
    """Context Encoder random blocks: ``min_blocks..max_blocks`` possibly overlapping
    rectangles whose union covers at most ``coverage`` of the image (CE: 1/4).

    Each block's height and width are drawn uniformly in ``[min_size, max_size]`` times the
    image height and width (``square=True``: one side from the shorter image side). A block
    that would push the union over ``coverage`` is shrunk (same aspect) to fit.
    """

    coverage: float = 0.25
    min_blocks: int = 1
    max_blocks: int = 5
    min_size: float = 0.1
    max_size: float = 0.4
    square: bool = False

    kind = "block"

    def __post_init__(self):
        if not 0 < self.coverage <= 1:
            raise MaskError(f"block: coverage must be in (0, 1], got {self.coverage!r}")
        if not 1 <= self.min_blocks <= self.max_blocks:
            raise MaskError(f"block: need 1 <= min_blocks <= max_blocks, got {self.min_blocks}, {self.max_blocks}")
        if not 0 < self.min_size <= self.max_size <= 1:
            raise MaskError(f"block: need 0 < min_size <= max_size <= 1, got {self.min_size}, {self.max_size}")

    def draw(self, height, width, rng):
        canvas = np.zeros((height, width), np.uint8)
        n = int(rng.integers(self.min_blocks, self.max_blocks + 1))
        draws = rng.random((n, 4))
        lo, span = self.min_size, self.max_size - self.min_size
        if self.square:
            side = (lo + span * draws[:, 0]) * min(height, width)
            bh, bw = side, side
        else:
            bh = (lo + span * draws[:, 0]) * height
            bw = (lo + span * draws[:, 1]) * width
        budget = max(1.0, self.coverage * height * width)  # at least one hole pixel
        covered = 0
        for i in range(n):
            h, w = max(1.0, bh[i]), max(1.0, bw[i])
            remaining = budget - covered
            if remaining < 1:
                break
            if h * w > remaining:
                scale = math.sqrt(remaining / (h * w))
                h, w = h * scale, w * scale
            h, w = max(1, int(h)), max(1, int(w))
            y = int(draws[i, 2] * (height - h + 1))
            x = int(draws[i, 3] * (width - w + 1))
            window = canvas[y : y + h, x : x + w]
            added = h * w - np.count_nonzero(window)
            if covered + added > budget:
                continue
            window[...] = 255
            covered += added
        return canvas

    def fraction_range(self, height, width):
        return (1.0 / (height * width), self.coverage)
