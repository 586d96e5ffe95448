"""The detail ratio (inpaint.metrics.detail_ratio): blur < 1, original = 1, noise > 1, undefined cases."""

import math

import cv2
import numpy as np
import pytest

from inpaint.metrics import detail_ratio, detail_region, fill_metrics


def _textured(h=64, w=80, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(30, 220, size=(h, w, 3), dtype=np.uint8)


def _hole(h=64, w=80, box=(16, 48, 20, 60)):
    mask = np.zeros((h, w), np.uint8)
    y0, y1, x0, x1 = box
    mask[y0:y1, x0:x1] = 255
    return mask


def _with_hole(image, fill, mask):
    out = image.copy()
    out[mask > 0] = fill[mask > 0]
    return out


def test_original_is_one_blur_below_one_flat_zero_noise_above_one():
    img = cv2.GaussianBlur(_textured(), (0, 0), 1.0)  # a photo-like texture, not pure noise
    mask = _hole()
    assert detail_ratio(img, img, mask) == pytest.approx(1.0)
    blurred = _with_hole(img, cv2.GaussianBlur(img, (0, 0), 3.0), mask)
    assert detail_ratio(blurred, img, mask) < 0.5
    flat = _with_hole(img, np.full_like(img, 120), mask)
    assert detail_ratio(flat, img, mask) == 0.0
    noise = np.clip(img.astype(int) + np.random.default_rng(1).normal(0, 40, img.shape), 0, 255).astype(np.uint8)
    assert detail_ratio(_with_hole(img, noise, mask), img, mask) > 1.5
    assert fill_metrics(blurred, img, mask)["detail_ratio"] == detail_ratio(blurred, img, mask)


def test_the_rim_does_not_count():
    img = cv2.GaussianBlur(_textured(seed=2), (0, 0), 1.0)
    mask = _hole()
    # a fill that is perfect inside but has a hard seam (black) in its outermost pixel ring:
    # the seam's gradient is not measured (Sobel at the eroded region reads 1 px beyond it only)
    inner = cv2.erode(mask, np.ones((3, 3), np.uint8))
    fill = _with_hole(img, np.full_like(img, 0), (mask > 0) & (inner == 0))
    assert detail_ratio(fill, img, mask) == pytest.approx(1.0)
    region = detail_region(mask)
    assert region.sum() == (32 - 4) * (40 - 4)  # a rectangle loses 2 px on every side


def test_undefined_for_thin_holes_and_flat_originals():
    img = _textured()
    thin = np.zeros((64, 80), np.uint8)
    thin[30:34, 10:70] = 255  # 4 px wide: nothing left after a 2-px erosion
    assert math.isnan(detail_ratio(img, img, thin))
    flat = np.full((64, 80, 3), 77, np.uint8)
    assert math.isnan(detail_ratio(_textured(seed=3), flat, _hole()))


def test_grey_images_and_edge_holes():
    grey = cv2.GaussianBlur(_textured()[..., 0], (0, 0), 1.0)
    mask = _hole(box=(0, 20, 0, 30))  # touches the photo's corner: the edge is not a rim
    assert detail_ratio(grey, grey, mask) == pytest.approx(1.0)
    assert detail_region(mask)[0, 0]
