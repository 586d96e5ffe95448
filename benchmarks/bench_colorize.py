"""Time a 12-MP colourisation (4000×3000) on the CPU, and check that the luminance is kept.

    .venv/bin/python benchmarks/bench_colorize.py [--model CKPT] [--width 4000 --height 3000] [--repeat 3]

Photo: ``skimage.data.astronaut()`` scaled up to the size (bicubic; a real photo, not noise),
written once as a JPEG and read back, so decoding is a real JPEG decode. Model: ``--model``, or
the shipped colourisation model (``inpaint/weights/colorize.pt``), or — when neither exists — a
randomly initialised U-Net of the task's layout (ngf 32, 1 → 2 channels, ``--size`` px); the time
does not depend on the weights. Timed separately, best of ``--repeat``:

* decode: :func:`inpaint.imageio.load_photo` of the JPEG;
* colourise: the photo's luminance → :class:`inpaint.colorize.engine.ColorizeEngine` (scale down,
  model, guided chroma upsampling, recombination) — the figure of the ≤ 3 s target;
* the same with ``upsample="bilinear"`` (what the edge-aware upsampling costs);
* encode: the result as a PNG (``save_image``, atomic) and as a JPEG (quality 95);
* baseline, measured in the same run: ``cv2.cvtColor`` RGB → grey plus ``cv2.resize`` of the same
  photo to the model's size (the least any colouriser must do); ratios are printed against it
  and against the decode.

Also printed: the largest difference between the output's BT.601 luminance and the input's
(target ≤ 1 level; :func:`inpaint.color.recombine` guarantees ≤ 0.5).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np


def model(size: int, checkpoint: str | None):
    """The colourisation model timed: ``checkpoint`` (or the shipped one) when there is one, else a
    randomly initialised U-Net of the task's layout (ngf 32, 1 → 2 channels, ``size`` px)."""
    import torch

    from inpaint.default_model import COLORIZE_CHECKPOINT

    path = checkpoint or (COLORIZE_CHECKPOINT if COLORIZE_CHECKPOINT.is_file() else None)
    if path is not None:
        from inpaint.tasks import load_task_model

        loaded = load_task_model(path, expect="colorize")
        return loaded.model, loaded.image_size, f"{Path(path).name} (ngf {loaded.state['generator_config']['ngf']})"
    from inpaint.config import GeneratorConfig
    from inpaint.models import build_generator

    torch.manual_seed(0)
    cfg = GeneratorConfig(kind="unet", mode="full", image_size=size, ngf=32, upsample="bilinear",
                          image_channels=1, out_channels=2)
    return build_generator(cfg).eval(), size, "random-weight U-Net ngf 32, 1→2"


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--model", default=None, help="colourisation checkpoint [default: the shipped one]")
    parser.add_argument("--size", type=int, default=256,
                        help="the random-weight model's side (128 or 256) when there is no checkpoint")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import torch
    from PIL import Image
    from skimage import data

    from inpaint.color import luminance
    from inpaint.colorize.engine import ColorizeEngine
    from inpaint.colorize.photo import photo_luminance
    from inpaint.imageio import load_photo, save_image

    net, size, kind = model(args.size, args.model)
    rgb = cv2.resize(data.astronaut(), (args.width, args.height), interpolation=cv2.INTER_CUBIC)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "photo.jpg"
        Image.fromarray(rgb).save(src, quality=95)
        t_decode, photo = best(lambda: load_photo(src), args.repeat)

        def baseline():
            grey = cv2.cvtColor(photo.rgb, cv2.COLOR_RGB2GRAY)
            scale = size / max(grey.shape)
            return cv2.resize(grey, (round(grey.shape[1] * scale), round(grey.shape[0] * scale)),
                              interpolation=cv2.INTER_AREA)

        t_base, _ = best(baseline, args.repeat)
        engines = {up: ColorizeEngine(net, size, upsample=up) for up in ("guided", "bilinear")}
        engines["guided"].colorize_luminance(photo_luminance(photo)[:64, :64])  # warm-up
        times, outs = {}, {}
        for up, engine in engines.items():
            times[up], outs[up] = best(lambda: engine.colorize_luminance(photo_luminance(photo)), args.repeat)
        out = outs["guided"]
        y = photo_luminance(photo)
        diff = float(np.abs(luminance(out) - y).max())
        img = Image.fromarray(out)
        t_png, _ = best(lambda: save_image(img, Path(tmp) / "out.png", overwrite=True), 1)
        t_jpg, _ = best(lambda: save_image(img, Path(tmp) / "out.jpg", overwrite=True), 1)

    mp = args.width * args.height / 1e6
    print(f"{args.width}×{args.height} ({mp:.1f} MP), model {kind}, {size} px, "
          f"torch threads {torch.get_num_threads()}, best of {args.repeat}")
    print(f"{'step':<32} {'seconds':>8} {'÷ baseline':>11} {'÷ decode':>9}")
    rows = [("decode (JPEG, load_photo)", t_decode), ("baseline: cvtColor grey + resize", t_base),
            ("colourise (guided, default)", times["guided"]), ("colourise (bilinear)", times["bilinear"]),
            ("encode PNG (save_image)", t_png), ("encode JPEG q95 (save_image)", t_jpg)]
    for name, sec in rows:
        print(f"{name:<32} {sec:>8.3f} {sec / t_base:>11.1f} {sec / t_decode:>9.2f}")
    print(f"max |luminance(output) − luminance(input)|: {diff:.3f} levels (target ≤ 1)")
    print(f"target: colourise ≤ 3 s → {'met' if times['guided'] <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
