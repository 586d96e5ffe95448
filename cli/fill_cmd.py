"""`inpaint fill`: fill the holes of one photo, or of every photo in a folder.

torch-using code is imported inside the command, so `inpaint --help` stays light.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from cli.errors import friendly_errors
from inpaint.classical import CLASSICAL_METHODS  # OpenCV only, no torch
from inpaint.errors import ImageError, InpaintError
from masks.atomic import describe_os_error
from masks.errors import MaskError

METHODS = ("model", *CLASSICAL_METHODS)


@dataclass(frozen=True)
class Settings:
    """The options that shape every fill of a run."""

    invert: bool
    dilate: int
    resize_mask: bool
    jpeg_quality: int
    overwrite: bool


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _check_writable(folder: Path) -> None:
    if not folder.is_dir():
        raise ImageError(f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageError(f"output folder is not writable: {folder}")


def _check_target(target: Path, photo: Path, settings: Settings, what: str = "output") -> None:
    from inpaint.imageio import output_format

    output_format(target)
    if target.exists() and target.resolve() == photo.resolve() and not settings.overwrite:
        raise ImageError(f"the {what} {target} is the input photo itself (use --overwrite to replace it)")
    if target.exists() and not settings.overwrite:
        raise ImageError(f"{target} already exists (use --overwrite to replace it)")
    _check_writable(target.parent if str(target.parent) else Path("."))


def _load_mask(path: Path, invert: bool = False):
    from masks import load_mask

    try:
        return load_mask(path, invert=invert)
    except MaskError as exc:
        message = str(exc)
        if "mask" not in message:
            message = f"cannot read mask{'' if str(path) in message else f' {path}'}: {message}"
        raise MaskError(message) from None


def _read_mask(path: Path, photo, settings: Settings):
    from inpaint.fill.user_mask import fit_mask

    return fit_mask(_load_mask(path, settings.invert), photo, path.name, settings.resize_mask, settings.dilate)


def _fill_one(painter, photo_path: Path, mask_path: Path, out: Path, compare: Path | None,
              settings: Settings, wrote) -> list[str]:
    """Fill one photo and write it (and the comparison), calling ``wrote(path)`` after each
    file is in place (a failing comparison must not hide that the fill was written); returns notes."""
    from inpaint.fill.compare import compare_image
    from inpaint.imageio import load_photo, rebuild, save_image

    photo = load_photo(photo_path)
    mask = _read_mask(mask_path, photo, settings)
    notes = list(photo.notes)
    if not mask.any():
        notes.append(f"mask {mask_path.name} is empty: the output equals the input")
    filled = painter.fill_photo(photo, mask)
    notes += save_image(rebuild(photo, filled, mask), out, settings.jpeg_quality, settings.overwrite)
    wrote(out)
    if compare is not None:
        save_image(compare_image(photo.rgb, mask, filled), compare, overwrite=settings.overwrite)
        wrote(compare)
    return notes


def _painter(method: str, checkpoint, device: str, batch_size, refine, threads, flip=None, detail=None):
    """``flip`` / ``detail`` None (neither flag given): the engine's ``FLIP_DEFAULT`` / ``DETAIL_DEFAULT``."""
    from inpaint.api import Inpainter

    if method == "model":
        if threads:
            import torch

            torch.set_num_threads(threads)
        return Inpainter.from_checkpoint(checkpoint, device=device, batch_size=batch_size, refine=refine,
                                         flip=flip, detail=detail)
    if checkpoint is not None:
        _note(f"--checkpoint is ignored with --method {method}")
    return Inpainter.classical(method)


def _single(painter, photo: Path, mask: Path, out: Path, compare, settings: Settings) -> None:
    for note in _fill_one(painter, photo, mask, out, Path(compare) if compare else None, settings,
                          lambda path: click.echo(f"wrote {path}")):
        _note(note)


def _batch(make_painter, photos: Path, masks: Path, output, compare, settings: Settings) -> None:
    from tqdm import tqdm

    from inpaint.fill.files import match_masks

    pairs = match_masks(photos, masks)
    if not pairs:
        raise ImageError(f"no photos found in {photos}")
    if masks.is_file():
        _load_mask(masks)  # one unreadable mask for every photo: one error, before anything is written
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
    _check_writable(out_dir)
    if cmp_dir is not None:
        cmp_dir.mkdir(exist_ok=True)
        _check_writable(cmp_dir)
    painter = make_painter()  # after the cheap checks: loading a model is slow
    filled = skipped = failed = 0
    claimed: dict[str, str] = {}  # output stem -> the photo it is for (a.jpg and a.png share a.png)
    for photo, mask in tqdm(pairs, desc="filling", unit="photo", disable=None):
        if mask is None:
            tqdm.write(f"skipped {photo.name}: no mask named {photo.stem}.* in {masks}", file=sys.stderr)
            skipped += 1
            continue
        out = out_dir / f"{photo.stem}.png"
        cmp_path = cmp_dir / f"{photo.stem}.png" if cmp_dir else None
        try:
            if photo.stem in claimed:
                raise ImageError(f"{out.name} is already the output of {claimed[photo.stem]} "
                                 f"(two photos named {photo.stem}.*; rename one)")
            _check_target(out, photo, settings)
            if cmp_path is not None:
                _check_target(cmp_path, photo, settings, "comparison")
            for note in _fill_one(painter, photo, mask, out, cmp_path, settings, lambda path: None):
                tqdm.write(f"note: {photo.name}: {note}", file=sys.stderr)
            claimed[photo.stem] = photo.name
            filled += 1
        except (InpaintError, MaskError, OSError) as exc:
            message = str(exc) if not isinstance(exc, OSError) else describe_os_error(exc)
            tqdm.write(f"failed {photo.name}: {message}", file=sys.stderr)
            failed += 1
    click.echo(f"filled {filled}, skipped {skipped}, failed {failed} → {out_dir}")
    if failed:
        raise SystemExit(1)


