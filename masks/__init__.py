"""masks: the mask library of the inpaint project (numpy + OpenCV + Pillow, never torch).

Convention: a mask is a numpy ``uint8`` array ``H×W`` with **255 = hole** (missing) and
**0 = known**; as floats (for tensors ``(B, 1, H, W)``) 1.0 = hole.

Generators::

    gen = masks.make_generator("stroke", preset="thin")     # or "center", "block", ...
    mask = gen(256, 256, numpy.random.default_rng(0))       # uint8 {0, 255}, same seed → same mask

Kinds are listed in :data:`MASK_KINDS`; every kind accepts ``min_fraction``/``max_fraction``
to constrain the hole fraction. Files: :func:`load_mask`, :func:`save_mask`.
"""

from masks.core import (
    BIN_LABELS,
    NVIDIA_BINS,
    MaskGenerator,
    area_bin,
    from_bool,
    from_float,
    hole_fraction,
    to_bool,
    to_float,
)
from masks.errors import MaskError
from masks import kinds as _kinds  # noqa: F401  (fills the registry)
from masks.registry import MASK_KINDS, make_generator
from masks.io import load_mask, save_mask

__all__ = [
    "BIN_LABELS",
    "MASK_KINDS",
    "NVIDIA_BINS",
    "MaskError",
    "MaskGenerator",
    "area_bin",
    "from_bool",
    "from_float",
    "hole_fraction",
    "load_mask",
    "make_generator",
    "save_mask",
    "to_bool",
    "to_float",
]
