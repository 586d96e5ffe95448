"""Image folders for training: file discovery, validation split, photo loading and cropping.

Every random choice of a sample (scale, crop, flip, mask) comes from
``numpy.random.default_rng([seed, epoch, index])``, so a run is reproducible whatever the number
of loader workers or processes, and resuming mid-epoch replays exactly the same samples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from inpaint.errors import ImageError, TrainingError
from inpaint.imageio import PHOTO_SUFFIXES, decode_rgb

IMAGE_SUFFIXES = PHOTO_SUFFIXES
SPLIT_SALT = b"inpaint-val-split-v1"  # fixed: the split never depends on --seed
# What PIL raises for files that are not (complete, sane) images.
# (ImageError: a mode fill refuses too, such as 32-bit float.)
_READ_ERRORS = (OSError, UnidentifiedImageError, SyntaxError, Image.DecompressionBombError, ImageError)


def list_images(root: str | Path) -> list[Path]:
    """All image files under ``root`` (recursive, suffix case-insensitive), sorted."""
    root = Path(root)
    if not root.exists():
        raise TrainingError(f"data folder not found: {root}")
    if not root.is_dir():
        raise TrainingError(f"data path is not a folder: {root}")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise TrainingError(f"no images ({', '.join(s[1:] for s in IMAGE_SUFFIXES)}) found under {root}")
    return files


def is_validation(path: Path, root: Path, val_fraction: float) -> bool:
    """Stable membership test: hash of the path relative to the data folder."""
    rel = path.relative_to(root).as_posix().encode("utf-8")
    digest = hashlib.sha256(SPLIT_SALT + rel).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < val_fraction


def split_files(files: list[Path], root: str | Path, val_fraction: float) -> tuple[list[Path], list[Path]]:
    """Deterministic disjoint (train, val) split of a sorted file list. Adding photos later never
    moves an existing photo between the sets. With at least 2 files and a positive fraction the
    validation set holds at least one file and the training set at least one."""
    root = Path(root)
    in_val = [is_validation(p, root, val_fraction) for p in files]
    val = [p for p, v in zip(files, in_val) if v]
    train = [p for p, v in zip(files, in_val) if not v]
    if val_fraction > 0 and not val and len(train) >= 2:
        val, train = train[-1:], train[:-1]
    if not train:  # everything hashed into validation: training needs the photos more
        train, val = (val[:-1], val[-1:]) if len(val) >= 2 else (val, [])
    return train, val


def load_rgb(path: str | Path, draft_size: tuple[int, int] | None = None) -> Image.Image:
    """Open any photo (palette, RGBA, grey, 16-bit, CMYK, EXIF-rotated) as an RGB PIL image,
    decoded exactly as ``inpaint fill`` decodes it (:func:`inpaint.imageio.decode_rgb`).

    ``draft_size`` lets JPEG decoding downscale by 2/4/8 for free when the target is small.
    """
    return Image.fromarray(decode_rgb(path, draft_size))


def probe_readable(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """Split files into (readable, unreadable) by parsing their headers (cheap, no decoding)."""
    good, bad = [], []
    for path in files:
        try:
            with Image.open(path) as img:
                img.size  # header parsed by open(); size forces nothing heavy
            good.append(path)
        except _READ_ERRORS + (ValueError,):
            bad.append(path)
    return good, bad


def readable_images(root: str | Path) -> tuple[list[Path], list[Path]]:
    """(readable, unreadable) images under ``root``; TrainingError when none is readable.

    Callers report the unreadable ones once (a count and the first path), never per file.
    """
    files = list_images(root)
    good, bad = probe_readable(files)
    if not good:
        raise TrainingError(f"none of the {len(files)} image file(s) under {root} could be read")
    return good, bad


@dataclass(frozen=True)
class CropSpec:
    """A square crop: scale the short side to ``short`` px, take ``size``² at (top, left), flip."""

    short: int
    top: int
    left: int
    size: int
    flip: bool


def random_crop_spec(width: int, height: int, size: int, scale: tuple[int, int],
                     rng: np.random.Generator) -> CropSpec:
    short = int(rng.integers(scale[0], scale[1] + 1))
    short = max(short, size)  # photos smaller than the crop are up-scaled to fit it
    w, h = _scaled(width, height, short)
    top = int(rng.integers(0, h - size + 1))
    left = int(rng.integers(0, w - size + 1))
    return CropSpec(short, top, left, size, bool(rng.random() < 0.5))


def center_crop_spec(width: int, height: int, size: int, short: int) -> CropSpec:
    short = max(short, size)
    w, h = _scaled(width, height, short)
    return CropSpec(short, (h - size) // 2, (w - size) // 2, size, False)


def _scaled(width: int, height: int, short: int) -> tuple[int, int]:
    s = short / min(width, height)
    return max(short, round(width * s)), max(short, round(height * s))


def apply_crop(img: Image.Image, orig_size: tuple[int, int], spec: CropSpec) -> np.ndarray:
    """Resample only the crop window (PIL ``box``), not the whole scaled photo → ``uint8`` S×S×3.

    ``orig_size`` is the photo's full-resolution size the spec was drawn for; ``img`` may be a
    JPEG draft at a smaller size.
    """
    s = spec.short / min(orig_size)
    fx, fy = img.width / orig_size[0], img.height / orig_size[1]
    # The scaled size was rounded: clamp the window to the photo (a sub-pixel shift at most).
    x0, y0 = min(spec.left / s * fx, img.width), min(spec.top / s * fy, img.height)
    x1 = min((spec.left + spec.size) / s * fx, img.width)
    y1 = min((spec.top + spec.size) / s * fy, img.height)
    out = img.resize((spec.size, spec.size), Image.BICUBIC, box=(x0, y0, x1, y1))
    arr = np.array(out, dtype=np.uint8)  # a writable copy (torch.from_numpy warns on read-only)
    if spec.flip:
        arr = arr[:, ::-1]
    return np.ascontiguousarray(arr)


def photo_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        w, h = img.size
        orientation = img.getexif().get(0x0112, 1) if hasattr(img, "getexif") else 1
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def load_crop(path: Path, spec_fn) -> np.ndarray:
    """Open ``path``, draw a crop spec with ``spec_fn(width, height)``, return the uint8 crop."""
    size = photo_size(path)
    spec = spec_fn(*size)
    s = spec.short / min(size)
    side = max(1, int(max(size) * s))  # square: the draft is taken before EXIF rotation
    draft = (side, side)
    img = load_rgb(path, draft_size=draft)
    return apply_crop(img, size, spec)
