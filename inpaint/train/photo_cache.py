"""Decode every training photo once: a cache of decoded, pre-scaled ``uint8`` photos.

Decoding a JPEG costs 7–40 ms and happens once per photo here instead of once per sample.
Each photo is kept at a few *levels*: its short side scaled to the largest short side any crop
asks for (``scale_max``), then halved while a crop may still ask for that little. A crop whose
short side is ``s`` reads the smallest level with short side ≥ ``s`` (so less than 2·s) and
resamples only its ``S×S`` window from it (:meth:`PhotoCache.crop`): about 40 µs on one core,
and a plain slice when the level is the crop's own scale (the paper's fixed 350-px recipe).

Levels are made with Pillow's antialiased bicubic from the full photo; the last step from a
level to the crop (a factor below 2) is bilinear.

``memory``: one flat ``uint8`` array in this process (forked loader workers share its pages).
``disk``: the same bytes in a file under the cache folder, memory-mapped, built on first use and
reused by every later run on the same photos (the key hashes the photos' paths, sizes and
modification times, the levels and the decoder version); written atomically.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from inpaint.atomic import atomic_open, atomic_write_text
from inpaint.imageio import decode_rgb
from inpaint.train.data import _READ_ERRORS, CropSpec, _scaled, photo_size

CACHE_VERSION = 1  # bump when the decoder or the level rule changes: old cache files are ignored


def cache_levels(scale: tuple[int, int], size: int) -> tuple[int, ...]:
    """Short sides kept per photo, largest first, for crops of ``size`` px from short sides in
    ``scale`` (photos smaller than the crop are up-scaled to it, as in training)."""
    lo, hi = max(scale[0], size), max(scale[1], size)
    levels = [hi]
    while math.ceil(levels[-1] / 2) >= lo:
        levels.append(math.ceil(levels[-1] / 2))
    return tuple(levels)


def default_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "inpaint" / "photos"


@dataclass(frozen=True)
class CacheIndex:
    """Where each photo's levels are: ``entries[i][k] = (offset, height, width)``; ``sizes[i]``
    the photo's displayed (EXIF-rotated) size; a photo that could not be decoded has height 0."""

    levels: tuple[int, ...]
    sizes: tuple[tuple[int, int], ...]
    entries: tuple[tuple[tuple[int, int, int], ...], ...]

    @property
    def nbytes(self) -> int:
        last = [e for row in self.entries for e in row if e[1]]
        return max((o + h * w * 3 for o, h, w in last), default=0)


def _decode_levels(path: Path, levels: tuple[int, ...]) -> tuple[tuple[int, int], list[np.ndarray]] | None:
    try:
        size = photo_size(path)
        side = max(1, int(max(size) * levels[0] / min(size)))
        rgb = decode_rgb(path, draft_size=(side, side))
    except _READ_ERRORS as exc:
        warnings.warn(f"cannot decode {path} ({type(exc).__name__}); using another image")
        return None
    img = Image.fromarray(rgb)
    out = []
    for short in levels:
        w, h = _scaled(size[0], size[1], short)
        out.append(np.asarray(img.resize((w, h), Image.BICUBIC), dtype=np.uint8))
    return size, out


