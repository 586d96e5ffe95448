"""Loader passes: how long the training step waits for data when each loader pass is one epoch
(the trainer until now) against passes of whole epochs up to ``PASS_BATCHES`` batches (now).

Every new pass over a ``DataLoader`` with persistent workers starts their prefetch from empty, so
the first batches of each pass are waited for. With a small photo folder an epoch is only a few
steps (392 photos at batch 64: 6), and on an H200 the trainer's steps then waited for data 40-57 %
of the time (``compute_share`` 0.43-0.62 in ``metrics.jsonl``; scripts/gpu_session.sh). The
sample order is the same either way (``EpochSampler`` yields the same keys).

The GPU is stood in for by a consumer that sleeps ``--step-ms`` per batch; the loader is the
trainer's (the shipped recipe's cached samples, persistent workers, prefetch 4). Both modes run in
the same process, alternating, and the ratio is printed.

    python benchmarks/bench_passes.py                 # ~40 s on 2 cores
    python benchmarks/bench_passes.py --workers 4 --step-ms 5

On this 2-core machine (48 photos, batch 16: 3 steps an epoch, 1 worker, 60 ms stand-in step):
184 against 222 images/s, x1.20; the step waited for data 31 % of the time before, 16 % now (the
rest is one worker's supply below the stand-in's demand).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import cv2
import torch
from torch.utils.data import DataLoader

from bench_input import RECIPES, make_photos
from inpaint.train import build_config
from inpaint.train.cached_samples import CachedTrainSet
from inpaint.train.config import parse_mask_mix
from inpaint.train.loop import PASS_BATCHES
from inpaint.train.photo_cache import PhotoCache, cache_levels
from inpaint.train.sampler import EpochSampler


def run(dataset, args, min_batches: int) -> tuple[float, float]:
    """(images/s, share of the wall time the consumer waited for data) over ``args.batches``."""
    sampler = EpochSampler(len(dataset), args.batch, seed=0, keyed=True, min_batches=min_batches)
    loader = DataLoader(dataset, batch_size=args.batch, sampler=sampler, num_workers=args.workers,
                        persistent_workers=True, prefetch_factor=4)
    spe = sampler.steps_per_epoch
    sampler.set_epoch(0)
    for _ in loader:  # start the workers, fill the caches' first use
        break
    done, wait = 0, 0.0
    t0 = time.perf_counter()
    while done < args.batches:
        sampler.set_epoch(*divmod(done, spe))
        ready = time.perf_counter()
        for _batch in loader:
            wait += time.perf_counter() - ready
            time.sleep(args.step_ms / 1000)
            done += 1
            if done >= args.batches:
                break
            ready = time.perf_counter()
    wall = time.perf_counter() - t0
    del loader
    return done * args.batch / wall, wait / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=48, help="synthetic JPEG photos (an epoch is photos // batch steps)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--step-ms", type=float, default=60.0, help="the stand-in GPU step per batch")
    ap.add_argument("--batches", type=int, default=100, help="batches timed per mode and round")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    tmp = Path(tempfile.mkdtemp(prefix="bench_passes_"))
    try:
        files = make_photos(tmp, args.photos, 640, 480)
        cfg = build_config({"image_size": 128, **RECIPES["recipe"], "data_dir": str(tmp), "out": str(tmp / "run"),
                            "batch_size": args.batch})
        g, scale = cfg.generator, cfg.scale_range()
        cache = PhotoCache.build(files, cache_levels(scale, g.image_size), "memory")
        dataset = CachedTrainSet(cache, g, cfg.data.mask, scale, seed=0, mask_mix=parse_mask_mix(cfg.data.mask_mix),
                                 mask_bank=cfg.data.mask_bank)
        print(f"{args.photos} photos, batch {args.batch} ({args.photos // args.batch} steps per epoch), "
              f"{args.workers} worker(s), stand-in step {args.step_ms:g} ms, {args.batches} batches per mode")
        results = {"one epoch a pass (before)": [], f"passes of >= {PASS_BATCHES} batches (now)": []}
        for _ in range(args.rounds):
            for (name, rows), mb in zip(results.items(), (1, PASS_BATCHES)):
                rows.append(run(dataset, args, mb))
        best = {}
        for name, rows in results.items():
            rate, waited = max(rows)
            best[name] = rate
            print(f"{name:>34}: {rate:6.0f} images/s, step waited for data {waited:.0%} of the time "
                  f"(best of {args.rounds})")
        before, now = best.values()
        ideal = args.batch / (args.step_ms / 1000)
        print(f"ratio now / before: x{now / before:.2f} (the stand-in GPU alone: {ideal:.0f} images/s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
