"""Render the model-card gallery: OpenCV Telea, OpenCV NS and the default model side by side.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/make_gallery.py OUT.jpg \\
        [--checkpoint PATH] [--photos data/eval] [--seed 1] [--size 128] [--width 1200]

One JPEG grid (quality 90, written atomically). Each row is one case — a photo of the public
evaluation set (``benchmarks/data/make_eval_set.py data/eval``) and a generated mask — with the
columns: masked input (hole in magenta, as ``inpaint fill --compare``), OpenCV Telea, OpenCV NS,
the model, original. For each mask kind (center, block, region, stroke) there are two rows: a
``--size`` centre crop (as ``inpaint eval --size``; shown enlarged with nearest-neighbour so its
pixels stay visible) and the photo at its native size (shown down-scaled). Photos rotate through
the sorted folder by ``--seed`` so the kinds use different photos; the mask of row ``i`` is drawn
with ``numpy.random.default_rng([seed, i])``. Under each fill: its hole PSNR (full resolution).
Rows are at most 180 px tall and shrink until the file is under 400 KB; ``--width`` caps the width.
Same arguments → same bytes (the model runs on one CPU thread).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

import masks
from inpaint.atomic import atomic_write_bytes
from inpaint.checkpoint import load_generator
from inpaint.default_model import DEFAULT_CHECKPOINT
from inpaint.errors import InpaintError
from inpaint.eval.cases import list_images, load_photo, square_crop
from inpaint.fill.compare import HOLE_COLOUR
from inpaint.fill.engine import ClassicalFiller, ModelFiller
from inpaint.metrics import fill_metrics

KINDS = ("center", "block", "region", "stroke")
MASK_PARAMS = {"center": {"overlap": 4}}  # the CE centre hole, as `inpaint eval` scores it
COLUMNS = ("masked input", "OpenCV Telea", "OpenCV NS", "default model", "original")
CELL_HEIGHT = 180    # px of a row's pictures, lowered step by step while the JPEG is too big
MAX_BYTES = 400_000
MARGIN, GAP = 8, 6   # px of white around the grid and between cells
TEXT_STRIP = 18      # px: column headers, row labels, captions
JPEG_QUALITY = 90


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="gallery JPEG to write")
    p.add_argument("--checkpoint", type=Path, default=DEFAULT_CHECKPOINT, help="model (default: the shipped one)")
    p.add_argument("--photos", type=Path, default=Path("data/eval"), help="folder of evaluation photos")
    p.add_argument("--seed", type=int, default=1, help="photo rotation and mask seed")
    p.add_argument("--size", type=int, default=128, help="side of the square crop rows")
    p.add_argument("--width", type=int, default=1200, help="total width of the gallery in px")
    return p.parse_args(argv)


def fit(image: np.ndarray, box_w: int, box_h: int, pixelated: bool) -> np.ndarray:
    """Scale ``image`` to fit ``box_w×box_h``: nearest-neighbour (pixelated) or area/cubic."""
    h, w = image.shape[:2]
    scale = min(box_w / w, box_h / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_NEAREST if pixelated else (cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    return cv2.resize(image, size, interpolation=interp)


def make_rows(photos: list[Path], args, model_filler: ModelFiller) -> list[dict]:
    """Every case: its label, the five panels at full resolution, and the three hole PSNRs."""
    fillers = (ClassicalFiller("telea"), ClassicalFiller("ns"), model_filler)
    rows = []
    for kind in KINDS:
        gen = masks.make_generator(kind, **MASK_PARAMS.get(kind, {}))
        for crop in (True, False):
            index = len(rows)
            path = photos[(args.seed + index) % len(photos)]
            image = load_photo(path)
            if crop:
                image = square_crop(image, args.size)
            mask = gen.generate(*image.shape[:2], np.random.default_rng([args.seed, index]))
            fills = [f.fill(image, mask) for f in fillers]
            masked = image.copy()
            masked[mask > 0] = HOLE_COLOUR
            where = f"{args.size} crop" if crop else "native"
            rows.append({"label": f"{kind} · {where} · {path.stem}", "crop": crop,
                         "size": f"{image.shape[1]} x {image.shape[0]} px",
                         "panels": [masked, *fills, image],
                         "psnr": [fill_metrics(f, image, mask)["psnr_hole"] for f in fills]})
    return rows


def render(rows: list[dict], title: str, width: int, cell_height: int) -> Image.Image:
    """The grid; a row's pictures are at most ``cell_height`` tall and one column wide."""
    col_w = (width - 2 * MARGIN - (len(COLUMNS) - 1) * GAP) // len(COLUMNS)
    cells = [[fit(p, col_w, min(cell_height, col_w), row["crop"]) for p in row["panels"]] for row in rows]
    height = 2 * MARGIN + 2 * TEXT_STRIP + sum(2 * TEXT_STRIP + row[0].shape[0] for row in cells)
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(12)
    heading = ImageFont.load_default(13)
    x_of = [MARGIN + c * (col_w + GAP) for c in range(len(COLUMNS))]

    def centred(text: str, col: int, y: int, f=font) -> None:
        draw.text((x_of[col] + col_w / 2, y + TEXT_STRIP / 2), text, fill="black", font=f, anchor="mm")

    draw.text((MARGIN, MARGIN + TEXT_STRIP / 2), title, fill="black", font=font, anchor="lm")
    y = MARGIN + TEXT_STRIP
    for c, name in enumerate(COLUMNS):
        centred(name, c, y, heading)
    y += TEXT_STRIP
    for row, row_cells in zip(rows, cells):
        draw.text((MARGIN, y + TEXT_STRIP / 2), row["label"], fill="black", font=heading, anchor="lm")
        cell_h = row_cells[0].shape[0]
        for c, cell in enumerate(row_cells):
            canvas.paste(Image.fromarray(cell), (x_of[c] + (col_w - cell.shape[1]) // 2, y + TEXT_STRIP))
        captions = [f"{p:.1f} dB" for p in row["psnr"]] + [row["size"]]
        for c, text in enumerate(captions, start=1):
            centred(text, c, y + TEXT_STRIP + cell_h)
        y += 2 * TEXT_STRIP + cell_h
    return canvas


def encode(rows: list[dict], title: str, width: int) -> bytes:
    """The gallery as JPEG bytes, its rows shrunk until the file is at most MAX_BYTES."""
    cell_height = CELL_HEIGHT
    while True:
        buffer = io.BytesIO()
        render(rows, title, width, cell_height).save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        if buffer.tell() <= MAX_BYTES or cell_height <= 64:
            return buffer.getvalue()
        cell_height = round(cell_height * 0.95)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.size < 16 or args.width < 400:
        sys.exit("error: --size must be at least 16 and --width at least 400")
    torch.set_num_threads(1)  # reproducible bytes, and gentle on a shared machine
    try:
        photos = list_images(args.photos)
        model, cfg, state = load_generator(args.checkpoint)
        rows = make_rows(photos, args, ModelFiller(model, cfg))
    except (InpaintError, masks.MaskError) as exc:
        sys.exit(f"error: {exc}")
    title = (f"Hole fills on the public evaluation photos ({args.photos.name}), seed {args.seed}; "
             f"under each fill: PSNR of the hole. Model: {args.checkpoint.name} "
             f"({cfg.kind}, {cfg.mode}, {cfg.image_size} px, step {state.get('step', 0)}).")
    data = encode(rows, title, args.width)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, data)  # temp file beside OUT, then os.replace
    print(args.out)
    for row in rows:
        telea, ns, model_psnr = row["psnr"]
        print(f"{row['label']:<40} Telea {telea:5.1f}  NS {ns:5.1f}  model {model_psnr:5.1f} dB")


if __name__ == "__main__":
    main()
