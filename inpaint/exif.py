"""EXIF orientation and masks: tell a rotated-photo mistake apart from a plain size mismatch.

Phone photos are often stored rotated, with an EXIF Orientation tag saying how to display them.
Files are filled as displayed (:func:`inpaint.imageio.load_photo` applies the tag), PIL images
as they are. A mask made for the *other* orientation has the photo's size with width and height
swapped; both the CLI and the Python API say so with :func:`orientation_mismatch`.
"""

from __future__ import annotations

from PIL import Image

ORIENTATION_TAG = 0x0112
SWAPS_SIDES = (5, 6, 7, 8)  # orientations that rotate by 90° (possibly mirrored)


def orientation_of(img: Image.Image) -> int:
    """The EXIF orientation of ``img`` (1 = as stored, also when there is no tag)."""
    try:
        return int(img.getexif().get(ORIENTATION_TAG, 1))
    except (TypeError, ValueError):
        return 1


def orientation_mismatch(size: tuple[int, int], mask_shape: tuple[int, ...], orientation: int,
                         displayed: bool) -> str | None:
    """A one-line explanation when ``mask_shape`` is ``size`` (height, width) with its sides
    swapped by EXIF ``orientation``, else ``None``.

    ``displayed``: ``size`` is the photo as displayed (EXIF applied; the mask then matches the
    stored pixels) rather than as stored (the mask then matches the displayed photo)."""
    if mask_shape == size or tuple(mask_shape) != tuple(size[::-1]) or orientation not in SWAPS_SIDES:
        return None
    mh, mw = mask_shape[:2]
    h, w = size
    if displayed:
        return (f"the mask is {mw}×{mh}, the photo's pixels as stored, but the photo is displayed "
                f"{w}×{h} (EXIF orientation {orientation}) and is filled as displayed: make the mask "
                "on the photo as an image viewer shows it (or rotate the mask the same way)")
    return (f"the mask is {mw}×{mh}, the photo as displayed, but its pixels are stored {w}×{h} "
            f"(EXIF orientation {orientation})")
