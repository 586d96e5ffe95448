"""Fill-quality metrics on the hole, through scikit-image's established implementations.

All functions take ``uint8`` arrays: prediction and target ``H×W×3`` (or ``H×W``), mask
``H×W`` with 255 (non-zero) = hole.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

PSNR_CAP = 100.0  # a perfect fill has infinite PSNR; capped so means stay finite
SSIM_MIN_SIDE = 7  # scikit-image's default SSIM window
DETAIL_ERODE = 2  # px taken off the hole's rim before measuring detail (the rim blends with the photo)
DETAIL_MIN_GRADIENT = 1e-3  # original's mean gradient below this (grey levels/px): ratio undefined
# ITU-R BT.601 luma weights, as OpenCV's RGB→grey conversion uses.
_LUMA = np.array([0.299, 0.587, 0.114])


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0:
        return float("nan")
    if mean_squared_error(a, b) == 0:
        return PSNR_CAP
    return min(PSNR_CAP, float(peak_signal_noise_ratio(a, b, data_range=255)))


def image_psnr(prediction: np.ndarray, target: np.ndarray) -> float:
    """PSNR (dB) of two whole ``uint8`` images of the same shape, capped at :data:`PSNR_CAP`."""
    return _psnr(target.astype(np.float64), prediction.astype(np.float64))


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


def _luminance(image: np.ndarray) -> np.ndarray:
    img = image.astype(np.float32)
    return img if img.ndim == 2 else (img @ _LUMA.astype(np.float32))


def _gradient_magnitude(luma: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT_101)
    gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT_101)
    return np.sqrt(gx * gx + gy * gy)


def detail_region(mask: np.ndarray, erode: int = DETAIL_ERODE) -> np.ndarray:
    """bool ``H×W``: the hole (mask non-zero) eroded by ``erode`` px (a disc), so the rim,
    where a fill meets real pixels, does not count."""
    hole = (mask > 0).astype(np.uint8)
    if erode <= 0:
        return hole.astype(bool)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * erode + 1, 2 * erode + 1))
    # Outside the photo counts as hole (OpenCV's default erosion border), so a hole touching the
    # photo's edge keeps its edge pixels: only the rim shared with known pixels is removed.
    return cv2.erode(hole, kernel).astype(bool)


def detail_ratio(prediction: np.ndarray, target: np.ndarray, mask: np.ndarray,
                 erode: int = DETAIL_ERODE) -> float:
    """How much texture a fill has, relative to the photo it replaces.

    Mean Sobel (3×3) gradient magnitude of the luminance (BT.601, 0–255 scale) over the hole
    eroded by ``erode`` px, in ``prediction`` ÷ the same in ``target``. 1 = as much detail as
    the original; a blurred fill scores below 1 (0 for a flat fill), invented noise above 1.
    Range [0, ∞). Because the region is eroded by at least 1 px, the 3×3 Sobel there only
    reads hole pixels: known pixels around the hole do not leak into the fill's figure.

    prediction, target: ``uint8`` ``H×W×3`` RGB (or ``H×W`` grey); mask: ``uint8`` ``H×W``,
    non-zero (255) = hole. Returns NaN (undefined) when the eroded hole is empty (a hole
    thinner than ``2·erode + 1`` px) or the original's mean gradient there is below
    :data:`DETAIL_MIN_GRADIENT` (a flat original: no detail to compare with).
    """
    region = detail_region(mask, erode)
    if not region.any():
        return float("nan")
    reference = float(_gradient_magnitude(_luminance(target))[region].mean())
    if reference < DETAIL_MIN_GRADIENT:
        return float("nan")
    return float(_gradient_magnitude(_luminance(prediction))[region].mean()) / reference


def fill_metrics(prediction: np.ndarray, target: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """``psnr_hole`` (dB, capped at 100), ``l1_hole`` (mean absolute error / 255, in [0, 1]),
    ``ssim_hole`` (SSIM of the hole's bounding box), ``psnr_image`` (whole image, dB),
    ``detail_ratio`` (:func:`detail_ratio`: fill's texture ÷ the original's, 1 = as detailed)."""
    hole = mask > 0
    p_hole = prediction[hole].astype(np.float64)
    t_hole = target[hole].astype(np.float64)
    l1 = float(np.abs(p_hole - t_hole).mean() / 255.0) if p_hole.size else float("nan")
    return {
        "psnr_hole": _psnr(t_hole, p_hole),
        "l1_hole": l1,
        "ssim_hole": hole_ssim(prediction, target, mask),
        "psnr_image": _psnr(target.astype(np.float64), prediction.astype(np.float64)),
        "detail_ratio": detail_ratio(prediction, target, mask),
    }


def finite_mean(values) -> float:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(vals)) if vals else float("nan")


# ---- colourisation: whole-image scores against the colour original -------------------------

COLOURFULNESS_MIN = 1.0  # an original less colourful than this is grey: its ratio is undefined


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler and Süsstrunk's (2003) colourfulness of a ``uint8`` ``H×W×3`` RGB image:
    ``rg = R − G``, ``yb = (R + G)/2 − B``, ``M = sqrt(σ_rg² + σ_yb²) + 0.3·sqrt(μ_rg² + μ_yb²)``
    (population standard deviations, levels 0–255). 0 for any grey image; about 15 is "slightly
    colourful", 33 "moderately", 59 "quite", 82 "highly", 109 "extremely" in their study."""
    img = np.asarray(rgb, dtype=np.float64)
    rg = img[..., 0] - img[..., 1]
    yb = 0.5 * (img[..., 0] + img[..., 1]) - img[..., 2]
    return float(math.sqrt(rg.var() + yb.var()) + 0.3 * math.sqrt(rg.mean() ** 2 + yb.mean() ** 2))


def colour_metrics(prediction: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Whole-image scores of a colourisation (``uint8`` ``H×W×3``): ``psnr`` (RGB, dB, capped at
    100), ``ssim`` (scikit-image, over the three channels), ``colourfulness`` of both and
    ``colourfulness_ratio`` = prediction's ÷ target's (NaN: undefined for a target below
    :data:`COLOURFULNESS_MIN`, a grey original)."""
    side = min(prediction.shape[0], prediction.shape[1])
    win = min(SSIM_MIN_SIDE, side if side % 2 else side - 1)
    ssim = float("nan") if win < 3 else float(structural_similarity(
        prediction, target, win_size=win, data_range=255, channel_axis=2))
    mine, theirs = colourfulness(prediction), colourfulness(target)
    return {
        "psnr": _psnr(target.astype(np.float64), prediction.astype(np.float64)),
        "ssim": ssim,
        "colourfulness": mine,
        "colourfulness_original": theirs,
        "colourfulness_ratio": mine / theirs if theirs >= COLOURFULNESS_MIN else float("nan"),
    }
