"""Evaluation cases: every image of a folder paired with its masks.

A :class:`Case` holds one photo (``uint8`` ``H×W×3`` RGB) and one mask (``uint8`` ``H×W``,
255 = hole, 0 = known). Two geometries:

* ``size=N`` — each photo is resized (area interpolation when shrinking, cubic when
  enlarging) so that its *short side* is N, then the centre N×N square is cropped. No randomness:
  the same photo always gives the same crop. Mask files must then be N×N.
* ``size=None`` (``--native``) — photos are used as they are; mask files must have the photo's size.
  With ``long_side=L`` (``--long-side``, ``--setting objects``) whole photos are scaled so their
  long side is L (cubic when enlarging, area when shrinking): realistic photo sizes from a set of
  small public photos; every scaling is reported in ``notes``.

Masks come from one of three sources: generated from the :mod:`masks` registry (seeded per
image and kind, so ``--limit`` or adding photos never changes the masks of the others), a
folder matched by file stem, or one mask file for every photo.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import cv2
import numpy as np

import masks
from inpaint.errors import ImageError, InpaintError
from inpaint.imageio import PHOTO_SUFFIXES, load_photo as _read_photo
from masks.io import MASK_SUFFIXES

IMAGE_EXTENSIONS = PHOTO_SUFFIXES


@dataclass(frozen=True)
class Case:
    """One photo × one mask. ``key`` identifies it across methods (pairing) and runs."""

    image_name: str
    mask_id: str
    kind: str
    image: np.ndarray
    mask: np.ndarray

    @property
    def key(self) -> tuple[str, str]:
        return (self.image_name, self.mask_id)

    @property
    def hole_fraction(self) -> float:
        return float(masks.hole_fraction(self.mask))

    @property
    def area_bin(self) -> str:
        """NVIDIA hole-area bin label, or ``""`` outside the six bins (≤ 1 % or > 60 %)."""
        return masks.area_bin(self.hole_fraction) or ""


def list_images(images_dir: str | Path, limit: int | None = None) -> list[Path]:
    """Photos of a folder (sorted by name, first ``limit``); an empty folder is an error."""
    folder = Path(images_dir)
    if not folder.is_dir():
        raise InpaintError(f"image folder not found: {folder}")
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
    if not paths:
        raise InpaintError(f"no images in {folder} (looked for {', '.join(IMAGE_EXTENSIONS)})")
    stems = [p.stem for p in paths]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise InpaintError(f"{folder}: several images share the name {dupes[0]!r}; masks are matched by "
                           "file stem, so stems must be unique")
    if limit is not None:
        if limit < 1:
            raise InpaintError("--limit must be at least 1")
        paths = paths[:limit]
    return paths


def load_photo(path: Path) -> np.ndarray:
    """A photo as ``uint8`` ``H×W×3`` RGB, read exactly as ``inpaint fill`` reads it
    (EXIF orientation applied, grey/palette/16-bit/alpha reduced to RGB)."""
    return _read_photo(path).rgb


def square_crop(image: np.ndarray, size: int) -> np.ndarray:
    """Resize so the short side is ``size``, then crop the centre ``size×size`` square."""
    h, w = image.shape[:2]
    scale = size / min(h, w)
    new_h, new_w = max(size, round(h * scale)), max(size, round(w * scale))
    if (new_h, new_w) != (h, w):
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        image = cv2.resize(image, (new_w, new_h), interpolation=interp)
    top, left = (new_h - size) // 2, (new_w - size) // 2
    return np.ascontiguousarray(image[top:top + size, left:left + size])


def scale_long_side(image: np.ndarray, long_side: int) -> np.ndarray:
    """Resize the whole photo so its long side is ``long_side`` px (aspect ratio kept)."""
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    if (new_h, new_w) == (h, w):
        return image
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, (new_w, new_h), interpolation=interp)


class MaskSource(Protocol):
    per_image: int  # masks produced for every photo (for the progress bar)

    def masks_for(self, image_name: str, height: int, width: int) -> list[tuple[str, str, np.ndarray]]:
        """``(mask_id, kind, mask)`` for one photo of the given (already cropped) size."""


class GeneratedMasks:
    """``count`` masks per photo for each kind of the :data:`masks.MASK_KINDS` registry."""

    def __init__(self, kinds: list[str], count: int, seed: int, params: dict[str, dict] | None = None):
        unknown = [k for k in kinds if k not in masks.MASK_KINDS]
        if unknown:
            raise InpaintError(f"unknown mask kind {unknown[0]!r}: use {', '.join(masks.MASK_KINDS)}")
        if count < 1:
            raise InpaintError("--count-per-image must be at least 1")
        self.kinds = list(dict.fromkeys(kinds))
        self.count = count
        self.seed = seed
        # The CE centre square keeps its known 4-px band, as in the paper's evaluation.
        self.params = {"center": {"overlap": 4}, **(params or {})}
        self.generators = {k: masks.make_generator(k, **self.params.get(k, {})) for k in self.kinds}
        self.per_image = len(self.kinds) * count

    def masks_for(self, image_name, height, width):
        out = []
        for kind in self.kinds:
            # Seeded by (seed, image, kind) rather than by position in the run.
            rng = np.random.default_rng([self.seed, zlib.crc32(image_name.encode()), zlib.crc32(kind.encode())])
            seen = set()
            for k in range(self.count):
                try:
                    mask = self.generators[kind](height, width, rng)
                except masks.MaskError as exc:
                    raise ImageError(f"cannot generate {kind} masks for {image_name} ({width}×{height}): {exc}"
                                     " (evaluate at a --size instead)") from None
                digest = mask.tobytes()
                if digest in seen:  # fixed kinds (centre) give the same mask every time: score it once
                    continue
                seen.add(digest)
                out.append((f"{kind}-{k}", kind, mask))
        return out


def _check_mask_size(mask: np.ndarray, path: Path, height: int, width: int, native: bool) -> None:
    if mask.shape != (height, width):
        where = (f"the photo's size ({width}×{height})" if native
                 else f"--size {width}×{height} (or use --native for masks of the photos' own size)")
        raise ImageError(f"mask {path.name} is {mask.shape[1]}×{mask.shape[0]} but must be {where}")


class FolderMasks:
    """Mask files matched to photos by file stem (``photo.jpg`` ↔ ``photo.png``)."""

    per_image = 1

    def __init__(self, folder: Path, native: bool):
        self.folder = Path(folder)
        self.native = native
        files = [p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() in MASK_SUFFIXES]
        if not files:
            raise InpaintError(f"no mask files in {self.folder}")
        self.by_stem = {p.stem: p for p in sorted(files)}

    def masks_for(self, image_name, height, width):
        path = self.by_stem.get(image_name)
        if path is None:
            raise ImageError(f"no mask for image {image_name!r} in {self.folder} (masks are matched by file stem)")
        mask = masks.load_mask(path)
        _check_mask_size(mask, path, height, width, self.native)
        return [(path.stem, "file", mask)]


class SingleMask:
    """One mask file used for every photo."""

    per_image = 1

    def __init__(self, path: Path, native: bool):
        self.path = Path(path)
        self.native = native
        self.mask = masks.load_mask(self.path)

    def masks_for(self, image_name, height, width):
        _check_mask_size(self.mask, self.path, height, width, self.native)
        return [(self.path.stem, "file", self.mask)]


def mask_source(masks_path: str | Path | None, mask_kinds: list[str], count: int, seed: int,
                native: bool) -> MaskSource:
    """Pick the mask source from the CLI options (``--masks`` and ``--mask-kind`` exclude each other)."""
    if masks_path is not None and mask_kinds:
        raise InpaintError("use either --masks or --mask-kind, not both")
    if masks_path is None:
        return GeneratedMasks(mask_kinds or ["center"], count, seed)
    path = Path(masks_path)
    if path.is_dir():
        return FolderMasks(path, native)
    if path.is_file():
        return SingleMask(path, native)
    raise InpaintError(f"--masks: no such file or folder: {path}")


def iter_cases(image_paths: list[Path], source: MaskSource, size: int | None,
               notes: list[str] | None = None, long_side: int | None = None) -> Iterator[Case]:
    """Yield the cases in a fixed order (photos by name, then masks). Masks without any hole
    are skipped (their hole metrics are undefined) and reported in ``notes``, as is every
    photo scaled to ``long_side`` (whole photos only: ``size`` must then be None)."""
    if size is not None and long_side is not None:
        raise InpaintError("use either --size or --long-side, not both")
    scaled = []
    for path in image_paths:
        image = load_photo(path)
        if size is not None:
            image = square_crop(image, size)
        elif long_side is not None:
            h0, w0 = image.shape[:2]
            image = scale_long_side(image, long_side)
            if image.shape[:2] != (h0, w0):
                scaled.append(f"{path.name} {w0}×{h0} → {image.shape[1]}×{image.shape[0]} "
                              f"(×{image.shape[0] / h0:.2f})")
        h, w = image.shape[:2]
        for mask_id, kind, mask in source.masks_for(path.stem, h, w):
            if not mask.any():
                if notes is not None:
                    notes.append(f"skipped {path.name} × {mask_id}: the mask has no hole")
                continue
            if mask.all():
                raise ImageError(f"mask {mask_id} covers the whole of {path.name}: there is nothing to fill from")
            yield Case(path.name, mask_id, kind, image, mask)
    if scaled and notes is not None:
        notes.append(f"photos scaled to long side {long_side} px (bicubic when enlarging, area when "
                     f"shrinking; enlarged photos have less fine detail than real photos of that size): "
                     + "; ".join(scaled))
