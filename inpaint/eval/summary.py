"""Aggregate metric rows: means with 95 % intervals per method × mask kind × hole-area bin,
and each model's paired margin over the classical baseline (Telea).

Intervals are two-sided Student t-intervals of the mean (``scipy.stats.t``):
``mean ± t(0.975, n−1) · sd / √n`` with the sample standard deviation (ddof = 1). With one
value the interval is undefined (``None``). NaN metric values (undefined for that case, e.g. a
detail ratio of a hole too thin to erode) are left out of the mean and the median and counted
in ``undefined``. Medians come without an interval.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from inpaint.eval.methods import BASELINE
from masks import BIN_LABELS

ALL = "all"
CONFIDENCE = 0.95
INTERVAL_NOTE = "95% two-sided Student t-interval of the mean (scipy.stats.t, ddof=1)"
MARGIN_METRICS = ("psnr_hole", "ssim_hole")


def _clean(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def mean_interval(values, confidence: float = CONFIDENCE) -> dict:
    """``{"mean", "lo", "hi", "n", "median", "undefined"}``: mean, interval, count and median
    of the finite values (``None`` where undefined); ``undefined`` counts the other values."""
    values = list(values)
    vals = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    n = int(vals.size)
    undefined = len(values) - n
    if n == 0:
        return {"mean": None, "lo": None, "hi": None, "n": 0, "median": None, "undefined": undefined}
    mean, median = float(vals.mean()), float(np.median(vals))
    if n == 1:
        return {"mean": mean, "lo": None, "hi": None, "n": 1, "median": median, "undefined": undefined}
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1) * vals.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "lo": mean - half, "hi": mean + half, "n": n, "median": median, "undefined": undefined}


def _ordered(values) -> list:
    return list(dict.fromkeys(values))


def _kinds(rows) -> list[str]:
    kinds = _ordered(r["kind"] for r in rows)
    return kinds + [ALL] if len(kinds) > 1 else kinds


def _bins(rows) -> list[str]:
    """Present NVIDIA bins from the smallest holes to the largest, then ``all``."""
    present = {r["bin"] for r in rows}
    return [b for b in BIN_LABELS if b in present] + [ALL]


def _matches(row: dict, kind: str, bin_: str) -> bool:
    return (kind == ALL or row["kind"] == kind) and (bin_ == ALL or row["bin"] == bin_)


def _select(rows, kind: str, bin_: str):
    return [r for r in rows if _matches(r, kind, bin_)]


def group_stats(rows: list[dict], metrics: tuple[str, ...]) -> list[dict]:
    """One entry per method × kind × bin that has rows, each metric as :func:`mean_interval`."""
    out = []
    for method in _ordered(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        for kind in _kinds(rows):
            for bin_ in _bins(rows):
                sel = _select(mine, kind, bin_)
                if sel:
                    entry = {"method": method, "kind": kind, "bin": bin_, "n": len(sel)}
                    entry.update({m: mean_interval([r[m] for r in sel]) for m in metrics})
                    out.append(entry)
    return out


def paired_margins(rows: list[dict], models: list[str], baseline: str = BASELINE) -> list[dict]:
    """Per model, kind and bin: mean (model − baseline) difference of hole PSNR and SSIM over
    the same cases, with its t-interval, and the win rate (share of cases where the model's
    hole PSNR is strictly higher)."""
    base = {(r["image"], r["mask_id"]): r for r in rows if r["method"] == baseline}
    if not base:
        return []
    out = []
    for model in models:
        pairs = [(r, base[(r["image"], r["mask_id"])]) for r in rows
                 if r["method"] == model and (r["image"], r["mask_id"]) in base]
        for kind in _kinds(rows):
            for bin_ in _bins(rows):
                sel = [(m, b) for m, b in pairs if _matches(m, kind, bin_)]
                if not sel:
                    continue
                entry = {"method": model, "baseline": baseline, "kind": kind, "bin": bin_, "n": len(sel)}
                for metric in MARGIN_METRICS:
                    entry[metric] = mean_interval([m[metric] - b[metric] for m, b in sel])
                entry["win_rate"] = float(np.mean([m["psnr_hole"] > b["psnr_hole"] for m, b in sel]))
                out.append(entry)
    return out


def case_margins(rows: list[dict], model: str, baseline: str = BASELINE) -> dict[tuple[str, str], float]:
    """``(image, mask_id) -> model − baseline hole PSNR`` (to pick best and worst cases)."""
    base = {(r["image"], r["mask_id"]): r["psnr_hole"] for r in rows if r["method"] == baseline}
    return {(r["image"], r["mask_id"]): r["psnr_hole"] - base[(r["image"], r["mask_id"])]
            for r in rows if r["method"] == model and (r["image"], r["mask_id"]) in base}


def timing(seconds: dict[str, list[float]]) -> dict[str, dict]:
    """Per method: mean and median wall time of one fill (one photo × mask), in seconds."""
    return {name: {"mean": float(np.mean(v)), "median": float(np.median(v)), "n": len(v)}
            for name, v in seconds.items() if v}


def summarize(rows: list[dict], models: list[str], metrics: tuple[str, ...],
              baseline: str = BASELINE) -> dict:
    """The ``summary.json`` body (minus run settings and notes, added by the caller)."""
    cases = _ordered((r["image"], r["mask_id"]) for r in rows)
    return {
        "interval": INTERVAL_NOTE,
        "baseline": baseline,
        "counts": {
            "images": len(_ordered(r["image"] for r in rows)),
            "cases": len(cases),
            "rows": len(rows),
            "per_method": {m: sum(r["method"] == m for r in rows) for m in _ordered(r["method"] for r in rows)},
        },
        "groups": group_stats(rows, metrics),
        "margins": paired_margins(rows, models, baseline),
    }


def json_safe(obj):
    """NaN/inf → ``None`` so ``summary.json`` is strict JSON."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, float):
        return _clean(obj)
    return obj
