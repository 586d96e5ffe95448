"""Mask datasets on disk: generate a folder of PNG masks plus ``manifest.csv``, reproducibly.

Mask ``i`` of a dataset is drawn from ``numpy.random.default_rng([seed, i])``, so the files
depend only on the command's parameters and seed, never on the number of worker processes.
With ``bins="nvidia"`` index ``i`` is assigned bin ``i * 6 // count`` (equal counts, the
remainder spread over the bins deterministically) and drawn by rejection into that bin.
The folder is written beside the target under a temporary name and renamed into place at the
end, so an error or interruption never leaves a half-written dataset.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from masks.atomic import default_mode
from masks.constrained import Constrained
from masks.core import NVIDIA_BINS, area_bin, bin_label, check_size
from masks.errors import MaskError
from masks.io import encode_png
from masks.registry import make_generator

#: Area-bin schemes for stratified datasets: name -> ((lo, hi], ...).
BIN_SCHEMES: dict[str, tuple[tuple[float, float], ...]] = {"nvidia": NVIDIA_BINS}

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("file", "index", "kind", "params", "seed", "hole_fraction", "area_bin", "target_bin")
CHUNK = 32


@dataclass
class DatasetSpec:
    """What to generate: ``count`` masks of ``kind`` (``params`` as for make_generator) at
    ``height×width``, seeded by ``seed``, optionally stratified by the ``bins`` scheme."""

    kind: str
    count: int
    height: int = 256
    width: int = 256
    seed: int = 0
    params: dict = field(default_factory=dict)
    bins: Optional[str] = None
    max_tries: int = 10000  # per mask, when stratifying into bins (rare bins need many draws)

    def validate(self) -> "DatasetSpec":
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count <= 0:
            raise MaskError(f"count must be a positive integer, got {self.count!r}")
        check_size(self.height, self.width)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise MaskError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.bins is not None and self.bins not in BIN_SCHEMES:
            raise MaskError(f"unknown bins {self.bins!r}; valid: {', '.join(BIN_SCHEMES)}")
        if isinstance(self.max_tries, bool) or not isinstance(self.max_tries, int) or self.max_tries < 1:
            raise MaskError(f"max_tries must be a positive integer, got {self.max_tries!r}")
        gen = make_generator(self.kind, **dict(self.params))
        for b in self.bin_ranges():
            Constrained(gen, *b, max_tries=self.max_tries, include_min=False).check_possible(
                self.height, self.width)
        # Draw mask 0 now so impossible parameters fail before anything is written.
        mask_at(gen, self, 0)
        return self

    def bin_ranges(self) -> tuple[tuple[float, float], ...]:
        return BIN_SCHEMES[self.bins] if self.bins else ()

    def target_bin(self, index: int) -> Optional[tuple[float, float]]:
        ranges = self.bin_ranges()
        return ranges[index * len(ranges) // self.count] if ranges else None


def file_name(index: int) -> str:
    return f"{index:05d}.png"


def mask_at(gen, spec: DatasetSpec, index: int) -> np.ndarray:
    """Mask ``index`` of the dataset described by ``spec`` (generator already built)."""
    rng = np.random.default_rng([spec.seed, index])
    target = spec.target_bin(index)
    if target is not None:
        gen = Constrained(gen, target[0], target[1], max_tries=spec.max_tries, include_min=False)
    return gen.generate(spec.height, spec.width, rng)


def _write_chunk(spec_dict: dict, indices: list[int], folder: str) -> list[tuple[int, float]]:
    """Worker: write masks ``indices`` into ``folder``; return (index, hole fraction) pairs."""
    spec = DatasetSpec(**spec_dict)
    gen = make_generator(spec.kind, **dict(spec.params))
    out = []
    for i in indices:
        mask = mask_at(gen, spec, i)
        with open(os.path.join(folder, file_name(i)), "wb") as fh:
            fh.write(encode_png(mask))
        out.append((i, np.count_nonzero(mask) / mask.size))
    return out


def manifest_text(spec: DatasetSpec, fractions: dict[int, float]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    params = json.dumps(spec.params, sort_keys=True)
    for i in range(spec.count):
        f = fractions[i]
        target = spec.target_bin(i)
        writer.writerow([file_name(i), i, spec.kind, params, spec.seed, f"{f:.6f}",
                         area_bin(f) or "", bin_label(*target) if target else ""])
    return buf.getvalue()


def check_output_folder(out: Path, overwrite: bool) -> None:
    """MaskError when ``out`` is a file, or a non-empty folder and ``overwrite`` is off."""
    if out.exists() and not out.is_dir():
        raise MaskError(f"output path is a file, not a folder: {out}")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise MaskError(f"output folder {out} is not empty; use --overwrite to replace it")


def generate_dataset(spec: DatasetSpec, out, workers: int = 1, overwrite: bool = False,
                     progress: bool = True) -> dict[int, float]:
    """Write ``spec.count`` masks ``00000.png``… and ``manifest.csv`` into folder ``out``.

    Returns index → hole fraction. ``workers`` > 1 uses that many processes; the files are
    byte-identical whatever the number of workers.
    """
    from tqdm import tqdm

    spec.validate()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise MaskError(f"workers must be a positive integer, got {workers!r}")
    out = Path(out)
    check_output_folder(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    os.chmod(tmp, default_mode(directory=True))
    try:
        chunks = [list(range(a, min(a + CHUNK, spec.count))) for a in range(0, spec.count, CHUNK)]
        fractions: dict[int, float] = {}
        spec_dict = asdict(spec)
        with tqdm(total=spec.count, unit="mask", disable=not progress, desc="masks") as bar:
            if workers == 1 or len(chunks) == 1:
                for chunk in chunks:
                    fractions.update(_write_chunk(spec_dict, chunk, str(tmp)))
                    bar.update(len(chunk))
            else:
                with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
                    futures = [pool.submit(_write_chunk, spec_dict, c, str(tmp)) for c in chunks]
                    try:
                        for fut in as_completed(futures):
                            done = fut.result()
                            fractions.update(done)
                            bar.update(len(done))
                    except BaseException:
                        for fut in futures:
                            fut.cancel()
                        raise
        (tmp / MANIFEST).write_text(manifest_text(spec, fractions), encoding="utf-8")
        _move_into_place(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return fractions


def _move_into_place(tmp: Path, out: Path) -> None:
    if out.is_dir():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            os.replace(old, out)  # put the user's folder back
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)
