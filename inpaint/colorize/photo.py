"""A decoded photo (:class:`inpaint.imageio.Photo`, read exactly as ``inpaint fill`` reads it:
EXIF orientation applied, alpha / grey / 16 bits / palette set aside) → what the engines take,
and their result → the image to write.

* Colourisation takes the luminance: a grey photo's own grey value (a 16-bit grey photo at its
  full precision, ÷ 257), a colour photo's BT.601 luminance (its colours are not used; noted).
* Outputs are 8-bit RGB, or RGBA when the photo had an alpha channel (copied untouched; a
  palette photo's transparency becomes one). 16-bit input is noted: the output has 8 bits per
  channel. EXIF (orientation reset), dpi and an RGB ICC profile are kept; a grey ICC profile
  does not describe an RGB image and is dropped.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from inpaint.color import luminance
from inpaint.colorize.scaling import by_strips
from inpaint.imageio import Photo, encode_png, read_photo

GREY_MODES = ("L", "LA", "1", "I", "I;16")
ICC_COLOUR_SPACE = slice(16, 20)  # bytes of an ICC header naming the profile's colour space


def is_grey(photo: Photo) -> bool:
    return photo.mode in GREY_MODES or photo.grey16 is not None


def photo_luminance(photo: Photo) -> np.ndarray:
    """``H×W`` float32 luminance, 0–255 (see the module docstring)."""
    if photo.grey16 is not None:
        return photo.grey16.astype(np.float32) / 257.0
    if is_grey(photo):
        return photo.rgb[:, :, 0].astype(np.float32)
    y = np.empty(photo.rgb.shape[:2], np.float32)

    def work(rows):
        y[rows] = luminance(photo.rgb[rows])

    by_strips(y.shape[0], work)
    return y


def _has_colour(rgb: np.ndarray) -> bool:
    step = max(1, rgb.shape[0] // 256)  # a sample of rows is enough to tell
    sample = rgb[::step].astype(np.int16)
    return bool(np.abs(sample[:, :, 0] - sample[:, :, 1]).max(initial=0) > 2
                or np.abs(sample[:, :, 1] - sample[:, :, 2]).max(initial=0) > 2)


def input_notes(photo: Photo, task: str) -> list[str]:
    """The photo's own notes, reworded where the output differs from ``fill``'s."""
    notes = [n for n in photo.notes if not n.startswith(("16-bit greyscale", "palette image"))]
    if photo.grey16 is not None:
        notes.append("16-bit greyscale: written as 8-bit RGB (colour PNGs hold 8 bits per channel here)"
                     if task == "colorize" else "16-bit greyscale: translated and written at 8 bits per channel")
    if photo.palette is not None:
        notes.append("palette image: written as RGB (a palette cannot hold the new colours)")
    if task == "colorize" and not is_grey(photo) and _has_colour(photo.rgb):
        notes.append("a colour photo: colourised from its luminance (its own colours are not used)")
    return notes


def _alpha(photo: Photo) -> np.ndarray | None:
    if photo.alpha is not None:
        return photo.alpha
    if photo.palette is not None and photo.palette.has_transparency_data:
        return np.asarray(photo.palette.convert("RGBA"), dtype=np.uint8)[:, :, 3].copy()
    return None


def _info(photo: Photo) -> dict:
    info = {k: v for k, v in photo.info.items() if k in ("exif", "dpi")}
    icc = photo.info.get("icc_profile")
    if icc and icc[ICC_COLOUR_SPACE] == b"RGB ":
        info["icc_profile"] = icc
    return info


def output_image(photo: Photo, rgb: np.ndarray) -> Image.Image:
    """The engine's ``uint8`` ``H×W×3`` result as the image to write (RGB, or RGBA with the
    photo's alpha), with the photo's metadata that still applies in ``img.info``."""
    alpha = _alpha(photo)
    img = Image.fromarray(rgb, "RGB") if alpha is None else Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    img.info.update(_info(photo))
    return img


def colorize_photo(engine, photo: Photo) -> tuple[Image.Image, list[str]]:
    """Colourise ``photo`` with a :class:`inpaint.colorize.engine.ColorizeEngine` →
    (the image to write, notes)."""
    rgb = engine.colorize_luminance(photo_luminance(photo))
    return output_image(photo, rgb), input_notes(photo, "colorize")


def translate_photo(engine, photo: Photo) -> tuple[Image.Image, list[str]]:
    """Translate ``photo`` (a grey one as grey RGB) with a
    :class:`inpaint.colorize.translate.TranslateEngine` → (the image to write, notes)."""
    return output_image(photo, engine.translate(photo.rgb)), input_notes(photo, "paired")


def colorize_upload(engine, fh, name: str = "image") -> tuple[bytes, list[str]]:
    """Colourise an uploaded photo (an open binary file; nothing touches a path) → (the result as
    PNG bytes, notes): ``inpaint serve``'s colourisation, read and written by ``inpaint colorize``'s rules."""
    image, notes = colorize_photo(engine, read_photo(fh, name))
    return encode_png(image), notes
