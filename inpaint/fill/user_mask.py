"""Fit a user's mask to the photo it is for: read the file (one-line errors naming it), size
check (with the EXIF hint), optional nearest-neighbour resize and dilation. Shared by
``inpaint fill``, :class:`inpaint.api.Inpainter` and ``inpaint serve``; the rules live here,
not in the commands. Masks are ``uint8`` ``H×W``, 255 = hole."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from inpaint.errors import ImageError
from inpaint.exif import orientation_mismatch
from inpaint.fill.settings import MAX_DILATE
from inpaint.imageio import Photo
from masks import load_mask
from masks.errors import MaskError

RESIZE_HINT = "use --resize-mask to scale it"  # how a CLI user asks for a resize


def read_mask_file(path: Path, invert: bool = False) -> np.ndarray:
    """A mask file → ``uint8`` ``H×W`` (255 = hole); every failure is a :class:`MaskError`
    whose line says it is about the mask and names the file."""
    try:
        return load_mask(path, invert=invert)
    except MaskError as exc:
        message = str(exc)
        if "mask" not in message:
            message = f"cannot read mask{'' if str(path) in message else f' {path}'}: {message}"
        raise MaskError(message) from None


def dilate_mask(mask: np.ndarray, dilate: int) -> np.ndarray:
    """Grow the holes of ``mask`` by ``dilate`` px (a disc), 0 ≤ ``dilate`` ≤ :data:`MAX_DILATE`."""
    if not 0 <= int(dilate) <= MAX_DILATE:
        raise ImageError(f"dilate must be 0–{MAX_DILATE} px, got {dilate}")
    if dilate == 0:
        return mask
    k = 2 * int(dilate) + 1
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))


def fit_mask(mask: np.ndarray, photo: Photo, name: str, resize: bool = False, dilate: int = 0,
             resize_hint: str = RESIZE_HINT) -> np.ndarray:
    """``mask`` (``uint8`` H×W, 255 = hole) made to fit ``photo`` (loaded as displayed).

    A mask of another size is an :class:`ImageError` (ending with ``resize_hint``) unless
    ``resize``; when its sides are the photo's swapped by EXIF rotation the message says so
    (resizing would distort it)."""
    return fit_mask_to(mask, photo.size, name, resize, dilate, resize_hint, photo.orientation)


def fit_mask_to(mask: np.ndarray, size: tuple[int, int], name: str, resize: bool = False, dilate: int = 0,
                resize_hint: str = RESIZE_HINT, orientation: int = 1) -> np.ndarray:
    """:func:`fit_mask` for a photo of ``size`` (height, width) with EXIF ``orientation``."""
    if mask.shape != size:
        rotated = orientation_mismatch(size, mask.shape, orientation, displayed=True)
        if rotated:
            raise ImageError(f"mask {name}: {rotated}")
        if not resize:
            raise ImageError(f"mask {name} is {mask.shape[1]}×{mask.shape[0]} but the photo is "
                             f"{size[1]}×{size[0]} ({resize_hint})")
        mask = cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_NEAREST)
    return np.ascontiguousarray(dilate_mask(mask, dilate))
