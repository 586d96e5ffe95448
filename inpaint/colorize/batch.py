"""One photo file or a whole folder through a converter (:class:`inpaint.api.Colorizer` or
:class:`inpaint.api.Translator`: anything with ``convert_photo(photo) -> (image, notes)``), with
``inpaint fill``'s rules: photos read by :func:`inpaint.imageio.load_photo`, every output
checked before a model is loaded (:mod:`inpaint.fill.outputs`: known extension, not the input,
not existing unless ``overwrite``, writable folder), written atomically by
:func:`inpaint.imageio.save_image` (lossy-format notes, one-line disk errors). A folder gives
``<out>/<stem>.png`` per photo; a failing photo does not stop the others."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from inpaint.errors import ImageError, InpaintError
from inpaint.fill.batch import FAILED, BatchItem
from inpaint.fill.files import list_photos
from inpaint.fill.outputs import check_target, check_writable
from inpaint.fill.settings import FillSettings
from inpaint.imageio import load_photo, save_image
from masks.atomic import describe_os_error

DONE = "done"


def single_target(photo: Path, output: Path | None, suffix: str, settings: FillSettings) -> Path:
    """The output file of one photo: ``output``, ``<stem>_<suffix>.png`` in the folder ``output``,
    or beside the photo; checked (:func:`inpaint.fill.outputs.check_target`)."""
    default = f"{photo.stem}_{suffix}.png"
    out = Path(output) if output else photo.with_name(default)
    if out.is_dir():
        out = out / default
    check_target(out, photo, settings)
    return out


def convert_file(converter, photo_path: Path, out: Path, settings: FillSettings) -> list[str]:
    """Convert one photo file and write it; returns notes."""
    photo = load_photo(photo_path)
    image, notes = converter.convert_photo(photo)
    return notes + save_image(image, out, settings.jpeg_quality, settings.overwrite)


def plan_folder(photos: Path, output: Path | None, suffix: str) -> tuple[list[Path], Path]:
    """The photos of a folder and the output folder (``output``, or ``<photos>_<suffix>``
    beside it), created and checked writable."""
    if not photos.is_dir():
        raise ImageError(f"{photos} is not a folder")
    found = list_photos(photos)
    if not found:
        raise ImageError(f"no photos found in {photos}")
    out_dir = Path(output) if output else photos.resolve().with_name(f"{photos.resolve().name}_{suffix}")
    if out_dir.exists() and not out_dir.is_dir():
        raise ImageError(f"-o {out_dir} is a file: with a folder of photos it must be a folder")
    out_dir.mkdir(exist_ok=True)
    check_writable(out_dir)
    return found, out_dir


def run_folder(converter, photos: list[Path], out_dir: Path, settings: FillSettings) -> Iterator[BatchItem]:
    """Convert every photo into ``<out_dir>/<stem>.png``; one :class:`BatchItem` per photo
    (status :data:`DONE` or ``FAILED``)."""
    claimed: dict[str, str] = {}  # output stem -> the photo it is for (a.jpg and a.png share a.png)
    for photo in photos:
        out = out_dir / f"{photo.stem}.png"
        try:
            if photo.stem in claimed:
                raise ImageError(f"{out.name} is already the output of {claimed[photo.stem]} "
                                 f"(two photos named {photo.stem}.*; rename one)")
            check_target(out, photo, settings)
            notes = convert_file(converter, photo, out, settings)
            claimed[photo.stem] = photo.name
            yield BatchItem(photo, DONE, notes=notes)
        except (InpaintError, OSError) as exc:
            yield BatchItem(photo, FAILED, describe_os_error(exc) if isinstance(exc, OSError) else str(exc))
