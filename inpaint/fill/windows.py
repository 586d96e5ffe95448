"""Cut a window out of a photo at the model's size, and map a prediction back.

Only the part of the window inside the photo is resized (so a 4096² photo is never padded at
full resolution); the rest of the ``S×S`` model input is reflection padding of that resized
part. :class:`Geometry` remembers where the in-photo part landed so that :func:`map_back`
inverts exactly the same placement.

Down-scaling uses ``cv2.INTER_AREA``; a mask pixel partly covered by hole counts as hole (any
area-averaged hole weight > 0), so the scaled hole is never smaller than the real one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inpaint.fill.planning import Window


@dataclass(frozen=True)
class Geometry:
    """Placement of a window: the photo crop ``[y0:y1, x0:x1]`` lands at
    ``[pt:pt+h, pl:pl+w]`` of the ``size×size`` model input."""

    y0: int
    x0: int
    y1: int
    x1: int
    pt: int
    pl: int
    h: int
    w: int
    size: int


def _span(start: int, side: int, length: int, scale: float, size: int) -> tuple[int, int, int, int]:
    a, b = max(start, 0), min(start + side, length)
    p0 = int(round((a - start) * scale))
    p1 = int(round((b - start) * scale))
    p0 = min(p0, size - 1)
    return a, b, p0, max(1, min(p1, size) - p0)


def geometry(window: Window, height: int, width: int, size: int) -> Geometry:
    scale = size / window.side
    y0, y1, pt, h = _span(window.top, window.side, height, scale, size)
    x0, x1, pl, w = _span(window.left, window.side, width, scale, size)
    return Geometry(y0, x0, y1, x1, pt, pl, h, w, size)


def _resize(array: np.ndarray, width: int, height: int) -> np.ndarray:
    down = width <= array.shape[1] and height <= array.shape[0]
    return cv2.resize(array, (width, height), interpolation=cv2.INTER_AREA if down else cv2.INTER_LINEAR)


def _pad(array: np.ndarray, geo: Geometry, reflect: bool = True) -> np.ndarray:
    pads = [(geo.pt, geo.size - geo.pt - geo.h), (geo.pl, geo.size - geo.pl - geo.w)]
    pads += [(0, 0)] * (array.ndim - 2)
    if not reflect:
        return np.pad(array, pads)
    # 'symmetric' (edge pixel repeated) also works for a 1-px crop and pads larger than the crop.
    return np.pad(array, pads, mode="symmetric")


def extract_image(image: np.ndarray, geo: Geometry) -> np.ndarray:
    """``uint8`` ``H×W×3`` photo → ``uint8`` ``S×S×3`` window."""
    crop = image[geo.y0:geo.y1, geo.x0:geo.x1]
    return _pad(_resize(crop, geo.w, geo.h), geo)


def crop(array: np.ndarray, geo: Geometry) -> np.ndarray:
    """The in-photo part of the window, at photo resolution (a view)."""
    return array[geo.y0:geo.y1, geo.x0:geo.x1]


def extract_mask(hole_crop: np.ndarray, geo: Geometry, reflect: bool = True) -> np.ndarray:
    """bool crop (see :func:`crop`) → bool ``S×S``; any partial hole coverage counts as hole.

    ``reflect``: mirror the mask into the padding like the image (the mirrored pixels are holes
    of the window too); off, the padding is 0 (to locate a hole's own pixels only)."""
    return _pad(_resize(hole_crop.astype(np.float32), geo.w, geo.h) > 1e-6, geo, reflect)


def map_back(window_image: np.ndarray, geo: Geometry) -> np.ndarray:
    """``S×S×C`` model-space array → the photo crop ``(y1-y0)×(x1-x0)×C`` (bilinear / area)."""
    part = window_image[geo.pt:geo.pt + geo.h, geo.pl:geo.pl + geo.w]
    return _resize(part, geo.x1 - geo.x0, geo.y1 - geo.y0)
