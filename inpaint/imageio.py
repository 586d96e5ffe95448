"""Read and write user photos for filling, keeping what the user had.

Every photo is reduced to what a filler sees — ``rgb``: ``uint8`` ``H×W×3`` — plus what is
needed to give it back in its own form (:class:`Photo`). :func:`rebuild` then writes the
filled pixels into the *original* representation and copies every known pixel (mask 0) from
the source, so known pixels are bit-exact whatever the mode:

* RGB / RGBA: alpha channel copied untouched (holes keep their alpha too).
* L / LA / 1: filled on a grey→RGB copy, returned grey (the fill's channel mean).
* 16-bit greyscale (``I;16``, ``I`` with values ≤ 65535): known pixels keep their full 16-bit
  value; hole pixels get the 8-bit fill × 257. Saved as a 16-bit PNG.
* P (palette): hole pixels are mapped to the nearest colour of the photo's own palette; known
  pixels keep their exact palette index.
* 16-bit colour PNGs: read at 8 bits per channel by Pillow (noted); output is 8-bit.
* CMYK, YCbCr, LAB, HSV: converted to RGB (noted); output is RGB.
* 32-bit float (``F``) and 32-bit integer beyond 16 bits: refused (ImageError).

EXIF orientation is applied on load (the mask must match the photo as it is displayed); the
EXIF block (orientation reset) and ICC profile are written back on save where the format allows.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from inpaint.atomic import atomic_open
from inpaint.errors import ImageError
from inpaint.exif import orientation_of
from masks.io import too_large

# output extension -> PIL format; PNG is the lossless default.
SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF",
                ".webp": "WEBP", ".bmp": "BMP"}
# formats whose encoding changes pixels (WebP is written lossless)
LOSSY_FORMATS = ("JPEG",)
# zlib level of written PNGs. Pillow's default (6) spent 2.9 s on a 12-MP photo here; level 4
# takes 1.1 s for a 4 % larger file (1.6× faster, +1.2 % over ten photos of 0.3-12 MP).
PNG_COMPRESS_LEVEL = 4
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp")
_CONVERTED_MODES = ("CMYK", "YCbCr", "LAB", "HSV", "RGBX", "RGBa", "La", "PA")


@dataclass
class Photo:
    """A photo ready to fill. ``rgb`` is ``uint8`` ``H×W×3``; the rest restores the source form."""

    rgb: np.ndarray
    mode: str                                  # output PIL mode
    alpha: np.ndarray | None = None            # uint8 H×W, copied back untouched
    grey16: np.ndarray | None = None           # uint16 H×W source of a 16-bit greyscale photo
    palette: Image.Image | None = None         # source P image (palette + indices)
    info: dict = field(default_factory=dict)   # exif / icc_profile / dpi / transparency
    notes: list = field(default_factory=list)
    orientation: int = 1                       # EXIF orientation of the source (already applied)

    @property
    def size(self) -> tuple[int, int]:
        """(height, width)."""
        return self.rgb.shape[0], self.rgb.shape[1]


def _grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    return np.repeat(grey[:, :, None], 3, axis=2)


def _metadata(img: Image.Image) -> dict:
    info = {}
    for key in ("icc_profile", "dpi", "transparency"):
        if img.info.get(key) is not None:
            info[key] = img.info[key]
    exif = img.getexif()
    if len(exif):
        info["exif"] = exif.tobytes()
    return info


def photo_from_pil(img: Image.Image, exif_transpose: bool = True) -> Photo:
    """Decompose a PIL image (EXIF orientation applied unless told not to)."""
    orientation = orientation_of(img) if exif_transpose else 1
    if exif_transpose:
        img = ImageOps.exif_transpose(img)  # also resets the Orientation tag
    photo = _decompose(img)
    photo.orientation = orientation
    return photo


def _decompose(img: Image.Image) -> Photo:
    info, notes, mode = _metadata(img), [], img.mode
    if mode in _CONVERTED_MODES:
        with_alpha = mode in ("RGBa", "La", "PA")
        notes.append(f"{mode} image converted to RGB{'A' if with_alpha else ''}")
        img = img.convert("RGBA" if with_alpha else "RGB")
        mode = img.mode
    if mode == "RGB":
        return Photo(np.asarray(img, dtype=np.uint8).copy(), "RGB", info=info, notes=notes)
    if mode == "RGBA":
        arr = np.asarray(img, dtype=np.uint8)
        return Photo(arr[:, :, :3].copy(), "RGBA", alpha=arr[:, :, 3].copy(), info=info, notes=notes)
    if mode in ("L", "1"):
        grey = np.asarray(img.convert("L"), dtype=np.uint8)
        return Photo(_grey_to_rgb(grey), mode, info=info, notes=notes)
    if mode == "LA":
        arr = np.asarray(img, dtype=np.uint8)
        return Photo(_grey_to_rgb(arr[:, :, 0]), "LA", alpha=arr[:, :, 1].copy(), info=info, notes=notes)
    if mode == "P":
        rgb = np.asarray(img.convert("RGB"), dtype=np.uint8).copy()
        notes.append("palette image: filled pixels use the nearest colour of its palette")
        return Photo(rgb, "P", palette=img.copy(), info=info, notes=notes)
    if mode.startswith("I"):
        arr = np.asarray(img)
        if arr.ndim != 2 or (arr.size and (arr.min() < 0 or arr.max() > 65535)):
            raise ImageError(f"{mode} images beyond 16 bits per pixel are not supported")
        grey16 = arr.astype(np.uint16)
        grey8 = ((grey16.astype(np.uint32) + 128) // 257).astype(np.uint8)
        notes.append("16-bit greyscale: known pixels kept at 16 bits, holes filled at 8-bit precision")
        out_mode = "I" if mode == "I" else "I;16"
        return Photo(_grey_to_rgb(grey8), out_mode, grey16=grey16, info=info, notes=notes)
    raise ImageError(f"unsupported image mode {mode!r} (use an 8-bit RGB, RGBA, greyscale or palette image)")


def _is_16bit_colour_png(head: bytes) -> bool:
    """Pillow silently reads 16-bit RGB(A) PNGs at 8 bits; detect them from the PNG header
    (the first 26 bytes of the file)."""
    return head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 26 and head[24] == 16 and head[25] in (2, 6)


def load_photo(path: str | os.PathLike) -> Photo:
    """Open a photo file; any failure is a one-line :class:`ImageError`."""
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"photo not found: {path}")
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise ImageError(f"cannot read photo {path}: {exc.__class__.__name__}: not an image or corrupt") from None
    with fh:
        return read_photo(fh, str(path))


def read_photo(fh: BinaryIO, name: str) -> Photo:
    """A photo from an open binary file (seekable; a file on disk or an upload), EXIF
    orientation applied; ``name`` labels it in messages. Any failure is a one-line
    :class:`ImageError`."""
    try:
        head = fh.read(26)
        fh.seek(0)
        with Image.open(fh) as img:
            img.load()
            photo = photo_from_pil(img)
        if _is_16bit_colour_png(head):
            photo.notes.append("16-bit colour PNG read and written at 8 bits per channel")
        return photo
    except ImageError as exc:
        raise ImageError(f"{name}: {exc}") from None
    except Image.DecompressionBombError:
        raise ImageError(f"cannot read photo {name}: {too_large()}") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"cannot read photo {name}: {exc.__class__.__name__}: not an image or corrupt") from None


def decode_rgb(path: str | os.PathLike, draft_size: tuple[int, int] | None = None) -> np.ndarray:
    """The ``uint8`` ``H×W×3`` pixels a filler sees of the photo file ``path`` (EXIF applied,
    the same mode rules as :func:`load_photo`: alpha set aside, 16-bit grey rounded to 8 bits,
    CMYK converted...). Training decodes its photos with this, so it sees photos as fill does.

    ``draft_size`` lets JPEG decoding downscale by 2/4/8 for free when the target is small.
    Raises what PIL raises for unreadable files, and :class:`ImageError` for refused modes."""
    with Image.open(path) as img:
        if draft_size is not None and img.format == "JPEG":
            img.draft("RGB", draft_size)
        img.load()
        return photo_from_pil(img).rgb


def photo_from_array(array: np.ndarray) -> Photo:
    """numpy ``H×W`` / ``H×W×3`` / ``H×W×4`` ``uint8`` (or ``H×W`` ``uint16``) → Photo."""
    array = np.asarray(array)
    if array.dtype == np.uint16 and array.ndim == 2:
        return photo_from_pil(Image.fromarray(array), exif_transpose=False)
    if array.dtype != np.uint8:
        raise ImageError(f"image arrays must be uint8 (or uint16 greyscale), got {array.dtype}")
    if array.ndim == 2:
        return Photo(_grey_to_rgb(array), "L")
    if array.ndim == 3 and array.shape[2] == 3:
        return Photo(array.copy(), "RGB")
    if array.ndim == 3 and array.shape[2] == 4:
        return Photo(array[:, :, :3].copy(), "RGBA", alpha=array[:, :, 3].copy())
    raise ImageError(f"image arrays must be H×W, H×W×3 or H×W×4, got shape {array.shape}")


def _grey_of(rgb: np.ndarray) -> np.ndarray:
    return np.round(rgb.astype(np.float32).mean(axis=2)).astype(np.uint8)


def rebuild_array(photo: Photo, filled: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The filled photo as a numpy array in the source form; known pixels copied from the source."""
    hole = mask > 0
    if photo.grey16 is not None:
        out = photo.grey16.copy()
        out[hole] = _grey_of(filled)[hole].astype(np.uint16) * 257
        return out
    if photo.mode in ("L", "LA", "1"):
        grey = photo.rgb[:, :, 0].copy()
        grey[hole] = _grey_of(filled)[hole]
        if photo.mode == "1":
            grey = np.where(grey >= 128, 255, 0).astype(np.uint8)
            grey[~hole] = photo.rgb[:, :, 0][~hole]
        return grey if photo.alpha is None else np.dstack([grey, photo.alpha])
    rgb = photo.rgb.copy()
    rgb[hole] = filled[hole]
    return rgb if photo.alpha is None else np.dstack([rgb, photo.alpha])


