"""Draw each mask from one of several kinds, chosen at random with fixed weights."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from masks.core import MaskGenerator
from masks.errors import MaskError


def _default_kinds() -> dict:
    return {"block": 1.0, "region": 1.0, "stroke": 1.0}


@dataclass
class MixedParams:
    """Mixture of kinds: ``kinds`` maps kind → weight (e.g. ``{"block": 1, "thin": 2}``);
    ``params`` maps kind → that kind's parameters (e.g. ``{"region": {"source": "blobs"}}``)."""

    kinds: dict = field(default_factory=_default_kinds)
    params: dict = field(default_factory=dict)


def make_mixed(**params) -> "MixedMask":
    return MixedMask(**{("kind_params" if k == "params" else k): v for k, v in params.items()})


make_mixed.__doc__ = MixedParams.__doc__


@dataclass
class MixedMask(MaskGenerator):
    """Mixture of kinds (see :class:`MixedParams`; build it with ``make_generator("mixed", …)``).

    The per-kind parameters are the field ``kind_params``: a field named ``params`` would hide
    the :meth:`params` method every generator has."""

    kinds: dict = field(default_factory=_default_kinds)
    kind_params: dict = field(default_factory=dict)

    kind = "mixed"

    def params(self) -> dict:
        """As :func:`masks.make_generator` takes them: ``make_generator("mixed", **gen.params())``."""
        return {"kinds": dict(self.kinds), "params": {k: dict(v) for k, v in self.kind_params.items()}}

    def __post_init__(self):
        from masks.registry import MASK_KINDS, make_generator

        if not isinstance(self.kinds, dict) or not self.kinds:
            raise MaskError("mixed: kinds must be a non-empty mapping kind -> weight, "
                            'e.g. {"block": 1, "stroke": 1}')
        if not isinstance(self.kind_params, dict):
            raise MaskError("mixed: params must be a mapping kind -> {parameter: value}")
        unknown = sorted(set(self.kind_params) - set(self.kinds))
        if unknown:
            raise MaskError(f"mixed: params given for kind(s) not in kinds: {', '.join(unknown)}")
        names, weights, gens = [], [], []
        for name, weight in self.kinds.items():
            if name == "mixed":
                raise MaskError("mixed: a mixture cannot contain 'mixed'")
            if name not in MASK_KINDS:
                raise MaskError(f"mixed: unknown mask kind {name!r}; valid kinds: "
                                f"{', '.join(k for k in MASK_KINDS if k != 'mixed')}")
            try:
                weight = float(weight)
            except (TypeError, ValueError):
                raise MaskError(f"mixed: weight of {name!r} must be a number, got {weight!r}") from None
            if not weight >= 0:
                raise MaskError(f"mixed: weight of {name!r} must be >= 0, got {weight}")
            sub = self.kind_params.get(name, {})
            if not isinstance(sub, dict):
                raise MaskError(f"mixed: params of {name!r} must be a mapping, got {sub!r}")
            names.append(name)
            weights.append(weight)
            gens.append(make_generator(name, **sub))
        total = sum(weights)
        if total <= 0:
            raise MaskError("mixed: at least one weight must be positive")
        self._gens = gens
        self._names = names
        self._cumulative = np.cumsum(np.array(weights) / total)

    def choose(self, rng: np.random.Generator) -> int:
        """Index of the kind used for the next mask (one uniform draw)."""
        return min(int(np.searchsorted(self._cumulative, rng.random(), side="right")), len(self._gens) - 1)

    def fraction_range(self, height, width):
        ranges = [g.fraction_range(height, width) for g, w in zip(self._gens, np.diff(self._cumulative, prepend=0))
                  if w > 0]
        return (min(r[0] for r in ranges), max(r[1] for r in ranges))

    def generate(self, height, width, rng):
        return self._gens[self.choose(rng)].generate(height, width, rng)
