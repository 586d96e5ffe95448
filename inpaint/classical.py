"""Classical (non-learned) fills: the baselines every model is compared with.

:data:`CLASSICAL_METHODS` is the registry ``inpaint fill --method``, ``inpaint eval --methods``
and :meth:`inpaint.api.Inpainter.classical` use; a new method is one entry. Each entry says how
much of the photo the method needs to see (its *context rule*):

* ``telea`` / ``ns`` — OpenCV ``cv2.inpaint`` (INPAINT_TELEA, INPAINT_NS). They read only pixels
  within ``radius`` of the holes, so the holes' bounding box plus a margin is all they need.
* ``patchmatch`` — PatchMatch (Barnes et al. 2009) through the ``pypatchmatch`` wheel (a dependency)
  (:mod:`inpaint.patchmatch_fill`). It copies patches from anywhere in the known part of the
  photo, so it must see the whole photo.

Images are ``uint8`` ``H×W×3`` (or ``H×W``); masks ``uint8`` ``H×W``, non-zero (255) = hole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from inpaint.errors import InpaintError

DEFAULT_RADIUS = 3  # OpenCV's inpaint radius (px)
HOLE_BOX = "hole_box"  # context rule: the holes' bounding box grown by size + 2 px
WHOLE_PHOTO = "whole_photo"  # context rule: the whole photo
BOX_MARGIN = 2  # extra px around radius: OpenCV's neighbourhood is a disc of `radius`, rounded up

# (image, mask 255 = hole, size) -> uint8 of the image's shape
FillFunction = Callable[[np.ndarray, np.ndarray, int], np.ndarray]


def _opencv(flag: int) -> FillFunction:
    def fill(image: np.ndarray, mask: np.ndarray, radius: int) -> np.ndarray:
        hole = (mask > 0).astype(np.uint8)
        return cv2.inpaint(np.ascontiguousarray(image), hole, radius, flag).reshape(image.shape)
    return fill


def _patchmatch(image: np.ndarray, mask: np.ndarray, patch_size: int) -> np.ndarray:
    from inpaint.patchmatch_fill import patchmatch_fill  # the optional wheel loads on first use

    return patchmatch_fill(image, mask, patch_size)


def _require_patchmatch() -> None:
    from inpaint.patchmatch_fill import require_patchmatch

    require_patchmatch()


@dataclass(frozen=True)
class ClassicalMethod:
    """One classical fill.

    ``fill(image, mask, size)``: the whole fill (known pixels may come back changed; callers
    copy them back). ``size``: the method's one parameter, named ``size_name`` (OpenCV: the
    inpaint radius; PatchMatch: the patch radius, patches of ``2·size + 1`` px), default
    ``default_size``. ``context``: :data:`HOLE_BOX` or :data:`WHOLE_PHOTO`. ``require``:
    raises :class:`InpaintError` when the method cannot run here (a missing optional package).
    """

    fill: FillFunction
    default_size: int
    size_name: str
    context: str
    require: Callable[[], None] | None = None
    description: str = ""
    label: str = ""  # short name for menus (the web page's method list)

    def check(self) -> None:
        if self.require is not None:
            self.require()

    def context_box(self, hole: np.ndarray, size: int) -> tuple[slice, slice]:
        """The part of the photo to hand to :attr:`fill` for the bool ``H×W`` ``hole``."""
        h, w = hole.shape
        if self.context == WHOLE_PHOTO:
            return slice(0, h), slice(0, w)
        rows, cols = np.nonzero(hole.any(axis=1))[0], np.nonzero(hole.any(axis=0))[0]
        margin = size + BOX_MARGIN
        return (slice(max(int(rows[0]) - margin, 0), min(int(rows[-1]) + 1 + margin, h)),
                slice(max(int(cols[0]) - margin, 0), min(int(cols[-1]) + 1 + margin, w)))


CLASSICAL_METHODS: dict[str, ClassicalMethod] = {
    "telea": ClassicalMethod(_opencv(cv2.INPAINT_TELEA), DEFAULT_RADIUS, "radius", HOLE_BOX,
                             description="OpenCV Telea (fast marching)", label="Telea"),
    "ns": ClassicalMethod(_opencv(cv2.INPAINT_NS), DEFAULT_RADIUS, "radius", HOLE_BOX,
                          description="OpenCV Navier–Stokes", label="Navier–Stokes"),
    # patch_size 7 (15×15 patches) is the setting of issue 10's measurement on 1280 px photos.
    "patchmatch": ClassicalMethod(_patchmatch, 7, "patch_size", WHOLE_PHOTO, _require_patchmatch,
                                  description="PatchMatch (pypatchmatch)", label="PatchMatch"),
}


def classical_method(method: str) -> ClassicalMethod:
    """The registry entry of ``method``; :class:`InpaintError` for an unknown name."""
    try:
        return CLASSICAL_METHODS[method]
    except KeyError:
        raise InpaintError(f"unknown classical method {method!r}: use {', '.join(CLASSICAL_METHODS)}") from None


def classical_fill(image: np.ndarray, mask: np.ndarray, method: str = "telea",
                   radius: int | None = None) -> np.ndarray:
    """Fill the holes of ``image`` with a classical method, on the whole array.

    image: ``uint8`` ``H×W×3`` (or ``H×W``); mask: ``uint8`` ``H×W``, 255 (non-zero) = hole;
    ``radius``: the method's size parameter (None: its default). Returns a new ``uint8`` array
    of the image's shape; known pixels are unchanged.
    """
    spec = classical_method(method)
    spec.check()
    size = spec.default_size if radius is None else int(radius)
    out = spec.fill(image, mask, size)
    hole = mask > 0
    result = image.copy()
    result[hole] = out[hole]  # known pixels are the input's, whatever the method did
    return result