def rebuild(photo: Photo, filled: np.ndarray, mask: np.ndarray) -> Image.Image:
    """The filled photo as a PIL image of the source mode (metadata in ``img.info``)."""
    arr = rebuild_array(photo, filled, mask)
    if photo.mode == "P":
        src = photo.palette
        quant = Image.fromarray(arr, "RGB").quantize(palette=src, dither=Image.Dither.NONE)
        index = np.asarray(quant, dtype=np.uint8).copy()
        known = mask == 0
        index[known] = np.asarray(src, dtype=np.uint8)[known]
        img = Image.fromarray(index, "P")
        img.putpalette(src.getpalette(rawmode="RGB"))
    elif photo.grey16 is not None:
        img = Image.fromarray(arr.astype(np.uint16))
        img = img.convert("I") if photo.mode == "I" else img
    elif photo.mode == "1":
        img = Image.fromarray(arr, "L").convert("1", dither=Image.Dither.NONE)
    else:
        img = Image.fromarray(arr, photo.mode)
    img.info.update(photo.info)
    return img


def _save_kwargs(fmt: str, img: Image.Image, info: dict, jpeg_quality: int) -> dict:
    kwargs = {}
    if info.get("exif") and fmt in ("PNG", "JPEG", "TIFF", "WEBP"):
        kwargs["exif"] = info["exif"]
    if info.get("icc_profile") and fmt in ("PNG", "JPEG", "TIFF", "WEBP"):
        kwargs["icc_profile"] = info["icc_profile"]
    if info.get("dpi") and fmt in ("PNG", "JPEG", "TIFF"):
        kwargs["dpi"] = info["dpi"]
    if "transparency" in info and img.mode in ("P", "L", "RGB") and fmt == "PNG":
        kwargs["transparency"] = info["transparency"]
    if fmt == "PNG":
        kwargs["compress_level"] = PNG_COMPRESS_LEVEL
    if fmt == "JPEG":
        kwargs.update(quality=jpeg_quality, subsampling=0 if jpeg_quality >= 90 else -1)
    if fmt == "WEBP":
        # lossless, so known pixels stay bit-exact as in PNG/TIFF; exact: keep the colour of
        # fully transparent pixels too (the encoder may otherwise change them)
        kwargs.update(lossless=True, exact=True)
    return kwargs