@click.command()
@click.argument("photo", type=click.Path(path_type=Path))
@click.argument("mask", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file (format from the extension, PNG by default), or folder in batch mode. "
                   "Default: <photo stem>_filled.png beside the photo (batch: <PHOTOS_DIR>_filled/).")
@click.option("--method", type=click.Choice(METHODS), default="model", show_default=True,
              help="A learned model, or a classical fill needing no checkpoint: OpenCV telea/ns, or "
                   "patchmatch (needs the optional pypatchmatch package).")
@click.option("--checkpoint", type=click.Path(path_type=Path), default=None,
              help="Checkpoint written by `inpaint train` (default: the model shipped with inpaint).")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N.")
@click.option("--invert", is_flag=True, help="Swap hole and known in the mask (black = hole).")
@click.option("--dilate", type=click.IntRange(0, 256), default=0, show_default=True,
              help="Grow the holes by N px (user masks are often a little tight).")
@click.option("--resize-mask", is_flag=True, help="Scale a mask of another size to the photo (nearest neighbour).")
@click.option("--jpeg-quality", type=click.IntRange(1, 100), default=95, show_default=True,
              help="Quality of .jpg outputs (lossy; .webp outputs are lossless).")
@click.option("--compare", type=click.Path(path_type=Path), default=None,
              help="Also write a side-by-side PNG (masked input | filled | Telea); a folder in batch mode.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.option("--batch-size", type=click.IntRange(1, 1024), default=None,
              help="Windows per model run (default 16 on CPU, 64 on CUDA).")
@click.option("--threads", type=click.IntRange(1, 512), default=None,
              help="CPU threads for the model (default: PyTorch's choice; 1 is often fastest on a busy machine).")
@click.option("--refine", type=click.FloatRange(1.0, 64.0), default=None, metavar="SCALE",
              help="Re-predict holes whose window was down-scaled more than SCALE (e.g. 2), tile by "
                   "tile at that scale: sharper big holes, slower. Default: off.")
# default None = inpaint.fill.engine.FLIP_DEFAULT, its one definition (importing it here would load torch)
@click.option("--flip/--no-flip", default=None,
              help="Average each window's prediction with its mirror image (one more model run per window). "
                   "Default: on.")
# default None = inpaint.fill.engine.DETAIL_DEFAULT
@click.option("--detail/--no-detail", default=None,
              help="Give holes whose window was scaled down the photo's own native-resolution texture, "
                   "copied from around the hole (the model supplies the coarse layout). Default: on.")
@friendly_errors
def fill(photo, mask, output, method, checkpoint, device, invert, dilate, resize_mask, jpeg_quality,
         compare, overwrite, batch_size, threads, refine, flip, detail):
    """Fill the holes of PHOTO given MASK (white = hole) and write the result.

    Batch mode: PHOTO is a folder of photos and MASK a folder of masks matched by file stem
    (a.jpg ↔ a.png), or one mask file used for every photo; outputs are PNGs in the -o folder.
    """
    settings = Settings(invert, dilate, resize_mask, jpeg_quality, overwrite)
    if not photo.exists():
        raise ImageError(f"photo not found: {photo}")
    if not mask.exists():
        raise MaskError(f"mask file not found: {mask}")
    if photo.is_dir():
        _batch(lambda: _painter(method, checkpoint, device, batch_size, refine, threads, flip, detail),
               photo, mask, output, compare, settings)
        return
    if mask.is_dir():
        raise ImageError(f"{mask} is a folder: give a mask file for one photo, or a photos folder for batch mode")
    out = Path(output) if output else photo.with_name(f"{photo.stem}_filled.png")
    if out.is_dir():
        out = out / f"{photo.stem}_filled.png"
    for target in (out, Path(compare) if compare else None):
        if target is not None and target.exists() and target.resolve() == mask.resolve():
            raise ImageError(f"{target} is the mask itself: write the fill to another file")
    _check_target(out, photo, settings)
    if compare:
        if Path(compare).resolve() == out.resolve():
            raise ImageError(f"--compare {compare} is the output file itself: give it another name")
        _check_target(Path(compare), photo, settings, "comparison")
    painter = _painter(method, checkpoint, device, batch_size, refine, threads, flip, detail)  # after the cheap checks: loading is slow
    _single(painter, photo, mask, out, compare, settings)
