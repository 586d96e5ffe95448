"""Mask datasets on disk: generate a folder of PNG masks plus ``manifest.csv``, reproducibly.

Mask ``i`` of a dataset is drawn from ``numpy.random.default_rng([seed, i])``, so the files
depend only on the command's parameters and seed, never on the number of worker processes.
With ``bins="nvidia"`` index ``i`` is assigned bin ``i * 6 // count`` (equal counts, the
remainder spread over the bins deterministically) and drawn by rejection into that bin.
A new folder is written beside the target under a temporary name and renamed into place at
the end, so an error or interruption never leaves a half-written dataset. An existing folder
(empty, or a previous dataset replaced with ``overwrite``) is filled file by file from a
hidden folder inside it, manifest last; ``overwrite`` never deletes anything but the previous
dataset's own files, and refuses a folder holding anything else. Temporary folders left by a
killed run are removed by the next run for the same folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
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
_DATASET_FILE = re.compile(r"^\d{5,}\.png$")
# temporary folders of a generate: beside a new output folder, or inside an existing one
_INNER_PREFIX = ".masks-generate-"
_INNER_TEMP = re.compile(rf"^{re.escape(_INNER_PREFIX)}[a-z0-9_]{{8}}$")


def _sibling_temp(out: Path) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(out.name)}\.(?:tmp|old)-[a-z0-9_]{{8}}$")
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


def _listed_files(manifest: Path) -> set[str] | None:
    """Files listed by a ``manifest.csv`` this module wrote (None: not one of ours)."""
    try:
        with open(manifest, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if not rows or tuple(rows[0]) != MANIFEST_COLUMNS:
        return None
    return {row[0] for row in rows[1:] if row and _DATASET_FILE.match(row[0])}


def remove_leftovers(out: Path) -> None:
    """Delete the temporary folders a killed ``generate`` of ``out`` left, beside and inside it
    (only names this module makes; nothing else is touched)."""
    for folder, pattern in ((out.parent if str(out.parent) else Path("."), _sibling_temp(out)),
                            (out, _INNER_TEMP)):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if pattern.match(entry.name) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)


def check_output_folder(out: Path, overwrite: bool) -> None:
    """MaskError when ``out`` is a file, or a non-empty folder and ``overwrite`` is off, or
    ``overwrite`` is on but the folder holds anything besides a dataset this module wrote."""
    if out.exists() and not out.is_dir():
        raise MaskError(f"output path is a file, not a folder: {out}")
    if not out.is_dir():
        return
    entries = sorted(e.name for e in out.iterdir() if not _INNER_TEMP.match(e.name))
    if not entries:
        return
    if not overwrite:
        raise MaskError(f"output folder {out} is not empty; use --overwrite to replace it")
    owned = (_listed_files(out / MANIFEST) or set()) | {MANIFEST}
    foreign = [name for name in entries if name not in owned]
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise MaskError(f"output folder {out} holds {foreign[0]}{more}, which `masks generate` did not "
                        "write; --overwrite replaces only a mask dataset (its numbered PNGs and "
                        f"{MANIFEST}): move those away or choose another folder")


def generate_dataset(spec: DatasetSpec, out, workers: int = 1, overwrite: bool = False,
                     progress: bool = True) -> dict[int, float]:
    """Write ``spec.count`` masks ``00000.png``… and ``manifest.csv`` into folder ``out``.

    Returns index → hole fraction. ``workers`` > 1 uses that many processes; the files are
    byte-identical whatever the number of workers.
    """
    spec.validate()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise MaskError(f"workers must be a positive integer, got {workers!r}")
    out = Path(out)
    remove_leftovers(out)
    check_output_folder(out, overwrite)
    try:
        if out.is_dir():
            return _generate_in_place(spec, out, workers, progress)
        out.parent.mkdir(parents=True, exist_ok=True)
        return _generate_new(spec, out, workers, progress)
    except OSError as exc:  # name the folder the user gave, not a temporary one
        raise OSError(exc.errno, exc.strerror or str(exc), str(out)) from None


def _generate_new(spec: DatasetSpec, out: Path, workers: int, progress: bool) -> dict[int, float]:
    """``out`` does not exist: build the dataset in a folder beside it, then rename it (atomic)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent if str(out.parent) else "."))
    try:
        os.chmod(tmp, default_mode(directory=True))
        fractions = _write_all(spec, tmp, workers, progress)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return fractions


def _generate_in_place(spec: DatasetSpec, out: Path, workers: int, progress: bool) -> dict[int, float]:
    """``out`` is an existing folder (empty, or an old dataset with --overwrite; it may be ``.``
    or a mount point, which cannot be renamed): build the dataset in a hidden folder inside it,
    move the files in one by one (each rename atomic), drop the old dataset's other files, and
    write the manifest last, so an interrupted overwrite leaves no manifest claiming it is whole."""
    old = (_listed_files(out / MANIFEST) or set()) if (out / MANIFEST).is_file() else set()
    tmp = Path(tempfile.mkdtemp(prefix=_INNER_PREFIX, dir=out))
    try:
        fractions = _write_all(spec, tmp, workers, progress)
        (out / MANIFEST).unlink(missing_ok=True)
        new = {file_name(i) for i in range(spec.count)}
        for name in sorted(new):
            os.replace(tmp / name, out / name)
        for name in sorted(old - new):
            (out / name).unlink(missing_ok=True)
        os.replace(tmp / MANIFEST, out / MANIFEST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return fractions


def _write_all(spec: DatasetSpec, folder: Path, workers: int, progress: bool) -> dict[int, float]:
    """Every mask and the manifest into ``folder`` (a private temporary folder)."""
    from tqdm import tqdm

    chunks = [list(range(a, min(a + CHUNK, spec.count))) for a in range(0, spec.count, CHUNK)]
    fractions: dict[int, float] = {}
    spec_dict = asdict(spec)
    with tqdm(total=spec.count, unit="mask", disable=not progress, desc="masks") as bar:
        if workers == 1 or len(chunks) == 1:
            for chunk in chunks:
                fractions.update(_write_chunk(spec_dict, chunk, str(folder)))
                bar.update(len(chunk))
        else:
            with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
                futures = [pool.submit(_write_chunk, spec_dict, c, str(folder)) for c in chunks]
                try:
                    for fut in as_completed(futures):
                        done = fut.result()
                        fractions.update(done)
                        bar.update(len(done))
                except BaseException:
                    for fut in futures:
                        fut.cancel()
                    raise
    (folder / MANIFEST).write_text(manifest_text(spec, fractions), encoding="utf-8")
    return fractions
