"""Time `inpaint fill` on real photos against OpenCV Telea, and the peak memory of a 4096² fill.

    .venv/bin/python benchmarks/bench_fill.py [--sizes 512 1024 2048] [--checkpoint PATH]

Photo: ``skimage.data.astronaut()`` resized (a real photo, not noise). Holes: 25 % of the
photo as one block, and separately as a set of free-form strokes. Models: the default model
shipped with inpaint (``inpaint/weights/default.pt``) when present, a randomly
initialised model of the default CE architecture (GeneratorConfig defaults: ce, 128 px,
ngf 64, conv bottleneck 4000) — speed does not depend on the weights — and ``--checkpoint``
when given. Everything runs on the CPU in this process with the same thread count, so the
printed ratios (model time / Telea time, measured in the same run) are what to compare;
absolute times are noisy on a shared machine. Target: model/Telea ≤ 1.0 at 2048² with a 25 % hole
(the default model with its detail step; it is slower than Telea at 1024²).
Model fillers use ``ModelFiller``'s defaults, so mirror averaging (``flip``, one more model run
per window) and the native-resolution detail step are timed exactly as users get them (the
header says whether they are on), as is the PatchMatch layout for large holes; "default, no
layout" is the same model without the layout, "default, no detail" without either.

Peak memory: a separate Python process does one 4096² fill (block hole, then strokes; the
shipped default model, else the default CE) and reports its peak RSS (``resource.getrusage``, includes the interpreter and torch).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import cv2
import numpy as np

HOLE_FRACTION = 0.25


def photo(size: int) -> np.ndarray:
    from skimage import data

    return cv2.resize(data.astronaut(), (size, size), interpolation=cv2.INTER_CUBIC if size > 512 else cv2.INTER_AREA)


def block_mask(size: int) -> np.ndarray:
    side = int(round(size * HOLE_FRACTION ** 0.5))
    top, left = size // 3, size // 4
    mask = np.zeros((size, size), np.uint8)
    mask[top:top + side, left:left + side] = 255
    return mask


def stroke_mask(size: int, seed: int = 0) -> np.ndarray:
    import masks

    gen = masks.make_generator("stroke", preset="thick", min_fraction=0.22, max_fraction=0.28)
    return gen(size, size, np.random.default_rng(seed))


def default_model_filler(checkpoint=None, refine=None, detail=True, layout=True):
    import torch

    from inpaint.config import GeneratorConfig
    from inpaint.fill.engine import ModelFiller
    from inpaint.models import build_generator

    if checkpoint:
        from inpaint.checkpoint import load_generator

        model, cfg, _ = load_generator(checkpoint, "cpu")
    else:
        torch.manual_seed(0)
        cfg = GeneratorConfig()
        model = build_generator(cfg)
    # the engine's own default detail and layout settings unless switched off
    extra = ({} if detail else {"detail": None}) | ({} if layout else {"layout": None})
    return ModelFiller(model, cfg, "cpu", refine=refine, **extra)


def shipped_default():
    from inpaint.default_model import default_checkpoint

    return default_checkpoint()


def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def child_peak(size: int, hole: str) -> None:
    """Run in a subprocess: one fill of a size² photo, print peak RSS in MiB as JSON."""
    import torch

    torch.set_num_threads(1)
    filler = default_model_filler(shipped_default())
    image = photo(size)
    mask = block_mask(size) if hole == "block" else stroke_mask(size)
    t0 = time.perf_counter()
    out = filler.fill(image, mask)
    seconds = time.perf_counter() - t0
    assert out.shape == image.shape
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mib": peak_kib / 1024, "seconds": seconds}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--refine", type=float, default=0, help="also time the default CE with --refine SCALE")
    parser.add_argument("--memory-size", type=int, default=4096, help="0 skips the memory check")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child-hole", default="block", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_peak(args.child, args.child_hole)
        return

    import torch

    from inpaint.classical import classical_fill
    from inpaint.fill.engine import DETAIL_DEFAULT, FLIP_DEFAULT, LAYOUT_DEFAULT, ClassicalFiller

    class OpenCVTelea:  # the baseline: plain cv2.inpaint(INPAINT_TELEA, radius 3) on the photo
        fill = staticmethod(lambda image, mask: classical_fill(image, mask, "telea", 3))

    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    fillers = {"opencv telea r3": OpenCVTelea(), "engine telea": ClassicalFiller("telea")}
    if shipped_default() is not None:
        fillers["default model"] = default_model_filler(shipped_default())
        fillers["default, no layout"] = default_model_filler(shipped_default(), layout=False)
        fillers["default, no detail"] = default_model_filler(shipped_default(), detail=False, layout=False)
    fillers["ce-default(random)"] = default_model_filler()
    if args.refine:
        fillers[f"ce-default --refine {args.refine:g}"] = default_model_filler(refine=args.refine)
    if args.checkpoint:
        fillers["checkpoint"] = default_model_filler(args.checkpoint)
    print(f"threads={args.threads}, best of {args.repeats}; ratio = time / Telea time in this run; "
          f"model flip={'on' if FLIP_DEFAULT else 'off'}, detail={'on' if DETAIL_DEFAULT else 'off'}, "
          f"layout={'on' if LAYOUT_DEFAULT else 'off'} "
          "(the defaults of `inpaint fill`)")
    print(f"{'size':>6} {'hole':>7} {'method':>20} {'seconds':>8} {'ratio':>6}")
    for size in args.sizes:
        image = photo(size)
        for hole_name, mask in (("block", block_mask(size)), ("strokes", stroke_mask(size))):
            base = None
            for name, filler in fillers.items():
                filler.fill(image, mask) if size <= 512 else None  # warm-up (allocators, OpenMP)
                seconds = best_time(lambda: filler.fill(image, mask), args.repeats)
                base = seconds if base is None else base
                print(f"{size:>6} {hole_name:>7} {name:>20} {seconds:8.3f} {seconds / base:6.2f}"
                      f"   (hole {np.mean(mask > 0):.0%})", flush=True)
    for hole in ("block", "strokes") if args.memory_size else ():
        result = subprocess.run([sys.executable, __file__, "--child", str(args.memory_size), "--child-hole", hole],
                                capture_output=True, text=True, check=True)
        stats = json.loads(result.stdout.strip().splitlines()[-1])
        model = "shipped default model" if shipped_default() else "default CE"
        print(f"peak RSS of a separate process filling {args.memory_size}² ({hole}, {model}): "
              f"{stats['peak_mib']:.0f} MiB (fill {stats['seconds']:.2f} s; limit 2048 MiB; "
              f"importing torch alone is ~620 MiB here)")


if __name__ == "__main__":
    main()
