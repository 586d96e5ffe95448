"""One fill pipeline for every front end: photo + user mask → mask fitted to the photo
(:mod:`inpaint.fill.user_mask`) → filler → the photo rebuilt in its own form (alpha, grey,
16-bit, palette, EXIF kept; known pixels bit-exact) → a file (``inpaint fill``, batches) or
PNG bytes (``inpaint serve``).

``painter`` is an :class:`inpaint.api.Inpainter` (anything with ``fill_photo(photo, mask)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np
from PIL import Image

from inpaint.fill.compare import compare_image
from inpaint.fill.settings import FillSettings
from inpaint.fill.user_mask import RESIZE_HINT, fit_mask, read_mask_file
from inpaint.imageio import Photo, encode_png, load_photo, read_photo, rebuild, save_image
from masks.io import read_mask


@dataclass
class Filled:
    """A filled photo: ``image`` in the source's form (metadata in ``image.info``), the fitted
    ``mask`` (``uint8`` H×W, 255 = hole), the filler's ``rgb`` view and ``notes`` for the user."""

    photo: Photo
    mask: np.ndarray
    rgb: np.ndarray
    image: Image.Image
    notes: list[str] = field(default_factory=list)


def fill_fitted(painter, photo: Photo, mask: np.ndarray, mask_name: str) -> Filled:
    """Fill ``photo`` with a ``mask`` that already fits it."""
    notes = list(photo.notes)
    if not mask.any():
        notes.append(f"mask {mask_name} is empty: the output equals the input")
    rgb = painter.fill_photo(photo, mask)
    return Filled(photo, mask, rgb, rebuild(photo, rgb, mask), notes)


def fill_file(painter, photo_path: Path, mask_path: Path, out: Path, compare: Path | None,
              settings: FillSettings, wrote: Callable[[Path], None]) -> list[str]:
    """Fill one photo file and write it (and the comparison), calling ``wrote(path)`` after each
    file is in place (a failing comparison must not hide that the fill was written); returns notes."""
    photo = load_photo(photo_path)
    mask = fit_mask(read_mask_file(mask_path, settings.invert), photo, mask_path.name,
                    settings.resize_mask, settings.dilate)
    result = fill_fitted(painter, photo, mask, mask_path.name)
    notes = result.notes + save_image(result.image, out, settings.jpeg_quality, settings.overwrite)
    wrote(out)
    if compare is not None:
        save_image(compare_image(photo.rgb, mask, result.rgb), compare, overwrite=settings.overwrite)
        wrote(compare)
    return notes


def fill_upload(painter, image: BinaryIO, mask: BinaryIO, settings: FillSettings,
                resize_hint: str = RESIZE_HINT) -> tuple[bytes, list[str]]:
    """Fill an uploaded photo with an uploaded mask (open binary files; nothing touches a path)
    → (the filled photo as PNG bytes, notes). The mask follows the mask-file rules."""
    photo = read_photo(image, "image")
    fitted = fit_mask(read_mask(mask, "mask", settings.invert), photo, "mask", settings.resize_mask,
                      settings.dilate, resize_hint)
    result = fill_fitted(painter, photo, fitted, "mask")
    return encode_png(result.image), result.notes
