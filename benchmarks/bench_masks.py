"""Masks per second for every kind and preset at 256×256, one process, generation only.

The ratios are printed against a baseline timed in the same run (absolute figures on a shared
machine are noisy): a straightforward generator of LaMa's thin/medium/thick masks written from
the published recipe's parameters (:data:`RECIPE`), drawing each random number where it is
used, one segment at a time — the plain way to write it, which ``masks.strokes`` vectorises.

    .venv/bin/python benchmarks/bench_masks.py [--seconds 1.0] [--size 256]
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass

import cv2
import numpy as np

import masks

TARGETS = {"center": 20000, "block": 20000, "region": 3000, "stroke": 3000,
           "thin": 3000, "medium": 3000, "thick": 3000}

CASES = [
    ("center", {"overlap": 4}),
    ("block", {}),
    ("region", {"source": "noise"}),
    ("region", {"source": "blobs"}),
    ("stroke", {}),
    ("thin", {}),
    ("medium", {}),
    ("thick", {}),
    ("mixed", {}),
]


def rate(fn, seconds: float) -> float:
    fn()  # warm-up
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(20):
            fn()
        n += 20
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


# --- baseline: LaMa's recipe, written plainly ------------------------------------------------
@dataclass(frozen=True)
class Recipe:
    """One LaMa preset at 256 px: ``strokes`` (min, max) per mask, widths up to ``width`` px,
    segment lengths up to ``length`` px, and with probability ``box_p`` boxes of side ``box``
    (min, max) px instead of strokes."""

    strokes: tuple[int, int]
    width: int
    length: int
    box_p: float = 0.0
    box: tuple[int, int] = (0, 0)


#: The published presets' parameters (facts of the recipe, not code).
RECIPE = {
    "thin": Recipe(strokes=(4, 50), width=10, length=40),
    "medium": Recipe(strokes=(4, 5), width=50, length=100, box_p=0.3, box=(10, 50)),
    "thick": Recipe(strokes=(1, 5), width=100, length=200, box_p=0.3, box=(30, 150)),
}


def baseline_mask(recipe: Recipe, size: int, rng: np.random.Generator) -> np.ndarray:
    """One mask of ``recipe`` at ``size``×``size``: every draw a separate scalar call."""
    canvas = np.zeros((size, size), np.uint8)
    if recipe.box_p and rng.random() < recipe.box_p:
        for _ in range(int(rng.integers(1, 6))):
            side_w = int(rng.integers(recipe.box[0], min(recipe.box[1], size)))
            side_h = int(rng.integers(recipe.box[0], min(recipe.box[1], size)))
            top = int(rng.integers(0, size - side_h + 1))
            left = int(rng.integers(0, size - side_w + 1))
            canvas[top:top + side_h, left:left + side_w] = 255
        return canvas
    for stroke in range(int(rng.integers(recipe.strokes[0], recipe.strokes[1] + 1))):
        x, y = int(rng.integers(0, size)), int(rng.integers(0, size))
        mirror = -1.0 if stroke % 2 == 0 else 1.0
        for _ in range(int(rng.integers(1, 6))):
            angle = 0.01 + int(rng.integers(0, 4))
            step = 10 + rng.random() * recipe.length
            thickness = 5 + int(rng.random() * recipe.width)
            nx = min(max(int(x + mirror * step * math.sin(angle)), 0), size)
            ny = min(max(int(y + step * math.cos(angle)), 0), size)
            cv2.line(canvas, (x, y), (nx, ny), 255, thickness)
            x, y = nx, ny
    return canvas


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="time per case")
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args()
    cv2.setNumThreads(1)

    base_rng = np.random.default_rng(0)
    baseline = {name: rate(lambda r=r: baseline_mask(r, args.size, base_rng), args.seconds)
                for name, r in RECIPE.items()}
    print(f"baseline (LaMa recipe, one draw per call) at {args.size}x{args.size}, masks/s: "
          + ", ".join(f"{k} {v:,.0f}" for k, v in baseline.items()))
    print(f"{'kind':<16}{'masks/s':>10}{'target':>9}  {'vs baseline':>11}  mean hole")
    for kind, params in CASES:
        gen = masks.make_generator(kind, **params)
        rng = np.random.default_rng(0)
        r = rate(lambda: gen(args.size, args.size, rng), args.seconds)
        fr = np.mean([masks.hole_fraction(gen(args.size, args.size, rng)) for _ in range(200)])
        label = kind if not params or kind == "center" else f"{kind}:{params.get('source')}"
        ref = baseline.get(kind)
        target = TARGETS.get(kind) if label in (kind, "region:noise") else None
        ok = "" if target is None else ("  ok" if r >= target else "  BELOW TARGET")
        print(f"{label:<16}{r:>10,.0f}{(f'{target:,}' if target else '-'):>9}  {('x%.1f' % (r / ref)) if ref else '':>11}"
              f"  {fr:.3f}{ok}")


if __name__ == "__main__":
    main()
