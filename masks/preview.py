"""Contact sheets: a grid of mask thumbnails in one PNG, to eyeball a mask dataset."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from masks.atomic import write_bytes_atomic
from masks.errors import MaskError
from masks.io import encode_png, load_mask
from masks.stats import mask_files

BACKGROUND = 96  # grey between cells, so black known regions stay visible


def contact_sheet(masks: list[np.ndarray], columns: int = 8, cell: int = 96, gap: int = 2) -> np.ndarray:
    """Grid of masks (uint8 H×W, 255 = hole shown white) → uint8 greyscale image.

    Each mask is scaled to fit a ``cell``×``cell`` square (aspect kept) on a grey background.
    """
    if not masks:
        raise MaskError("no masks to put on a contact sheet")
    if columns < 1 or cell < 8:
        raise MaskError("contact sheet: columns must be >= 1 and cell >= 8 px")
    columns = min(columns, len(masks))
    rows = -(-len(masks) // columns)
    sheet = np.full((rows * (cell + gap) + gap, columns * (cell + gap) + gap), BACKGROUND, np.uint8)
    for k, mask in enumerate(masks):
        h, w = mask.shape
        f = cell / max(h, w)
        size = (max(1, round(w * f)), max(1, round(h * f)))
        thumb = cv2.resize(mask, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_NEAREST)
        r, c = divmod(k, columns)
        y = gap + r * (cell + gap) + (cell - size[1]) // 2
        x = gap + c * (cell + gap) + (cell - size[0]) // 2
        sheet[y : y + size[1], x : x + size[0]] = thumb
    return sheet


def write_png_atomic(path, image: np.ndarray, overwrite: bool = False) -> None:
    """Write a PNG via a temporary file in the same folder; refuse to replace an existing
    file unless ``overwrite``."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise MaskError(f"previews are PNG files; use a .png name, got {path.name}")
    if path.is_dir():
        raise MaskError(f"preview path is a folder: {path}")
    if path.exists() and not overwrite:
        raise MaskError(f"{path} exists; use --overwrite to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, encode_png(image))


def folder_preview(folder, limit: int = 64, columns: int = 8, cell: int = 96, invert: bool = False) -> np.ndarray:
    """Contact sheet of the first ``limit`` masks (sorted by name) of a folder."""
    if limit < 1:
        raise MaskError(f"limit must be >= 1, got {limit}")
    files = mask_files(folder)[:limit]
    return contact_sheet([load_mask(p, invert=invert) for p in files], columns=columns, cell=cell)
