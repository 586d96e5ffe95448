"""Constrain any generator's hole fraction by bounded rejection sampling."""

from __future__ import annotations

import math

import numpy as np

from masks.core import MaskGenerator
from masks.errors import MaskError


class Constrained(MaskGenerator):
    """Wrap ``gen`` so that every mask has a hole fraction in ``[min_fraction, max_fraction]``
    (``(min_fraction, max_fraction]`` with ``include_min=False``, as for area bins).

    Draws up to ``max_tries`` masks and returns the first that fits; a range the generator
    plainly cannot reach at that size (``gen.fraction_range``) fails up front, a range it
    merely did not hit fails after ``max_tries``, both with a :class:`MaskError`.
    """

    def __init__(self, gen: MaskGenerator, min_fraction: float = 0.0, max_fraction: float = 1.0,
                 max_tries: int = 200, include_min: bool = True):
        for name, value in (("min_fraction", min_fraction), ("max_fraction", max_fraction)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise MaskError(f"{name} must be a number in [0, 1], got {value!r}")
        if min_fraction > max_fraction:
            raise MaskError(f"min_fraction {min_fraction} is above max_fraction {max_fraction}")
        if isinstance(max_tries, bool) or not isinstance(max_tries, int) or max_tries < 1:
            raise MaskError(f"max_tries must be a positive integer, got {max_tries!r}")
        self.gen = gen
        self.min_fraction = float(min_fraction)
        self.max_fraction = float(max_fraction)
        self.max_tries = max_tries
        self.include_min = include_min
        self.kind = gen.kind

    @classmethod
    def from_params(cls, gen, min_fraction=0.0, max_fraction=1.0, max_tries=200):
        try:
            min_fraction, max_fraction = float(min_fraction), float(max_fraction)
            max_tries_f = float(max_tries)
        except (TypeError, ValueError):
            raise MaskError("min_fraction, max_fraction and max_tries must be numbers") from None
        if not max_tries_f.is_integer():
            raise MaskError(f"max_tries must be a positive integer, got {max_tries!r}")
        return cls(gen, min_fraction, max_fraction, int(max_tries_f))

    def params(self) -> dict:
        return {**self.gen.params(), "min_fraction": self.min_fraction,
                "max_fraction": self.max_fraction, "max_tries": self.max_tries}

    def _range_text(self) -> str:
        left = "[" if self.include_min else "("
        return f"{left}{self.min_fraction:g}, {self.max_fraction:g}]"

    def check_possible(self, height: int, width: int) -> None:
        """MaskError when the requested range is plainly out of reach at this size."""
        size = height * width
        lo, hi = self.gen.fraction_range(height, width)
        lo, hi = max(lo, 1 / size), min(hi, 1 - 1 / size)
        # Smallest and largest hole-pixel counts the range allows.
        k_min = math.ceil(self.min_fraction * size - 1e-9)
        if not self.include_min and k_min <= self.min_fraction * size + 1e-9:
            k_min += 1
        k_max = math.floor(self.max_fraction * size + 1e-9)
        k_min, k_max = max(k_min, math.ceil(lo * size - 1e-9)), min(k_max, math.floor(hi * size + 1e-9))
        if k_min > k_max:
            raise MaskError(
                f"impossible hole fraction range {self._range_text()} for {self.kind} masks at "
                f"{width}x{height}: this generator gives fractions in [{lo:.3g}, {hi:.3g}]")

    def fraction_range(self, height, width):
        lo, hi = self.gen.fraction_range(height, width)
        return (max(lo, self.min_fraction), min(hi, self.max_fraction))

    def accepts(self, fraction: float) -> bool:
        above = fraction >= self.min_fraction if self.include_min else fraction > self.min_fraction
        return above and fraction <= self.max_fraction

    def generate(self, height, width, rng):
        self.check_possible(height, width)
        size = height * width
        for _ in range(self.max_tries):
            mask = self.gen.generate(height, width, rng)
            if self.accepts(np.count_nonzero(mask) / size):
                return mask
        raise MaskError(
            f"no {self.kind} mask with hole fraction in {self._range_text()} at {width}x{height} "
            f"after {self.max_tries} tries; widen the range or raise max_tries")
