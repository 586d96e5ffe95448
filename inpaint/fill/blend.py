"""Paste a prediction into a hole with a narrow, seam-matched blend inside the hole's rim.

A model's prediction rarely matches the known pixels around the hole exactly (colour drift,
blur from up-scaling a window), which shows as a visible seam. We measure the mismatch where it
can be measured — on the ring of known pixels just outside the hole, where the model also made
a prediction (full-mode output, or the centre patch's overlap band) — and correct the first
``feather`` px inside the hole by it:

    out(p) = pred(p) + w(p) · offset(q(p)),   w = 1 at the rim → 0 at depth ``feather``

``offset`` is ``known − pred`` on the ring, smoothed over a few px (so photo noise is not
copied in), and ``q(p)`` is the ring pixel nearest to ``p`` (one distance transform with
labels). Unlike a single per-hole colour offset this follows a seam whose mismatch changes
along the rim; unlike a Telea rim fill it keeps the model's texture, only shifted. Deeper in the
hole the prediction is used unchanged. Known pixels are never written here.
"""

from __future__ import annotations

import cv2
import numpy as np

RING = 3          # px of known pixels outside the hole used to measure the mismatch
SMOOTH = 5        # box size (px) smoothing the measured mismatch along the ring


def feather_width(scale: float) -> int:
    """Blend depth in photo px: wider when the prediction was up-scaled (blurrier seam)."""
    return int(np.clip(round(2 * scale), 2, 8))


def seam_blend(original: np.ndarray, prediction: np.ndarray, hole: np.ndarray,
               known: np.ndarray, valid: np.ndarray, feather: int) -> np.ndarray:
    """Blended values for a hole.

    original, prediction: ``uint8`` ``h×w×3``; hole: bool, the pixels to fill; known: bool,
    pixels that are real (not any hole); valid: bool, where ``prediction`` is a real model
    output. Returns a ``uint8`` ``h×w×3`` array whose hole pixels are the blended fill (other
    pixels are the prediction, to be ignored by the caller).
    """
    not_hole = (~hole).astype(np.uint8)
    near = cv2.distanceTransform(not_hole, cv2.DIST_L2, 3) <= RING
    ring = near & known & valid
    if not ring.any() or feather <= 0:
        return prediction
    weight = ring.astype(np.float32)
    den = np.maximum(cv2.boxFilter(weight, -1, (SMOOTH, SMOOTH), normalize=False), 1e-6)

    # Distance of every pixel to the nearest ring pixel, and which ring pixel that is.
    dist, nearest = cv2.distanceTransformWithLabels((~ring).astype(np.uint8), cv2.DIST_L2, 3,
                                                    labelType=cv2.DIST_LABEL_PIXEL)
    ring_idx = np.flatnonzero(ring)
    lut = np.zeros(int(nearest.max()) + 1, np.int64)
    lut[nearest.ravel()[ring_idx]] = ring_idx
    rows, cols = np.nonzero(hole & (dist < feather + 1))
    if not len(rows):
        return prediction
    w = np.clip((feather + 1 - dist[rows, cols]) / feather, 0.0, 1.0)
    src = lut[nearest[rows, cols]]
    out = prediction.copy()
    for c in range(3):  # one channel at a time keeps the float temporaries small on big photos
        diff = original[:, :, c].astype(np.float32) - prediction[:, :, c]
        num = cv2.boxFilter(diff * weight, -1, (SMOOTH, SMOOTH), normalize=False)
        offset = (num / den).ravel()[src]
        value = prediction[rows, cols, c].astype(np.float32) + w * offset
        out[rows, cols, c] = np.clip(np.round(value), 0, 255).astype(np.uint8)
    return out
