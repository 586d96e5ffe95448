"""Fit a user's mask file to the photo it is for: size check (with the EXIF hint), optional
nearest-neighbour resize and dilation. Used by ``inpaint fill``; the rules live here, not in
the command."""

from __future__ import annotations

import cv2
import numpy as np

from inpaint.errors import ImageError
from inpaint.exif import orientation_mismatch
from inpaint.imageio import Photo


def fit_mask(mask: np.ndarray, photo: Photo, name: str, resize: bool = False, dilate: int = 0) -> np.ndarray:
    """``mask`` (``uint8`` H×W, 255 = hole) made to fit ``photo`` (loaded as displayed).

    A mask of another size is an :class:`ImageError` unless ``resize``; when its sides are the
    photo's swapped by EXIF rotation the message says so (resizing would distort it)."""
    size = photo.size
    if mask.shape != size:
        rotated = orientation_mismatch(size, mask.shape, photo.orientation, displayed=True)
        if rotated:
            raise ImageError(f"mask {name}: {rotated}")
        if not resize:
            raise ImageError(f"mask {name} is {mask.shape[1]}×{mask.shape[0]} but the photo is "
                             f"{size[1]}×{size[0]} (use --resize-mask to scale it)")
        mask = cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_NEAREST)
    if dilate > 0:
        k = 2 * dilate + 1
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return np.ascontiguousarray(mask)
