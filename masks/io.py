"""Read and write mask files.

:func:`load_mask` accepts what users make in an image editor or get from datasets:

* greyscale, RGB, palette, 1-bit or 16-bit PNG/JPEG/BMP/TIFF/WebP: **white (≥ 128) = hole**
  (the IOPaint / lama-cleaner / NVIDIA convention). For colour masks the brightest channel
  decides, so a red or green brush on black also marks a hole.
* images with an alpha channel that is not fully opaque (RGBA, LA, palette with transparency):
  **transparent (alpha < 128) = hole**, the convention of erasing the region in GIMP or
  Photoshop and of the OpenAI image-edit API. A brush painted *opaque* on a transparent layer
  is the opposite convention: load it with ``invert=True``.
* fully opaque RGBA images are treated like RGB.

Values in between are thresholded at 128 (half of the range for 16-bit files). JPEG masks are
fine because of the threshold. EXIF orientation is applied, as for photos.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from masks.atomic import write_bytes_atomic
from masks.core import check_mask, from_bool
from masks.errors import MaskError

MASK_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def image_hole(img: Image.Image) -> np.ndarray:
    """bool ``H×W`` hole (True) of a PIL mask image, with the conventions of :func:`load_mask`
    (no EXIF rotation: the image is taken as it is)."""
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        alpha = np.asarray(img.getchannel("A"))
        if alpha.min() < 255:
            return alpha < 128
        img = img.convert("RGB" if img.mode in ("RGBA", "RGBa") else "L")
    if img.mode == "1":
        return np.asarray(img, dtype=bool).copy()
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img)
        top = 65535 if img.mode != "I" or arr.max() > 255 else 255
        return arr >= (top + 1) // 2
    if img.mode == "F":
        arr = np.asarray(img)
        return arr >= (0.5 if arr.max() <= 1.0 else 128)
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    arr = np.asarray(img)
    if arr.ndim == 3:
        arr = arr.max(axis=2)
    return arr >= 128


def too_large() -> str:
    """Why Pillow refused an image (``DecompressionBombError``, which is not an ``OSError``)."""
    return (f"too large: more than twice Pillow's limit of {Image.MAX_IMAGE_PIXELS:,} pixels "
            "(PIL.Image.MAX_IMAGE_PIXELS, a guard against decompression bombs; raise it for a file you trust)")


def load_mask(path, invert: bool = False) -> np.ndarray:
    """Read a mask file → uint8 ``H×W`` with 255 = hole, 0 = known (see module docstring).

    ``invert=True`` swaps hole and known (for black-hole masks or painted alpha layers).
    Any unreadable file raises a one-line :class:`MaskError` naming it.
    """
    path = Path(path)
    try:
        return _read(path, path, invert)
    except FileNotFoundError:
        raise MaskError(f"mask file not found: {path}") from None
    except IsADirectoryError:
        raise MaskError(f"mask path is a folder, not a file: {path}") from None


def read_mask(fh: BinaryIO, name: str, invert: bool = False) -> np.ndarray:
    """:func:`load_mask` for an open binary file (an upload, say); ``name`` labels it in messages."""
    return _read(fh, name, invert)


def _read(source, name, invert: bool) -> np.ndarray:
    try:
        with Image.open(source) as img:
            img = ImageOps.exif_transpose(img)
            hole = image_hole(img)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except UnidentifiedImageError:
        raise MaskError(f"not an image file: {name}") from None
    except Image.DecompressionBombError:
        raise MaskError(f"cannot read mask {name}: {too_large()}") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise MaskError(f"cannot read mask {name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if hole.ndim != 2 or hole.size == 0:
        raise MaskError(f"cannot read mask {name}: unexpected shape {hole.shape}")
    return from_bool(~hole if invert else hole)


def encode_png(mask: np.ndarray) -> bytes:
    """uint8 {0, 255} mask → PNG bytes (greyscale, deterministic)."""
    ok, buf = cv2.imencode(".png", mask)
    if not ok:  # pragma: no cover - OpenCV only fails on invalid arrays, checked by callers
        raise MaskError("could not encode the mask as PNG")
    return buf.tobytes()


def validate_mask_array(mask) -> np.ndarray:
    """MaskError unless ``mask`` is a 2-D uint8 {0, 255} (or bool) array; returns uint8."""
    check_mask(mask)
    if mask.size == 0:
        raise MaskError("cannot save an empty mask")
    if mask.dtype == bool:
        return from_bool(mask)
    if mask.dtype != np.uint8:
        raise MaskError(f"a mask must be uint8 with values 0/255 (or bool), got dtype {mask.dtype}")
    if np.count_nonzero((mask != 0) & (mask != 255)):
        raise MaskError("a mask must only hold 0 (known) and 255 (hole); threshold it first")
    return mask


def save_mask(path, mask: np.ndarray) -> None:
    """Write ``mask`` (uint8 H×W {0, 255}, or bool) as a greyscale PNG, atomically:
    a temporary file in the same folder, then ``os.replace`` onto ``path``."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise MaskError(f"masks are saved as PNG; use a .png file name, got {path.name}")
    data = encode_png(validate_mask_array(mask))
    if path.is_dir():
        raise MaskError(f"cannot write mask: {path} is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise MaskError(f"cannot write mask: folder {folder} does not exist")
    write_bytes_atomic(path, data)
