"""Turn an `inpaint eval --task colorize` report into a gallery: grey input | each model | original.

    python scripts/colorize_gallery.py REPORT OUT.jpg [--photos chelsea,rocket] [--height 220] [--width 1400]

Reads the evaluated images in ``REPORT/images`` (``NNN_<photo>_<method>.png``, as the report
writes them) and writes one JPEG (quality 90, atomically), one row per photo. Nothing is
re-coloured: the pictures are exactly the ones scored. The baselines are left out (``grey`` is the
input itself; ``mean-chroma`` is one flat tint).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from PIL import Image

from key_gallery import write_gallery  # same folder: one layout and writer for every gallery

NAME = re.compile(r"^(\d{3})_(.+)_(grey_input|original|model_.+)\.png$")


def rows_of(report: Path, photos: list[str] | None):
    found: dict[tuple[str, str], dict[str, Path]] = {}
    for path in sorted((report / "images").glob("*.png")):
        m = NAME.match(path.name)
        if m:
            found.setdefault((m[1], m[2]), {})[m[3]] = path
    models = sorted({k for shots in found.values() for k in shots if k.startswith("model_")})
    columns = ["grey input", *[m.removeprefix("model_") for m in models], "original"]
    rows = []
    for (_, photo), shots in sorted(found.items()):
        if photos and photo not in photos:
            continue
        keys = ["grey_input", *models, "original"]
        if all(k in shots for k in keys):
            rows.append((photo, [Image.open(shots[k]).convert("RGB") for k in keys]))
    return columns, rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("report", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--photos", default="", help="comma-separated photo stems (default: all)")
    p.add_argument("--height", type=int, default=220, help="row height in px")
    p.add_argument("--width", type=int, default=1400, help="gallery width in px")
    args = p.parse_args(argv)
    photos = [s.strip() for s in args.photos.split(",") if s.strip()] or None
    columns, rows = rows_of(args.report, photos)
    if not rows:
        sys.exit(f"error: {args.report} holds no colourisation report images (inpaint eval --task colorize)")
    write_gallery(columns, rows, args.out, args.height, args.width)


if __name__ == "__main__":
    main()
