"""Input pipeline speed: samples/s per CPU core for everything the CPU does per sample.

For the shipped default model's recipe (mixed holes, multi-scale crops 128–448 px, Telea
prefill, mask channel), the paper's centre context encoder (350-px short side, centre
hole, mean-pixel prefill), both at 128 px, and the 256-px recipe of
``scripts/train_sharp_gpu.sh``, at batch 64, on one core (one torch and one OpenCV thread, as
each loader worker runs), it times:

* the old path (``cache: off``): decode + scale + crop per sample, a fresh mask, the prefill
  and the float tensors of ``InpaintDataset``, then collation — the baseline, same run;
* the cached path: crop from the decoded cache, a mask from the bank, Telea where the recipe
  uses it (reused over ``--prefill-reuse`` epochs: timed over whole reuse cycles, so its share
  is the amortised one), then collation and the copy into page-locked memory when CUDA is
  here (without CUDA: a plain copy of the same bytes stands in for it).

What the device then does per batch (flip, [-1, 1], prefill of the mean pixel, network input)
is not CPU work per sample and is not timed. The projected GPU busy share is
``min(1, workers × samples/s/core ÷ (batch ÷ step time))`` for ``--step-ms`` and ``--workers``.

    python benchmarks/bench_input.py                  # ~1 min on 2 cores
    python benchmarks/bench_input.py --step-ms 5 --workers 6
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from torch.utils.data import default_collate

from inpaint.train import build_config
from inpaint.train.cached_samples import CachedTrainSet
from inpaint.train.config import DEVICE_DEFAULTS, parse_mask_mix
from inpaint.train.photo_cache import PhotoCache, cache_levels
from inpaint.train.samples import InpaintDataset

RECIPES = {
    "recipe": {"mask": "mixed", "mask_mix": "center=1,block=1,region=1,stroke=1,thin=0.5,medium=0.5,thick=0.5",
               "generator": "unet", "ngf": 16, "scale_min": 128, "scale_max": 448, "prefill": "telea",
               "residual": True, "mask_channel": True, "dropout": 0.0},
    "paper-ce": {"mask": "center"},
    # scripts/train_sharp_gpu.sh: 256-px crops from short sides 256-512, object holes in the mix
    "sharp-256": {"mask": "mixed", "generator": "unet", "ngf": 16, "image_size": 256, "scale_min": 256,
                  "scale_max": 512, "prefill": "telea", "residual": True, "mask_channel": True, "dropout": 0.0,
                  "mask_mix": "center=1,block=1,region=1,stroke=1,thin=0.5,medium=0.5,thick=0.5,object=2"},
}


def make_photos(folder: Path, n: int, width: int, height: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        y, x = np.mgrid[0:height, 0:width]
        img = np.stack([x // 3 + 7 * i, y // 3, (x + y) // 5], -1) + rng.integers(0, 40, (height, width, 3))
        img = cv2.GaussianBlur((img % 256).astype(np.uint8), (5, 5), 1.5)
        path = folder / f"p{i:03d}.jpg"
        Image.fromarray(img).save(path, quality=90)
        paths.append(path)
    return paths


def transfer_copy(batch: dict) -> dict:
    """What the pin-memory thread does: copy the collated batch into page-locked memory."""
    if torch.cuda.is_available():
        return {k: v.pin_memory() for k, v in batch.items()}
    return {k: v.clone() for k, v in batch.items()}


def time_path(dataset, keys: list, batch: int) -> float:
    """Seconds per sample for loading ``keys`` in batches, collating and preparing transfer."""
    t = time.perf_counter()
    for start in range(0, len(keys) - batch + 1, batch):
        transfer_copy(default_collate([dataset[k] for k in keys[start:start + batch]]))
    return (time.perf_counter() - t) / (len(keys) // batch * batch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--photos", type=int, default=64, help="synthetic JPEG photos")
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--height", type=int, default=768)
    ap.add_argument("--baseline-batches", type=int, default=2, help="batches of the (slow) old path")
    ap.add_argument("--prefill-reuse", type=int, default=DEVICE_DEFAULTS["cuda"]["prefill_reuse"],
                    help="epochs a Telea sample is reused for (default: the CUDA default)")
    ap.add_argument("--step-ms", type=float, default=3.0, help="GPU step time of one batch, for the projection")
    ap.add_argument("--workers", type=int, default=8, help="loader workers, for the projection")
    args = ap.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    start = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench_input_"))
    rates = {}
    try:
        files = make_photos(tmp, args.photos, args.width, args.height)
        print(f"{args.photos} JPEG photos {args.width}x{args.height}, 128 px crops unless the recipe says, "
              f"batch {args.batch}, 1 core (1 torch + 1 OpenCV thread)")
        for name, settings in RECIPES.items():
            cfg = build_config({"image_size": 128, **settings, "data_dir": str(tmp), "out": str(tmp / "run"),
                                "batch_size": args.batch})
            gcfg, scale, mask = cfg.generator, cfg.scale_range(), cfg.data.mask
            mix = parse_mask_mix(cfg.data.mask_mix) if cfg.data.mask_mix else None
            old = InpaintDataset(files, gcfg, mask, scale, seed=0, train=True, mask_mix=mix)
            n_old = args.baseline_batches * args.batch
            old_s = time_path(old, [(0, i % len(files)) for i in range(n_old)], args.batch)

            t = time.perf_counter()
            cache = PhotoCache.build(files, cache_levels(scale, gcfg.image_size), "memory")
            build_s = time.perf_counter() - t
            t = time.perf_counter()
            reuse = args.prefill_reuse if gcfg.prefill == "telea" else 1
            new = CachedTrainSet(cache, gcfg, mask, scale, seed=0, mask_mix=mix,
                                 mask_bank=cfg.data.mask_bank, prefill_reuse=reuse)
            bank_s = time.perf_counter() - t
            epochs = 2 * reuse if reuse > 1 else max(2, 1024 // len(files))  # whole reuse cycles
            keys = [(e, i) for e in range(epochs) for i in range(len(files))]
            new_s = time_path(new, keys, args.batch)
            rates[name] = 1.0 / new_s
            mb = cache.buffer.nbytes / 2**20
            print(f"{name:>8}: old path {1 / old_s:7.0f} samples/s/core ({old_s * 1e3:5.2f} ms/sample); "
                  f"cached {1 / new_s:7.0f} samples/s/core ({new_s * 1e3:5.3f} ms/sample): x{old_s / new_s:.1f} "
                  f"vs old (same run)")
            print(f"{'':>8}  cache of {len(cache)} photos, levels {list(cache.levels)}: {mb:.0f} MiB, built in "
                  f"{build_s:.1f} s once; mask bank of {cfg.data.mask_bank}: {bank_s:.1f} s once"
                  + (f"; Telea reused over {reuse} epochs" if gcfg.prefill == "telea" else ""))
            demand = args.batch / (args.step_ms / 1000)
            supply = rates[name] * args.workers
            print(f"{'':>8}  projected GPU busy share at {args.step_ms:g} ms per batch of {args.batch} "
                  f"({demand:.0f} images/s) with {args.workers} workers: {min(1.0, supply / demand):.0%} "
                  f"(old path: {min(1.0, args.workers / old_s / demand):.0%})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"benchmark took {time.perf_counter() - start:.0f} s")
    print("input pipeline: " + ", ".join(f"{name} {rate:.0f} samples/s/core" for name, rate in rates.items()))


if __name__ == "__main__":
    main()