class PhotoCache:
    """Decoded photos at their levels (see the module doc); ``len(cache)`` photos."""

    def __init__(self, buffer: np.ndarray, index: CacheIndex):
        self.buffer, self.index = buffer, index
        self.levels = index.levels

    def __len__(self) -> int:
        return len(self.index.sizes)

    def usable(self, i: int) -> bool:
        return self.index.entries[i][0][1] > 0

    def size(self, i: int) -> tuple[int, int]:
        """(width, height) of photo ``i`` as displayed, the size crop specs are drawn for."""
        return self.index.sizes[i]

    def level(self, i: int, k: int) -> np.ndarray:
        offset, h, w = self.index.entries[i][k]
        return self.buffer[offset:offset + h * w * 3].reshape(h, w, 3)

    def crop(self, i: int, spec: CropSpec) -> np.ndarray:
        """The ``uint8`` ``S×S×3`` crop of photo ``i`` that ``spec`` describes (not flipped)."""
        k = max(j for j, short in enumerate(self.levels) if short >= spec.short)
        src = self.level(i, k)
        ratio = self.levels[k] / spec.short  # level px per crop px, in [1, 2)
        w, h = self.size(i)
        lw, lh = _scaled(w, h, self.levels[k])
        # the scaled sizes are rounded: scale offsets like apply_crop does (a sub-pixel shift)
        x0 = spec.left * ratio * src.shape[1] / lw
        y0 = spec.top * ratio * src.shape[0] / lh
        n = spec.size
        if ratio == 1.0 and x0.is_integer() and y0.is_integer():
            x, y = int(x0), int(y0)
            return np.ascontiguousarray(src[y:y + n, x:x + n])
        # dst pixel centre c + 0.5 ↦ src (c + 0.5)·ratio + x0, in pixel-index coordinates
        m = np.array([[ratio, 0.0, x0 + 0.5 * ratio - 0.5], [0.0, ratio, y0 + 0.5 * ratio - 0.5]])
        return cv2.warpAffine(src, m, (n, n), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REFLECT)

    # -- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, files: list[Path], levels: tuple[int, ...], kind: str = "memory",
              cache_dir: str | Path | None = None, note=None, processes: int = 0) -> "PhotoCache":
        """Decode ``files`` into a cache (``kind`` ``"memory"`` or ``"disk"``), in ``processes``
        worker processes (0: in this one)."""
        if kind == "disk":
            folder = Path(cache_dir) if cache_dir else default_cache_dir()
            return cls._on_disk(files, levels, folder, note, processes)
        with _decoder(levels, processes) as decode:
            decoded = list(decode(files))
        index, total = _index(decoded, levels)
        buffer = np.empty(total, dtype=np.uint8)
        for row, item in zip(index.entries, decoded):
            for (offset, h, w), arr in zip(row, item[1] if item else ()):
                buffer[offset:offset + h * w * 3] = arr.reshape(-1)
        return cls(buffer, index)

    @classmethod
    def _on_disk(cls, files: list[Path], levels: tuple[int, ...], folder: Path, note,
                 processes: int = 0) -> "PhotoCache":
        key = cache_key(files, levels)
        data, meta = folder / f"{key}.u8", folder / f"{key}.json"
        index = _read_index(meta)
        if index is not None and data.is_file() and data.stat().st_size == max(index.nbytes, 1):
            if note:
                note(f"photo cache: reusing {data}")
            return cls(np.memmap(data, dtype=np.uint8, mode="r"), index)
        folder.mkdir(parents=True, exist_ok=True)
        if note:
            note(f"photo cache: decoding {len(files)} photo(s) into {data} (once; later runs reuse it)")
        decoded_rows, sizes = [], []
        offset = 0
        with atomic_open(data) as fh, _decoder(levels, processes) as decode:
            for item in decode(files):  # in order, a few photos in memory at a time
                row = []
                for arr in (item[1] if item else [None] * len(levels)):
                    if arr is None:
                        row.append((offset, 0, 0))
                        continue
                    fh.write(arr.tobytes())
                    row.append((offset, arr.shape[0], arr.shape[1]))
                    offset += arr.size
                decoded_rows.append(tuple(row))
                sizes.append(item[0] if item else (0, 0))
            if offset == 0:
                fh.write(b"\0")  # an empty file cannot be memory-mapped
        index = CacheIndex(tuple(levels), tuple(sizes), tuple(decoded_rows))
        # the index is written last: a cache without its index is never used
        atomic_write_text(meta, json.dumps({"version": CACHE_VERSION, "levels": list(levels),
                                            "sizes": sizes, "entries": decoded_rows}))
        return cls(np.memmap(data, dtype=np.uint8, mode="r"), index)


@contextmanager
def _decoder(levels: tuple[int, ...], processes: int):
    """``decode(files)`` → the decoded levels of each file, in order; in a process pool when
    ``processes`` > 1 (decoding is most of the time of building a cache)."""
    job = partial(_decode_path, levels=levels)
    if processes <= 1:
        yield lambda files: map(job, files)
        return
    with ProcessPoolExecutor(processes) as pool:
        yield lambda files: pool.map(job, files, chunksize=4)


def _decode_path(path, levels):
    return _decode_levels(Path(path), levels)


def _index(decoded, levels) -> tuple[CacheIndex, int]:
    rows, sizes, offset = [], [], 0
    for item in decoded:
        row = []
        for arr in (item[1] if item else [None] * len(levels)):
            if arr is None:
                row.append((offset, 0, 0))
            else:
                row.append((offset, arr.shape[0], arr.shape[1]))
                offset += arr.size
        rows.append(tuple(row))
        sizes.append(item[0] if item else (0, 0))
    return CacheIndex(tuple(levels), tuple(sizes), tuple(rows)), offset


def cache_key(files: list[Path], levels: tuple[int, ...]) -> str:
    """Changes whenever a photo is added, removed, replaced or touched, or the levels change."""
    h = hashlib.sha256(f"inpaint-photo-cache-v{CACHE_VERSION}:{list(levels)}".encode())
    for path in files:
        st = Path(path).stat()
        h.update(f"\0{Path(path).resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


def _read_index(meta: Path) -> CacheIndex | None:
    try:
        raw = json.loads(meta.read_text(encoding="utf-8"))
        if raw.get("version") != CACHE_VERSION:
            return None
        return CacheIndex(tuple(raw["levels"]), tuple(tuple(s) for s in raw["sizes"]),
                          tuple(tuple(tuple(e) for e in row) for row in raw["entries"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
