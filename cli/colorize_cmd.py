"""`inpaint colorize` and `inpaint translate`: one photo, or every photo of a folder.

torch-using code is imported inside the commands, so `inpaint --help` stays light.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.errors import friendly_errors
from inpaint.fill.settings import DEFAULT_JPEG_QUALITY, FillSettings  # torch-free

# the engines' values (inpaint/colorize/engine.py, translate.py), repeated here so --help stays
# light (no OpenCV); tests/test_cli_colorize.py checks that they agree
UPSAMPLERS = ("guided", "bilinear")
FITS = ("pad", "stretch")
MAX_STRENGTH = 4.0


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _set_threads(threads):
    if threads:
        import torch

        torch.set_num_threads(threads)


def _checkpoint(path: Path) -> Path:
    from inpaint.errors import CheckpointError

    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    return path


def _run(make_converter, photo: Path, output, suffix: str, verb: str, settings: FillSettings) -> None:
    """The shared flow: cheap checks, then the model, then one photo or the folder."""
    from inpaint.colorize.batch import DONE, convert_file, plan_folder, run_folder, single_target
    from inpaint.errors import ImageError

    if not photo.exists():
        raise ImageError(f"photo not found: {photo}")
    if not photo.is_dir():
        out = single_target(photo, output, suffix, settings)
        converter = make_converter()  # after the cheap checks: loading is slow
        for note in convert_file(converter, photo, out, settings):
            _note(note)
        click.echo(f"wrote {out}")
        return
    from tqdm import tqdm

    photos, out_dir = plan_folder(photo, output, suffix)
    converter = make_converter()
    done = failed = 0
    for item in tqdm(run_folder(converter, photos, out_dir, settings), total=len(photos), desc=verb,
                     unit="photo", disable=None):
        done += item.status == DONE
        failed += item.status != DONE
        if item.status != DONE:
            tqdm.write(f"{item.status} {item.photo.name}: {item.message}", file=sys.stderr)
        for note in item.notes:
            tqdm.write(f"note: {item.photo.name}: {note}", file=sys.stderr)
    click.echo(f"{verb} {done}, failed {failed} → {out_dir}")
    if failed:
        raise SystemExit(1)


def _common(func):
    options = [
        click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N."),
        click.option("--size", type=click.IntRange(8, 4096), default=None,
                     help="Side the model runs at, a multiple of its stride (default: its training size; "
                          "that is always allowed)."),
        click.option("--jpeg-quality", type=click.IntRange(1, 100), default=DEFAULT_JPEG_QUALITY,
                     show_default=True, help="Quality of .jpg outputs (lossy)."),
        click.option("--overwrite", is_flag=True, help="Replace existing output files."),
        click.option("--threads", type=click.IntRange(1, 512), default=None,
                     help="CPU threads for the model (default: PyTorch's choice)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


OUTPUT_HELP = ("Output file (format from the extension, PNG by default), or folder when PHOTO is a folder "
               "(<stem>.png each). Default: <photo stem>_{0}.png beside the photo (folder: <PHOTO>_{0}/).")


@click.command()
@click.argument("photo", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help=OUTPUT_HELP.format("colorized"))
@click.option("--model", type=click.Path(path_type=Path), default=None,
              help="Checkpoint written by `inpaint train --task colorize` (default: the colourisation model "
                   "shipped with inpaint, when there is one).")
@click.option("--strength", type=click.FloatRange(0.0, MAX_STRENGTH), default=1.0, show_default=True,
              help="Scale the predicted colour: 0 = grey, 1 = as predicted, above 1 more saturated "
                   "(the luminance is kept whatever the value).")
@click.option("--upsample", type=click.Choice(UPSAMPLERS), default=UPSAMPLERS[0], show_default=True,
              help="How the colour predicted at the model's scale is brought to the photo's size: guided by "
                   "the photo's own luminance (colour stops at edges) or plain bilinear.")
@_common
@friendly_errors
def colorize(photo, output, model, strength, upsample, device, size, jpeg_quality, overwrite, threads):
    """Colourise PHOTO (a grey photo, or a colour one taken as its luminance) and write it.

    Any size: the colour is predicted at the model's scale and upsampled; the photo's own
    luminance is kept exactly (to 1 level), so a large photo stays sharp. PHOTO may be a folder.
    """
    from inpaint.default_model import resolve_colorize_checkpoint

    checkpoint = _checkpoint(resolve_colorize_checkpoint(model))  # cheap: said before anything else

    def make():
        from inpaint.api import Colorizer

        _set_threads(threads)
        return Colorizer.from_checkpoint(checkpoint, device, size=size, strength=strength, upsample=upsample)

    _run(make, photo, output, "colorized", "colorized", FillSettings(jpeg_quality=jpeg_quality, overwrite=overwrite))


@click.command()
@click.argument("photo", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help=OUTPUT_HELP.format("translated"))
@click.option("--model", type=click.Path(path_type=Path), required=True,
              help="Checkpoint written by `inpaint train --task paired`.")
@click.option("--fit", type=click.Choice(FITS), default=FITS[0], show_default=True,
              help="pad: long side to the model's size, aspect ratio kept (reflection padding); "
                   "stretch: resized to a square.")
@_common
@friendly_errors
def translate(photo, output, model, fit, device, size, jpeg_quality, overwrite, threads):
    """Translate PHOTO with a paired (A → B) model and write the result at the photo's size.

    PHOTO may be a folder.
    """
    checkpoint = _checkpoint(model)

    def make():
        from inpaint.api import Translator

        _set_threads(threads)
        return Translator.from_checkpoint(checkpoint, device, size=size, fit=fit)

    _run(make, photo, output, "translated", "translated", FillSettings(jpeg_quality=jpeg_quality, overwrite=overwrite))
