"""Summarise any folder of masks: count, sizes and the hole-fraction histogram."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from masks.core import BIN_LABELS, NVIDIA_BINS, area_bin, hole_fraction
from masks.errors import MaskError
from masks.io import MASK_SUFFIXES, load_mask

BELOW = f"<={NVIDIA_BINS[0][0]:g}"
ABOVE = f">{NVIDIA_BINS[-1][1]:g}"
HISTOGRAM_LABELS = (BELOW,) + BIN_LABELS + (ABOVE,)


def mask_files(folder) -> list[Path]:
    """Mask image files directly in ``folder`` (sorted; hidden files skipped)."""
    folder = Path(folder)
    if not folder.exists():
        raise MaskError(f"mask folder not found: {folder}")
    if not folder.is_dir():
        raise MaskError(f"not a folder: {folder}")
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in MASK_SUFFIXES and not p.name.startswith(".") and p.is_file())
    if not files:
        raise MaskError(f"no mask images ({', '.join(MASK_SUFFIXES)}) in {folder}")
    return files


def histogram_label(fraction: float) -> str:
    """NVIDIA bin label, or the below/above label outside (0.01, 0.6]."""
    return area_bin(fraction) or (BELOW if fraction <= NVIDIA_BINS[0][0] else ABOVE)


@dataclass
class MaskStats:
    count: int = 0
    sizes: Counter = field(default_factory=Counter)  # (width, height) -> count
    histogram: dict = field(default_factory=lambda: {k: 0 for k in HISTOGRAM_LABELS})
    fractions: list = field(default_factory=list)

    def add(self, mask: np.ndarray) -> None:
        f = hole_fraction(mask)
        self.count += 1
        self.sizes[(mask.shape[1], mask.shape[0])] += 1
        self.histogram[histogram_label(f)] += 1
        self.fractions.append(f)

    def format(self) -> str:
        f = np.array(self.fractions)
        lines = [f"masks: {self.count}"]
        sizes = ", ".join(f"{w}x{h} ({n})" for (w, h), n in self.sizes.most_common())
        lines.append(f"sizes: {sizes}")
        lines.append(f"hole fraction: mean {f.mean():.4f}, min {f.min():.4f}, max {f.max():.4f}")
        empty, full = int(np.count_nonzero(f == 0)), int(np.count_nonzero(f == 1))
        if empty or full:
            lines.append(f"warning: {empty} mask(s) without holes, {full} mask(s) all hole")
        lines.append("hole-fraction bins (NVIDIA (lo, hi] plus below/above):")
        width = max(len(k) for k in HISTOGRAM_LABELS)
        for label in HISTOGRAM_LABELS:
            n = self.histogram[label]
            share = n / self.count if self.count else 0.0
            lines.append(f"  {label:>{width}}  {n:7d}  {100 * share:5.1f}%  {'#' * round(40 * share)}")
        return "\n".join(lines)


def folder_stats(folder, invert: bool = False, progress: bool = False) -> MaskStats:
    """Statistics of every mask file in ``folder`` (any format :func:`load_mask` reads)."""
    from tqdm import tqdm

    stats = MaskStats()
    for path in tqdm(mask_files(folder), unit="mask", disable=not progress, desc="reading"):
        stats.add(load_mask(path, invert=invert))
    return stats
