"""A seeded bank of training masks: drawn once per run, then picked per sample.

Generating a mask costs 0.02–1 ms (CE noise regions and strokes are the slow ones); picking one
from the bank costs a few µs. Each pick also takes one of the 8 mirrorings/rotations of the
square (the dihedral group), so a bank of N masks gives 8·N distinct holes. Every kind here is
as likely in any orientation (centre squares are symmetric; blocks, noise regions, strokes and
blobs have no preferred direction), so the mirroring keeps each kind's distribution.

Bank mask ``k`` comes from ``default_rng([seed, BANK_STREAM, k])``: the bank is a function of
the run's seed, and a sample's pick of its ``(seed, epoch, index)`` generator, so runs stay
reproducible and resumable.
"""

from __future__ import annotations

import numpy as np

BANK_STREAM = 2**31 - 2  # never an epoch, nor the validation stream (2**31 - 1)
ORIENTATIONS = 8


def orient(mask: np.ndarray, k: int) -> np.ndarray:
    """One of the 8 symmetries of the square: ``k & 3`` quarter turns, then a mirror if ``k & 4``."""
    out = np.rot90(mask, k & 3)
    if k & 4:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


class MaskBank:
    """``count`` masks ``uint8`` ``size×size`` (255 = hole) of ``generator``."""

    def __init__(self, generator, size: int, count: int, seed: int):
        if count < 1:
            raise ValueError("a mask bank holds at least one mask")
        self.masks = np.stack([generator(size, size, np.random.default_rng([seed, BANK_STREAM, k]))
                               for k in range(count)])

    def __len__(self) -> int:
        return len(self.masks)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        k = int(rng.integers(len(self.masks) * ORIENTATIONS))
        return orient(self.masks[k // ORIENTATIONS], k % ORIENTATIONS)
