"""Batch fill: every photo of a folder with its mask (matched by stem) or one mask for all.

:func:`plan_batch` makes every cheap check and the output folders before a model is loaded;
:func:`run_batch` then fills photo after photo, yielding one :class:`BatchItem` per photo, so
the caller shows progress and reports as it likes. A failing photo does not stop the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from inpaint.errors import ImageError, InpaintError
from inpaint.fill.files import match_masks
from inpaint.fill.outputs import check_target, check_writable
from inpaint.fill.pipeline import fill_file
from inpaint.fill.settings import FillSettings
from inpaint.fill.user_mask import read_mask_file
from masks.atomic import describe_os_error
from masks.errors import MaskError

FILLED, SKIPPED, FAILED = "filled", "skipped", "failed"


@dataclass(frozen=True)
class BatchPlan:
    pairs: list[tuple[Path, Path | None]]   # (photo, its mask or None)
    masks: Path                             # the mask folder or the one mask file
    out_dir: Path
    cmp_dir: Path | None


@dataclass(frozen=True)
class BatchItem:
    """What happened to one photo: ``status`` is FILLED, SKIPPED or FAILED; ``message`` says why
    for the last two; ``notes`` are the fill's notes."""

    photo: Path
    status: str
    message: str = ""
    notes: list[str] = field(default_factory=list)


def plan_batch(photos: Path, masks: Path, output: Path | None, compare: Path | None) -> BatchPlan:
    """Pair the photos with their masks and create the output (and comparison) folders."""
    pairs = match_masks(photos, masks)
    if not pairs:
        raise ImageError(f"no photos found in {photos}")
    if masks.is_file():
        read_mask_file(masks)  # one unreadable mask for every photo: one error, before anything is written
    out_dir = Path(output) if output else photos.resolve().with_name(f"{photos.resolve().name}_filled")
    cmp_dir = Path(compare) if compare else None
    for folder, option in ((out_dir, "-o"), (cmp_dir, "--compare")):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise ImageError(f"{option} {folder} is a file: in batch mode it must be a folder")
    if cmp_dir is not None and cmp_dir.resolve() == out_dir.resolve():
        raise ImageError("--compare must be another folder than the output folder (both write <stem>.png)")
    for folder, option in ((out_dir, "-o"), (cmp_dir, "--compare")):
        if folder is not None and masks.is_dir() and folder.resolve() == masks.resolve():
            raise ImageError(f"{option} {folder} is the mask folder: the fills would replace the masks")
    out_dir.mkdir(exist_ok=True)
    check_writable(out_dir)
    if cmp_dir is not None:
        cmp_dir.mkdir(exist_ok=True)
        check_writable(cmp_dir)
    return BatchPlan(pairs, masks, out_dir, cmp_dir)


def run_batch(painter, plan: BatchPlan, settings: FillSettings) -> Iterator[BatchItem]:
    """Fill every pair of ``plan`` into ``<out_dir>/<stem>.png``; one item per photo."""
    claimed: dict[str, str] = {}  # output stem -> the photo it is for (a.jpg and a.png share a.png)
    for photo, mask in plan.pairs:
        if mask is None:
            yield BatchItem(photo, SKIPPED, f"no mask named {photo.stem}.* in {plan.masks}")
            continue
        out = plan.out_dir / f"{photo.stem}.png"
        cmp_path = plan.cmp_dir / f"{photo.stem}.png" if plan.cmp_dir else None
        try:
            if photo.stem in claimed:
                raise ImageError(f"{out.name} is already the output of {claimed[photo.stem]} "
                                 f"(two photos named {photo.stem}.*; rename one)")
            check_target(out, photo, settings)
            if cmp_path is not None:
                check_target(cmp_path, photo, settings, "comparison")
            notes = fill_file(painter, photo, mask, out, cmp_path, settings, lambda path: None)
            claimed[photo.stem] = photo.name
            yield BatchItem(photo, FILLED, notes=notes)
        except (InpaintError, MaskError, OSError) as exc:
            yield BatchItem(photo, FAILED, str(exc) if not isinstance(exc, OSError) else describe_os_error(exc))
