"""Fill-quality metrics on the hole, through scikit-image's established implementations.

All functions take ``uint8`` arrays: prediction and target ``H×W×3`` (or ``H×W``), mask
``H×W`` with 255 (non-zero) = hole.
"""

from __future__ import annotations

import math

import numpy as np
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

PSNR_CAP = 100.0  # a perfect fill has infinite PSNR; capped so means stay finite
SSIM_MIN_SIDE = 7  # scikit-image's default SSIM window


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0:
        return float("nan")
    if mean_squared_error(a, b) == 0:
        return PSNR_CAP
    return min(PSNR_CAP, float(peak_signal_noise_ratio(a, b, data_range=255)))


def hole_bbox(mask: np.ndarray, min_side: int = SSIM_MIN_SIDE) -> tuple[slice, slice]:
    """Bounding box of the hole, grown (inside the image) to at least ``min_side`` per side."""
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    box = []
    for lo, hi, n in ((ys.min(), ys.max() + 1, h), (xs.min(), xs.max() + 1, w)):
        need = max(hi - lo, min(min_side, n))
        lo = min(max(0, lo - (need - (hi - lo)) // 2), n - need)
        box.append(slice(int(lo), int(lo + need)))
    return box[0], box[1]


def hole_ssim(prediction: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """SSIM of the hole's bounding box (NaN when the mask is empty)."""
    if not mask.any():
        return float("nan")
    rows, cols = hole_bbox(mask)
    p, t = prediction[rows, cols], target[rows, cols]
    side = min(p.shape[0], p.shape[1])
    win = min(SSIM_MIN_SIDE, side if side % 2 else side - 1)
    if win < 3:
        return float("nan")
    channel_axis = 2 if p.ndim == 3 else None
    return float(structural_similarity(p, t, win_size=win, data_range=255, channel_axis=channel_axis))


def fill_metrics(prediction: np.ndarray, target: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """``psnr_hole`` (dB, capped at 100), ``l1_hole`` (mean absolute error / 255, in [0, 1]),
    ``ssim_hole`` (SSIM of the hole's bounding box), ``psnr_image`` (whole image, dB)."""
    hole = mask > 0
    p_hole = prediction[hole].astype(np.float64)
    t_hole = target[hole].astype(np.float64)
    l1 = float(np.abs(p_hole - t_hole).mean() / 255.0) if p_hole.size else float("nan")
    return {
        "psnr_hole": _psnr(t_hole, p_hole),
        "l1_hole": l1,
        "ssim_hole": hole_ssim(prediction, target, mask),
        "psnr_image": _psnr(target.astype(np.float64), prediction.astype(np.float64)),
    }


def finite_mean(values) -> float:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(vals)) if vals else float("nan")
