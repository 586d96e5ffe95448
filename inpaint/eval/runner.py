"""Fill every case with every method and score it (one metrics row per case × method)."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from typing import Callable, Iterable

import numpy as np

from inpaint.errors import InpaintError
from inpaint.eval.cases import Case
from inpaint.eval.methods import Method
from inpaint.metrics import fill_metrics

METRICS = ("psnr_hole", "l1_hole", "ssim_hole", "psnr_image", "detail_ratio")
ROW_FIELDS = ("image", "mask_id", "kind", "hole_fraction", "bin", "method")

# Extra per-case metric: (prediction, target, mask) -> float (e.g. LPIPS on the hole's box).
ExtraMetric = Callable[[np.ndarray, np.ndarray, np.ndarray], float]
# Called after every fill with (case, method name, filled image), e.g. to keep blind-test crops.
FillHook = Callable[[Case, str, np.ndarray], None]


def _checked_fill(method: Method, case: Case) -> np.ndarray:
    out = method.fill(case.image, case.mask)
    out = np.asarray(out)
    if out.shape != case.image.shape or out.dtype != np.uint8:
        raise InpaintError(f"method {method.name} returned {out.dtype} {out.shape} for a "
                           f"{case.image.shape} photo ({case.image_name})")
    return out


def score_case(case: Case, method: Method, extra: dict[str, ExtraMetric] | None = None):
    """Fill one case; returns ``(row, filled image, seconds)``."""
    start = time.perf_counter()
    filled = _checked_fill(method, case)
    seconds = time.perf_counter() - start
    row = {
        "image": case.image_name,
        "mask_id": case.mask_id,
        "kind": case.kind,
        "hole_fraction": case.hole_fraction,
        "bin": case.area_bin,
        "method": method.name,
        **fill_metrics(filled, case.image, case.mask),
    }
    for name, metric in (extra or {}).items():
        row[name] = float(metric(filled, case.image, case.mask))
    return row, filled, seconds


def run_evaluation(cases: Iterable[Case], methods: list[Method], total: int | None = None,
                   progress: bool = True, extra: dict[str, ExtraMetric] | None = None,
                   on_fill: FillHook | None = None):
    """Score every method on every case.

    Returns ``(rows, seconds)``: rows in case order then method order; ``seconds`` maps each
    method to its wall time of every fill (timing only: not part of the rows, so
    ``metrics.csv`` is identical from run to run).
    """
    from tqdm import tqdm

    rows: list[dict] = []
    seconds: dict[str, list[float]] = defaultdict(list)
    with tqdm(total=None if total is None else total * len(methods), unit="fill", desc="eval",
              file=sys.stderr, disable=not progress, dynamic_ncols=True) as bar:
        for case in cases:
            for method in methods:
                row, filled, sec = score_case(case, method, extra)
                if on_fill is not None:
                    on_fill(case, method.name, filled)
                rows.append(row)
                seconds[method.name].append(sec)
                bar.update(1)
        bar.total = bar.n  # duplicate generated masks are skipped, so the estimate can be high
        bar.refresh()
    if not rows:
        raise InpaintError("no case to evaluate (every mask was empty)")
    return rows, dict(seconds)
