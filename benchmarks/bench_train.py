"""Training speed on this machine (CPU by default), for the default CE config at 128 px.

Prints:
  * matmul GFLOP/s: a large float32 ``torch.mm`` — the machine's practical peak;
  * bare step: images/s and achieved GFLOP/s of forward + backward + optimiser steps (G and D)
    on synthetic tensors, FLOPs counted with ``torch.utils.flop_counter.FlopCounterMode``,
    for each variant tried (threads, channels-last, plain Adam, torch.compile), as ratios
    against the default;
  * full step: images/s of the real training loop from its own ``metrics.jsonl``, for the
    default CE config and the shipped model's recipe, with the old per-sample input path
    (``cache: off``, fresh masks: the baseline, same run) and the cached pipeline, and the share
    of step time spent waiting for data (target < 10 %).

Timings are noisy on a shared machine: compare the ratios printed within one run.

    python benchmarks/bench_train.py                 # ~3-4 min on 2 cores
    python benchmarks/bench_train.py --compile       # also try torch.compile (slow to compile)
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.flop_counter import FlopCounterMode

from inpaint.models import build_discriminator, build_generator
from inpaint.train import build_config
from inpaint.train.distributed import DistInfo
from inpaint.train.step import StepRunner, adam


MM_SIDE = 1024  # 4 products of 1024² float32 matrices: ~8.6 GFLOP, the machine's practical peak


def synthetic_batch(cfg, batch: int) -> dict:
    s = cfg.generator.image_size
    g = torch.Generator().manual_seed(0)
    image = torch.rand(batch, 3, s, s, generator=g) * 2 - 1
    mask = torch.zeros(batch, 1, s, s)
    a, o = s // 4, cfg.generator.overlap
    mask[..., a + o:s - a - o, a + o:s - a - o] = 1
    inp = torch.where(mask > 0, torch.zeros_like(image), image)
    return {"image": image, "mask": mask, "input": inp}


def make_runner(cfg, optimizer: str = "default", compile_: bool = False) -> StepRunner:
    """A StepRunner as the training loop builds it (``optimizer="default"``: step.adam)."""
    torch.manual_seed(0)
    fmt = torch.channels_last if cfg.runtime.channels_last else torch.preserve_format
    g = build_generator(cfg.generator).to(memory_format=fmt)
    d = build_discriminator(cfg.discriminator, cfg.generator).to(memory_format=fmt)
    if optimizer == "default":
        opt_g, opt_d = adam(g.parameters(), 2e-4, (0.5, 0.999)), adam(d.parameters(), 2e-5, (0.5, 0.999))
    else:  # plain per-parameter Adam, torch's CPU default
        opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), foreach=False)
        opt_d = torch.optim.Adam(d.parameters(), lr=2e-5, betas=(0.5, 0.999), foreach=False)
    if compile_:
        g = torch.compile(g)
    return StepRunner(cfg, g, d, opt_g, opt_d, torch.device("cpu"), DistInfo())


def step_flops(runner: StepRunner, data: dict) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        runner.step(data)
    return int(counter.get_total_flops())


def timed_round_robin(jobs: dict, rounds: int, threads: int) -> dict[str, float]:
    """Median seconds of each job ``name -> (callable, n_threads)``, timed round-robin so that
    load from other processes on a shared machine hits every job alike."""
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for fn, n_threads in jobs.values():  # warm-up (allocator, Adam state, compile)
        torch.set_num_threads(n_threads)
        fn()
        fn()
    for _ in range(rounds):
        for name, (fn, n_threads) in jobs.items():
            torch.set_num_threads(n_threads)
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    torch.set_num_threads(threads)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def make_photos(folder: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    for i in range(n):
        h, w = 375, 500
        y, x = np.mgrid[0:h, 0:w]
        img = np.stack([x // 2 + i, y // 2, (x + y) // 4], -1) + rng.integers(0, 40, (h, w, 3))
        Image.fromarray((img % 256).astype(np.uint8)).save(folder / f"p{i:03d}.jpg", quality=90)


def full_step(settings: dict, steps: int) -> tuple[float, float]:
    """(images/s, compute share) of the real loop over its second half, from its
    metrics.jsonl: wall time includes data loading, masks, pre-fill, progress bar and logging;
    the compute share is the part spent inside forward/backward/optimiser."""
    from inpaint.train import run_training

    cfg = build_config({**settings, "steps": steps, "log_every": steps // 2, "sample_every": 0,
                        "val_every": 0, "ckpt_every": 0, "val_max": 1})
    run_training(cfg, overwrite=True)
    lines = [json.loads(x) for x in (Path(settings["out"]) / "metrics.jsonl").read_text().splitlines()]
    last = [x for x in lines if x["kind"] == "train"][-1]
    return last["images_per_s"], last["compute_share"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3, help="timed bare steps per variant")
    ap.add_argument("--full-steps", type=int, default=6, help="real-loop steps (second half timed)")
    ap.add_argument("--image-size", type=int, default=128)
    ap.add_argument("--workers", type=int, default=0, help="loader workers of the real loop")
    ap.add_argument("--compile", action="store_true", help="also time torch.compile (slow to build)")
    args = ap.parse_args()
    start = time.perf_counter()
    base = {"image_size": args.image_size, "batch_size": args.batch, "device": "cpu"}
    cfg = build_config(base)
    threads = torch.get_num_threads()
    g, d = cfg.generator, cfg.discriminator
    print(f"default CE: {g.image_size}px ngf {g.ngf} bottleneck {g.params.bottleneck} {g.params.n_bottleneck}, "
          f"D {d.kind} ndf {d.ndf}, batch {args.batch}, {threads} threads")

    data = synthetic_batch(cfg, args.batch)
    baseline = make_runner(cfg)
    flops = step_flops(baseline, data)
    runners = {"default (fused Adam)": (baseline, threads),
               "plain Adam": (make_runner(cfg, optimizer="plain"), threads),
               "channels-last": (make_runner(build_config({**base, "channels_last": True})), threads)}
    if threads > 1:
        runners[f"1 thread (of {threads})"] = (baseline, 1)
    if args.compile:
        runners["torch.compile"] = (make_runner(cfg, compile_=True), threads)
    a, b = torch.randn(MM_SIDE, MM_SIDE), torch.randn(MM_SIDE, MM_SIDE)
    mm = lambda: [torch.mm(a, b) for _ in range(4)]  # noqa: E731
    jobs = {f"matmul@{n}": (mm, n) for n in sorted({threads, 1})}
    jobs.update({name: (lambda r=r: r.step(data), n) for name, (r, n) in runners.items()})
    results = timed_round_robin(jobs, args.rounds, threads)
    peaks = {n: 4 * 2 * MM_SIDE ** 3 / results.pop(f"matmul@{n}") / 1e9 for n in sorted({threads, 1})}
    for n, peak in peaks.items():
        print(f"matmul peak (float32 torch.mm {MM_SIDE}², {n} thread(s)): {peak:.1f} GFLOP/s")
    ref = results["default (fused Adam)"]
    for name, sec in results.items():
        n = runners[name][1]
        print(f"bare step {name:>22}: {args.batch / sec:6.1f} img/s  {sec * 1000:5.0f} ms/step  "
              f"x{ref / sec:.2f} vs default  {flops / sec / 1e9:6.1f} GFLOP/s = "
              f"{flops / sec / 1e9 / peaks[n]:.0%} of matmul ({n} thread(s))")
    print(f"FLOPs per training step (G+D forward/backward, batch {args.batch}): {flops / 1e9:.1f} GFLOP")
    del runners, jobs, baseline

    tmp = Path(tempfile.mkdtemp(prefix="bench_train_"))
    recipe = {"mask": "mixed", "mask_mix": "center=1,block=1,region=1,stroke=1,thin=0.5,medium=0.5,thick=0.5",
              "generator": "unet", "ngf": 16, "scale_min": 128, "scale_max": 448, "prefill": "telea",
              "residual": True, "mask_channel": True, "dropout": 0.0, "rec_loss": "l1", "adv_weight": 0.0,
              "lr": 0.001, "lr_schedule": "cosine"}
    paths = {"old path (cache off, fresh masks)": {"cache": "off", "mask_bank": 0},
             "cached pipeline": {}}
    try:
        (tmp / "photos").mkdir()
        make_photos(tmp / "photos", max(2 * args.batch, 32))
        for label, extra, steps in (("default CE", {}, args.full_steps),
                                    ("shipped recipe", recipe, 2 * args.full_steps)):
            got = {}
            for path, settings in paths.items():
                got[path] = full_step({**base, **extra, **settings, "data_dir": str(tmp / "photos"),
                                       "out": str(tmp / "run"), "val_fraction": 0.0,
                                       "workers": args.workers}, steps)
            (old_ips, _), (new_ips, new_share) = got.values()
            for path, (ips, share) in got.items():
                print(f"full step {label}, {path} (500x375 JPEG photos, {args.workers} workers): {ips:.1f} img/s; "
                      f"{1 - share:.1%} of step time waiting for data")
            print(f"full step {label}: cached pipeline x{new_ips / old_ips:.2f} vs old path (same run; "
                  f"target: no slower, waiting < 10%)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"benchmark took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