def output_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise ImageError(f"cannot write {Path(path).name}: unknown extension {suffix or '(none)'} "
                         f"(use {', '.join(sorted(SAVE_FORMATS))})")
    return SAVE_FORMATS[suffix]


def save_image(img: Image.Image, path: str | os.PathLike, jpeg_quality: int = 95,
               overwrite: bool = False) -> list[str]:
    """Write ``img`` atomically in the format of ``path``'s extension; returns notes.

    Refuses to replace an existing file unless ``overwrite``; refuses lossy conversions that
    would drop data (alpha or 16 bits into JPEG)."""
    path = Path(path)
    fmt = output_format(path)
    if path.exists() and not overwrite:
        raise ImageError(f"{path} already exists (use --overwrite to replace it)")
    if not path.parent.is_dir():
        raise ImageError(f"output folder does not exist: {path.parent}")
    notes = []
    if fmt in ("JPEG", "BMP"):
        if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
            raise ImageError(f"{path.name}: {fmt} cannot store the alpha channel; write a .png instead")
        if img.mode in ("I;16", "I"):
            raise ImageError(f"{path.name}: {fmt} cannot store 16-bit pixels; write a .png or .tif instead")
        if img.mode == "P" and fmt == "JPEG":
            img = img.convert("RGB")
            notes.append("palette image written as RGB JPEG")
    if fmt == "WEBP":
        if img.mode in ("I;16", "I"):
            raise ImageError(f"{path.name}: WebP cannot store 16-bit pixels; write a .png or .tif instead")
        if img.mode in ("1", "L", "LA", "P"):
            notes.append(f"{path.name}: WebP has no {img.mode} mode, so the image is written as RGB"
                         f"{'A' if img.mode in ('LA', 'P') and img.has_transparency_data else ''} "
                         "(same pixel values)")
    if fmt in LOSSY_FORMATS:
        notes.append(f"{path.name}: {fmt} is lossy, so known pixels change slightly too; for bit-exact "
                     "known pixels write .png, .tif or .webp (lossless)")
    try:
        with atomic_open(path) as fh:
            write_image(img, fh, fmt, jpeg_quality)
    except ImageError as exc:
        raise ImageError(f"cannot write {path.name} as {fmt}: {exc}") from None
    return notes


def write_image(img: Image.Image, fh: BinaryIO, fmt: str = "PNG", jpeg_quality: int = 95) -> None:
    """Encode ``img`` (already checked by :func:`save_image`'s rules, or a PNG) into ``fh`` with
    its metadata (EXIF, ICC profile, dpi, transparency) where ``fmt`` can hold it."""
    if img.mode == "I" and fmt == "PNG":
        # PNG has no 32-bit mode; the values fit in 16 bits (larger ones are refused on load)
        info = img.info
        img = Image.fromarray(np.asarray(img).astype(np.uint16))
        img.info.update(info)
    try:
        img.save(fh, format=fmt, **_save_kwargs(fmt, img, img.info, jpeg_quality))
    except (ValueError, TypeError) as exc:
        raise ImageError(str(exc)) from None


def encode_png(img: Image.Image) -> bytes:
    """``img`` as PNG bytes (lossless: known pixels, alpha, 16 bits, palette, EXIF and ICC kept),
    with the same rules as a ``.png`` written by :func:`save_image`."""
    buffer = io.BytesIO()
    write_image(img, buffer, "PNG")
    return buffer.getvalue()
