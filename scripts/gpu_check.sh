#!/usr/bin/env bash
# The GPU check (≤ 5 minutes on one GPU): CUDA tests, both shipped recipes trained for 300 steps
# (images/s and the GPU's busy share), and the time of a 4096² fill.
#
#   bash scripts/gpu_check.sh [STEPS]     (default 300)
#
# Busy share, two ways: (1) the loop's images/s over the bare step's on a batch already on the
# GPU (same model, same batch, no input pipeline): the share of GPU time the pipeline leaves
# idle is 1 - full/bare; (2) nvidia-smi's utilisation sampled during the run, when available.
set -euo pipefail
steps=${1:-300}
cd "$(dirname "$0")/.."
python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'gpu_check: no CUDA GPU here')"
python -m pytest -q tests/test_cuda.py
python - "$steps" <<'PY'
import json, shutil, subprocess, sys, tempfile, threading, time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from inpaint.models import build_generator, build_discriminator
from inpaint.train import build_config, run_training
from inpaint.train.distributed import DistInfo
from inpaint.train.step import StepRunner, adam

steps = int(sys.argv[1])
RECIPES = {
    "recipe": {"mask": "mixed", "mask_mix": "center=1,block=1,region=1,stroke=1,thin=0.5,medium=0.5,thick=0.5",
               "generator": "unet", "ngf": 16, "scale_min": 128, "scale_max": 448, "prefill": "telea",
               "residual": True, "mask_channel": True, "dropout": 0.0, "rec_loss": "l1", "adv_weight": 0.0,
               "lr": 0.001, "lr_schedule": "cosine"},
    "paper-ce": {"mask": "center"},
}
tmp = Path(tempfile.mkdtemp(prefix="gpu_check_"))
rng = np.random.default_rng(0)
(tmp / "photos").mkdir()
for i in range(256):  # 1024x768 JPEGs: a realistic decode cost (decoded once, into the cache)
    y, x = np.mgrid[0:768, 0:1024]
    img = np.stack([x // 3 + 7 * i, y // 3, (x + y) // 5], -1) + rng.integers(0, 40, (768, 1024, 3))
    Image.fromarray((img % 256).astype(np.uint8)).save(tmp / "photos" / f"p{i:03d}.jpg", quality=90)


def smi_sampler(samples, stop):
    while not stop.is_set():
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits",
                                  f"--id={torch.cuda.current_device()}"], capture_output=True, text=True, timeout=5)
            samples.append(float(out.stdout.strip().splitlines()[0]))
        except (OSError, ValueError, IndexError, subprocess.SubprocessError):
            return
        time.sleep(0.5)


def bare_images_per_s(cfg, n=50):
    torch.manual_seed(0)
    g = build_generator(cfg.generator).cuda()
    d = build_discriminator(cfg.discriminator, cfg.generator).cuda() if cfg.adversarial else None
    runner = StepRunner(cfg, g, d, adam(g.parameters(), 1e-4, (0.5, 0.999)),
                        adam(d.parameters(), 1e-5, (0.5, 0.999)) if d is not None else None,
                        torch.device("cuda"), DistInfo())
    s, b = cfg.generator.image_size, cfg.schedule.batch_size
    batch = {"image": torch.rand(b, 3, s, s, device="cuda") * 2 - 1, "mask": torch.zeros(b, 1, s, s, device="cuda")}
    batch["mask"][..., s // 4:-s // 4, s // 4:-s // 4] = 1
    batch["input"] = torch.cat([batch["image"], batch["mask"]], 1)[:, :cfg.generator.in_channels]
    for _ in range(10):
        runner.step(batch).read()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(n):
        stats = runner.step(batch)
    stats.read()
    return n * b / (time.perf_counter() - t)


try:
    for name, recipe in RECIPES.items():
        cfg = build_config({**recipe, "data_dir": str(tmp / "photos"), "out": str(tmp / name), "steps": steps,
                            "batch_size": 64, "image_size": 128, "device": "cuda", "log_every": steps // 3,
                            "val_every": 0, "sample_every": 0, "ckpt_every": 0, "val_max": 16})
        samples, stop = [], threading.Event()
        th = threading.Thread(target=smi_sampler, args=(samples, stop), daemon=True)
        th.start()
        t = time.perf_counter()
        run_training(cfg, overwrite=True)
        wall = time.perf_counter() - t
        stop.set()
        rows = [json.loads(x) for x in (tmp / name / "metrics.jsonl").read_text().splitlines()]
        last = [r for r in rows if r["kind"] == "train"][-1]
        bare = bare_images_per_s(cfg)
        smi = f", nvidia-smi utilisation {np.mean(samples[len(samples) // 3:]):.0f} %" if len(samples) > 3 else ""
        print(f"{name}: {last['images_per_s']:.0f} images/s in the loop (last third of {steps} steps, batch 64), "
              f"bare step {bare:.0f} images/s: GPU busy {min(1.0, last['images_per_s'] / bare):.0%}{smi}; "
              f"not waiting for data {last['compute_share']:.0%}; whole run {wall:.0f} s incl. cache and start")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
PY
python - <<'PY'
import time

import numpy as np

from inpaint.api import Inpainter
from inpaint.default_model import DEFAULT_CHECKPOINT

rng = np.random.default_rng(0)
y, x = np.mgrid[0:4096, 0:4096]
rgb = (np.stack([x // 16, y // 16, (x + y) // 32], -1) % 256).astype(np.uint8)
hole = np.zeros((4096, 4096), np.uint8)
for _ in range(12):
    r, c = rng.integers(0, 3800, 2)
    hole[r:r + rng.integers(40, 300), c:c + rng.integers(40, 300)] = 255
painter = Inpainter.from_checkpoint(DEFAULT_CHECKPOINT, device="cuda")
painter.fill_array(rgb[:512, :512], hole[:512, :512])  # warm-up
times = []
for _ in range(3):
    t = time.perf_counter()
    painter.fill_array(rgb, hole)
    times.append(time.perf_counter() - t)
print(f"fill 4096x4096, 12 holes, default model on CUDA: {np.median(times):.2f} s (median of 3)")
PY
