"""Masks per second for every kind and preset at 256×256, one process, generation only.

Also times a plain re-implementation of LaMa's own mask code (per-segment ``np.random`` calls,
float32 canvas) in the same run, as the baseline the ratios are printed against, because
absolute figures on a shared machine are noisy.

    .venv/bin/python benchmarks/bench_masks.py [--seconds 1.0] [--size 256]
"""

from __future__ import annotations

import argparse
import time

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


# --- LaMa's reference recipe (saicinpainting/training/data/masks.py), as published -------------
def lama_irregular(shape, max_angle=4, max_len=60, max_width=20, min_times=0, max_times=10):
    height, width = shape
    mask = np.zeros((height, width), np.float32)
    times = np.random.randint(min_times, max_times + 1)
    for i in range(times):
        start_x = np.random.randint(width)
        start_y = np.random.randint(height)
        for _ in range(1 + np.random.randint(5)):
            angle = 0.01 + np.random.randint(max_angle)
            if i % 2 == 0:
                angle = 2 * 3.1415926 - angle
            length = 10 + np.random.randint(max_len)
            brush_w = 5 + np.random.randint(max_width)
            end_x = np.clip((start_x + length * np.sin(angle)).astype(np.int32), 0, width)
            end_y = np.clip((start_y + length * np.cos(angle)).astype(np.int32), 0, height)
            cv2.line(mask, (start_x, start_y), (int(end_x), int(end_y)), 1.0, brush_w)
            start_x, start_y = int(end_x), int(end_y)
    return mask


def lama_boxes(shape, margin=10, bbox_min_size=30, bbox_max_size=100, min_times=0, max_times=3):
    height, width = shape
    mask = np.zeros((height, width), np.float32)
    bbox_max_size = min(bbox_max_size, height - margin * 2, width - margin * 2)
    for _ in range(np.random.randint(min_times, max_times + 1)):
        bw = np.random.randint(bbox_min_size, bbox_max_size)
        bh = np.random.randint(bbox_min_size, bbox_max_size)
        x = np.random.randint(margin, width - margin - bw + 1)
        y = np.random.randint(margin, height - margin - bh + 1)
        mask[y : y + bh, x : x + bw] = 1
    return mask


LAMA = {
    "thin": lambda s: lama_irregular(s, max_angle=4, max_len=40, max_width=10, min_times=4, max_times=50),
    "medium": lambda s: lama_irregular(s, max_angle=4, max_len=100, max_width=50, min_times=4, max_times=5),
    "thick": lambda s: lama_irregular(s, max_angle=4, max_len=200, max_width=100, min_times=1, max_times=5),
    "boxes": lambda s: lama_boxes(s),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="time per case")
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    shape = (args.size, args.size)

    np.random.seed(0)
    baseline = {name: rate(lambda f=f: f(shape), args.seconds) for name, f in LAMA.items()}
    print(f"LaMa reference code at {args.size}x{args.size} (baseline, masks/s): "
          + ", ".join(f"{k} {v:,.0f}" for k, v in baseline.items()))
    print(f"{'kind':<16}{'masks/s':>10}{'target':>9}  {'vs LaMa ref':>11}  mean hole")
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
