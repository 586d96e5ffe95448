"""Pair photos with masks for batch filling (pure path logic)."""

from __future__ import annotations

from pathlib import Path

from inpaint.errors import ImageError
from inpaint.imageio import PHOTO_SUFFIXES
from masks.io import MASK_SUFFIXES


def _files(folder: Path, suffixes) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes
                  and not p.name.startswith("."))


def list_photos(folder: Path) -> list[Path]:
    """The photo files of ``folder`` (by extension, hidden files left out), sorted by name."""
    return _files(folder, PHOTO_SUFFIXES)


def match_masks(photos: Path, masks: Path) -> list[tuple[Path, Path | None]]:
    """``[(photo, mask or None)]`` for every photo of the folder ``photos``.

    ``masks`` is a folder (matched by file stem: ``a.jpg`` ↔ ``a.png``; ``None`` when a photo
    has no mask) or one mask file used for every photo. Two masks with the same stem are an
    error (which one was meant?)."""
    if not photos.is_dir():
        raise ImageError(f"{photos} is not a folder")
    found = list_photos(photos)
    if masks.is_file():
        return [(p, masks) for p in found]
    if not masks.is_dir():
        raise ImageError(f"mask folder not found: {masks}")
    by_stem: dict[str, Path] = {}
    for m in _files(masks, MASK_SUFFIXES):
        if m.stem in by_stem:
            raise ImageError(f"two masks named {m.stem}.*: {by_stem[m.stem].name} and {m.name}")
        by_stem[m.stem] = m
    return [(p, by_stem.get(p.stem)) for p in found]
