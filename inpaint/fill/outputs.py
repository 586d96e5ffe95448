"""Checks made before anything is filled or written: the inputs exist, and every output may
be written (not an input, not existing unless ``overwrite``, in a writable folder). Cheap, so
they run before a model is loaded."""

from __future__ import annotations

import os
from pathlib import Path

from inpaint.errors import ImageError
from inpaint.fill.settings import FillSettings
from inpaint.imageio import output_format
from masks.errors import MaskError


def check_sources(photo: Path, mask: Path) -> None:
    """The photo (file or folder) and the mask (file or folder) exist."""
    if not photo.exists():
        raise ImageError(f"photo not found: {photo}")
    if not mask.exists():
        raise MaskError(f"mask file not found: {mask}")


def check_writable(folder: Path) -> None:
    if not folder.is_dir():
        raise ImageError(f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageError(f"output folder is not writable: {folder}")


def check_target(target: Path, photo: Path, settings: FillSettings, what: str = "output") -> None:
    """``target`` has a known extension, is not ``photo`` and does not exist (unless
    ``settings.overwrite``), and its folder is writable."""
    output_format(target)
    if target.exists() and target.resolve() == photo.resolve() and not settings.overwrite:
        raise ImageError(f"the {what} {target} is the input photo itself (use --overwrite to replace it)")
    if target.exists() and not settings.overwrite:
        raise ImageError(f"{target} already exists (use --overwrite to replace it)")
    check_writable(target.parent if str(target.parent) else Path("."))


def single_targets(photo: Path, mask: Path, output: Path | None, compare: Path | None,
                   settings: FillSettings) -> Path:
    """The output file of one photo (``output``, a file in the folder ``output``, or
    ``<stem>_filled.png`` beside the photo), checked together with the comparison file."""
    if mask.is_dir():
        raise ImageError(f"{mask} is a folder: give a mask file for one photo, or a photos folder for batch mode")
    out = Path(output) if output else photo.with_name(f"{photo.stem}_filled.png")
    if out.is_dir():
        out = out / f"{photo.stem}_filled.png"
    for target in (out, compare):
        if target is not None and target.exists() and target.resolve() == mask.resolve():
            raise ImageError(f"{target} is the mask itself: write the fill to another file")
    check_target(out, photo, settings)
    if compare is not None:
        if compare.resolve() == out.resolve():
            raise ImageError(f"--compare {compare} is the output file itself: give it another name")
        check_target(compare, photo, settings, "comparison")
    return out
