"""Turn an `inpaint eval` report's blind page back into a labelled gallery (after the look test).

    python scripts/key_gallery.py REPORT OUT.jpg [--cases 1,3,5] [--height 220] [--width 1400]

Reads ``REPORT/blind_key.json`` and the full-resolution crops in ``REPORT/blind/images``, and
writes one JPEG (quality 90, atomically): per case one row — original, then every method's fill,
in the order of the report's methods, with the method's name over each column. Nothing is
re-filled, so the pictures are exactly the ones judged blind. Use it only after judging: it
names the methods.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from inpaint.atomic import atomic_write_bytes

GAP, MARGIN, STRIP = 6, 8, 18


def rows_of(report: Path, cases: list[int] | None) -> tuple[list[str], list[tuple[str, list[Image.Image]]]]:
    key = json.loads((report / "blind_key.json").read_text())
    methods = key["methods"]
    images = report / "blind" / "images"
    rows = []
    for case in key["cases"]:
        if cases and case["case"] not in cases:
            continue
        by_method = {m: letter for letter, m in case["letters"].items()}
        name = f"case{case['case']:02d}"
        tiles = [Image.open(images / f"{name}_original_crop.png").convert("RGB")]
        tiles += [Image.open(images / f"{name}_{by_method[m]}_crop.png").convert("RGB") for m in methods]
        rows.append((f"{case['image']} · {case['mask_id']}", tiles))
    return ["original", *methods], rows


def render(columns: list[str], rows, height: int, width: int) -> Image.Image:
    col_w = (width - 2 * MARGIN - (len(columns) - 1) * GAP) // len(columns)
    fitted = []
    for label, tiles in rows:
        scale = min(min(col_w / t.width, height / t.height) for t in tiles)
        fitted.append((label, [t.resize((max(1, round(t.width * scale)), max(1, round(t.height * scale))),
                                        Image.LANCZOS) for t in tiles]))
    total = 2 * MARGIN + STRIP + sum(STRIP + max(t.height for t in tiles) + GAP for _, tiles in fitted)
    canvas = Image.new("RGB", (width, total), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(13)
    for c, name in enumerate(columns):
        draw.text((MARGIN + c * (col_w + GAP) + col_w / 2, MARGIN + STRIP / 2), name, fill="black", font=font,
                  anchor="mm")
    y = MARGIN + STRIP
    for label, tiles in fitted:
        draw.text((MARGIN, y + STRIP / 2), label, fill="black", font=font, anchor="lm")
        y += STRIP
        for c, tile in enumerate(tiles):
            canvas.paste(tile, (MARGIN + c * (col_w + GAP) + (col_w - tile.width) // 2, y))
        y += max(t.height for t in tiles) + GAP
    return canvas


def write_gallery(columns: list[str], rows, out: Path, height: int, width: int) -> None:
    """Render and write the gallery as a JPEG (quality 90), atomically; print its path."""
    buffer = io.BytesIO()
    render(columns, rows, height, width).save(buffer, "JPEG", quality=90, optimize=True)
    atomic_write_bytes(out, buffer.getvalue())
    print(out)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("report", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--cases", default="", help="comma-separated case numbers (default: all)")
    p.add_argument("--height", type=int, default=220, help="row height in px")
    p.add_argument("--width", type=int, default=1400, help="gallery width in px")
    args = p.parse_args(argv)
    try:
        cases = [int(c) for c in args.cases.split(",") if c.strip()] or None
        columns, rows = rows_of(args.report, cases)
    except (OSError, ValueError, KeyError) as exc:
        sys.exit(f"error: {args.report} is not a report with a blind page ({exc})")
    if not rows:
        sys.exit("error: no such case in the report")
    write_gallery(columns, rows, args.out, args.height, args.width)


if __name__ == "__main__":
    main()
