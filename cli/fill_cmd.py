"""`inpaint fill`: fill the holes of one photo, or of every photo in a folder.

torch-using code is imported inside the command, so `inpaint --help` stays light.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from cli.errors import friendly_errors
from cli.layout_options import chosen_layout, layout_options
from inpaint.classical import CLASSICAL_METHODS  # OpenCV only, no torch
from inpaint.fill.settings import DEFAULT_JPEG_QUALITY, MAX_DILATE, FillSettings  # torch-free

METHODS = ("model", *CLASSICAL_METHODS)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _painter(method: str, checkpoint, device: str, batch_size, refine, threads, flip=None, detail=None,
             layout=None):
    """``flip`` / ``detail`` / ``layout`` None (neither flag given): the engine's ``FLIP_DEFAULT`` /
    ``DETAIL_DEFAULT`` / ``LAYOUT_DEFAULT``."""
    from inpaint.api import Inpainter

    if method == "model":
        if threads:
            import torch

            torch.set_num_threads(threads)
        return Inpainter.from_checkpoint(checkpoint, device=device, batch_size=batch_size, refine=refine,
                                         flip=flip, detail=detail, layout=layout)
    if checkpoint is not None:
        _note(f"--checkpoint is ignored with --method {method}")
    return Inpainter.classical(method)


def _batch(make_painter, photos: Path, masks: Path, output, compare, settings: FillSettings) -> None:
    from tqdm import tqdm

    from inpaint.fill.batch import FAILED, FILLED, SKIPPED, plan_batch, run_batch

    plan = plan_batch(photos, masks, output, compare)
    painter = make_painter()  # after the cheap checks: loading a model is slow
    counts = {FILLED: 0, SKIPPED: 0, FAILED: 0}
    for item in tqdm(run_batch(painter, plan, settings), total=len(plan.pairs), desc="filling",
                     unit="photo", disable=None):
        counts[item.status] += 1
        if item.status != FILLED:
            tqdm.write(f"{item.status} {item.photo.name}: {item.message}", file=sys.stderr)
        for note in item.notes:
            tqdm.write(f"note: {item.photo.name}: {note}", file=sys.stderr)
    click.echo(f"filled {counts[FILLED]}, skipped {counts[SKIPPED]}, failed {counts[FAILED]} → {plan.out_dir}")
    if counts[FAILED]:
        raise SystemExit(1)


@click.command()
@click.argument("photo", type=click.Path(path_type=Path))
@click.argument("mask", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file (format from the extension, PNG by default), or folder in batch mode. "
                   "Default: <photo stem>_filled.png beside the photo (batch: <PHOTOS_DIR>_filled/).")
@click.option("--method", type=click.Choice(METHODS), default="model", show_default=True,
              help="A learned model, or a classical fill needing no checkpoint: OpenCV telea/ns, or "
                   "patchmatch (PatchMatch alone, through the pypatchmatch package).")
@click.option("--checkpoint", type=click.Path(path_type=Path), default=None,
              help="Checkpoint written by `inpaint train` (default: the model shipped with inpaint).")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N.")
@click.option("--invert", is_flag=True, help="Swap hole and known in the mask (black = hole).")
@click.option("--dilate", type=click.IntRange(0, MAX_DILATE), default=0, show_default=True,
              help="Grow the holes by N px (user masks are often a little tight).")
@click.option("--resize-mask", is_flag=True, help="Scale a mask of another size to the photo (nearest neighbour).")
@click.option("--jpeg-quality", type=click.IntRange(1, 100), default=DEFAULT_JPEG_QUALITY, show_default=True,
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
@layout_options()
@friendly_errors
def fill(photo, mask, output, method, checkpoint, device, invert, dilate, resize_mask, jpeg_quality,
         compare, overwrite, batch_size, threads, refine, flip, detail, layout, no_layout):
    """Fill the holes of PHOTO given MASK (white = hole) and write the result.

    Batch mode: PHOTO is a folder of photos and MASK a folder of masks matched by file stem
    (a.jpg ↔ a.png), or one mask file used for every photo; outputs are PNGs in the -o folder.
    """
    from inpaint.fill.outputs import check_sources, single_targets
    from inpaint.fill.pipeline import fill_file

    settings = FillSettings(invert, dilate, resize_mask, jpeg_quality, overwrite)
    layout = chosen_layout(layout, no_layout)
    check_sources(photo, mask)
    make_painter = functools.partial(_painter, method, checkpoint, device, batch_size, refine, threads, flip, detail,
                                     layout)
    if photo.is_dir():
        _batch(make_painter, photo, mask, output, compare, settings)
        return
    compare = Path(compare) if compare else None
    out = single_targets(photo, mask, output, compare, settings)
    painter = make_painter()  # after the cheap checks: loading is slow
    for note in fill_file(painter, photo, mask, out, compare, settings, lambda path: click.echo(f"wrote {path}")):
        _note(note)
