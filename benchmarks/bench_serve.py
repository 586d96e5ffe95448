"""Load on `inpaint serve`: 20 concurrent fills of 1024² photos through the HTTP API.

    .venv/bin/python benchmarks/bench_serve.py [--clients 20] [--size 1024] [--method model] [--workers 1]

Starts the real server (`python -m cli.main serve --port 0`, the shipped default model unless
``--checkpoint``) in its own process, sends ``--clients`` fills at once (each a different crop
of ``skimage.data.astronaut()`` scaled to ``--size``², PNG, with one object-sized hole plus a
stroke from ``masks``), checks every answer (200, a PNG of the right size, known pixels
bit-exact) and prints the wall time, the latency of each fill and the server's peak resident
memory (``VmHWM`` of its process: the interpreter, torch, the model, every upload and fill).
Targets: no error, peak RSS below 2 GiB. A benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
GIB = 1 << 30


def _photo(size: int, index: int) -> np.ndarray:
    from skimage import data

    big = cv2.resize(data.astronaut(), (size + 64, size + 64), interpolation=cv2.INTER_CUBIC)
    dy, dx = (index * 7) % 64, (index * 13) % 64   # a different crop per client
    return np.ascontiguousarray(big[dy:dy + size, dx:dx + size])


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--method", default="model")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args()

    import httpx

    import masks

    rng = np.random.default_rng(0)
    make_hole = masks.make_generator("object")
    jobs = [(_photo(args.size, i), make_hole(args.size, args.size, rng)) for i in range(args.clients)]
    payloads = [(_png(image), _png(hole)) for image, hole in jobs]

    command = [sys.executable, "-m", "cli.main", "serve", "--port", "0", "--workers", str(args.workers),
               "--queue", str(max(args.clients, 1))]
    if args.checkpoint:
        command += ["--checkpoint", args.checkpoint]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("inpaint serve: "):
            raise SystemExit(f"the server did not start: {line!r}")
        url = line.split()[2]
        idle_rss = _peak_rss(server.pid)
        results: list = [None] * args.clients
        barrier = threading.Barrier(args.clients)

        def client(i: int) -> None:
            image, hole = payloads[i]
            barrier.wait()
            start = time.perf_counter()
            try:
                r = httpx.post(url + "api/fill", files={"image": ("p.png", image), "mask": ("m.png", hole)},
                               data={"method": args.method}, timeout=3600)
                results[i] = (r, time.perf_counter() - start)
            except Exception as exc:  # noqa: BLE001  (report every failure, keep counting)
                results[i] = (exc, time.perf_counter() - start)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        peak = _peak_rss(server.pid)
    finally:
        server.terminate()
        server.wait(30)

    errors, latencies = [], []
    for i, (result, seconds) in enumerate(results):
        latencies.append(seconds)
        image, hole = jobs[i]
        if isinstance(result, Exception):
            errors.append(f"client {i}: {result!r}")
        elif result.status_code != 200:
            errors.append(f"client {i}: {result.status_code} {result.text[:200]}")
        else:
            out = np.asarray(Image.open(io.BytesIO(result.content)))
            if out.shape != image.shape or not np.array_equal(out[hole == 0], image[hole == 0]):
                errors.append(f"client {i}: the known pixels changed")
    lat = np.array(latencies)
    print(f"inpaint serve: {args.clients} concurrent fills of {args.size}² photos, method {args.method}, "
          f"{args.workers} worker(s)")
    print(f"  errors           {len(errors)}")
    for error in errors:
        print(f"    {error}")
    print(f"  wall time        {wall:.1f} s  ({args.clients / wall:.2f} fills/s)")
    print(f"  latency          median {np.median(lat):.1f} s, max {lat.max():.1f} s")
    print(f"  server peak RSS  {peak / 2**20:.0f} MiB (after start-up: {idle_rss / 2**20:.0f} MiB); "
          f"target < {2 * GIB / 2**20:.0f} MiB: {'ok' if peak < 2 * GIB else 'OVER'}")
    if errors or peak >= 2 * GIB:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
