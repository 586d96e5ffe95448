"""Where to look: group the holes of a photo and choose one square context window per group.

Pure numpy/OpenCV, no torch. Coordinates are ``(row, col)`` in the photo, boxes are
``(y0, x0, y1, x1)`` with exclusive ends. A window may reach past the photo's borders: the part
outside is reflection-padded when it is extracted (:mod:`inpaint.fill.windows`).

Window sizes for a hole group of extent ``E = max(bbox height, bbox width)`` and a model of input
size ``S``:

* ``full`` models: side ``max(2E + 2, min(S, longest photo side))`` — at least twice the hole's
  extent and, for small holes, the model's own size (no up-scaling of context); the window is
  shifted to stay inside the photo where it can. A side above the photo's longest side is cut
  to it: the *coarse* window (the whole photo, reflection-padded to a square, down-scaled).
* ``center`` models: the hole must land inside the inner hole square the model was trained
  with, ``center_box(S)`` shrunk by ``overlap`` (``inner = S/2 - 2·overlap`` px). The window is
  centred on the hole with side ``S`` when ``E <= inner`` (the model's own scale), else
  ``ceil((E + 2)·S / (inner - 2))`` (the +2 / −2 absorb rounding and the one-pixel growth of a
  down-scaled mask), so any hole fits — even one covering the
  whole photo, in a window mostly made of reflections. Nothing is refused for its shape; the
  engine re-checks the fit after scaling and grows the window if rounding ever breaks it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

MAX_GROUPS = 1024  # beyond this many components, nearby ones are merged first (noise-like masks)
# Merging never makes a window coarser than this many model sizes (unless a member already is):
# beyond it the merged window would trade too much resolution for one model run less.
MERGE_CAP = 4


@dataclass(frozen=True)
class Window:
    """A square context window around one hole group (may extend past the photo)."""

    top: int
    left: int
    side: int
    group: int          # label of the group in the label map (1-based)
    box: tuple          # the group's bounding box (y0, x0, y1, x1)


def _components(hole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label map (int32, 0 = known) and boxes ``(n, 4)`` of the 8-connected holes, merging
    close components first when there are very many (keeps the number of windows bounded)."""
    labels_src = hole.astype(np.uint8)
    k = 3
    while True:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(labels_src, connectivity=8)
        if n - 1 <= MAX_GROUPS:
            break
        labels_src = cv2.dilate(hole.astype(np.uint8), np.ones((k, k), np.uint8))
        k = 2 * k + 1
    labels = np.where(hole, labels, 0).astype(np.int32)
    boxes = np.stack([stats[1:, cv2.CC_STAT_TOP], stats[1:, cv2.CC_STAT_LEFT],
                      stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT],
                      stats[1:, cv2.CC_STAT_LEFT] + stats[1:, cv2.CC_STAT_WIDTH]], axis=1)
    return labels, boxes.astype(np.int64)


def window_side(extent, size: int, mode: str, overlap: int, longest: int):
    """Side of the window for hole extent(s) ``extent`` (scalar or array)."""
    extent = np.asarray(extent, dtype=np.float64)
    if mode == "center":
        inner = size // 2 - 2 * overlap
        # A hole that fits the inner square as it is gets the model's own scale (side S, exactly
        # what it was trained on); larger ones a down-scaled window with a rounding margin.
        side = np.where(extent <= inner, size, np.ceil((extent + 2) * size / max(inner - 2, 1)))
        return np.maximum(side, min(size, longest)).astype(np.int64)
    side = np.maximum(2 * extent + 2, min(size, longest))
    return np.minimum(side, longest).astype(np.int64)


def _extent(boxes: np.ndarray) -> np.ndarray:
    return np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])


def group_holes(hole: np.ndarray, size: int, mode: str, overlap: int) -> tuple[np.ndarray, np.ndarray]:
    """Group the connected holes so that nearby ones share a window.

    Two groups are merged when one window around both costs no more pixels than their two
    windows (``side(A∪B)² ≤ side(A)² + side(B)²``) and is no coarser than ``MERGE_CAP`` model
    sizes (or the coarser of the two): clusters of small holes share a window (fewer model
    runs), holes spread over the photo keep small, sharp windows. Returns ``(labels, boxes)`` with
    labels 1..n (0 = known pixel) and boxes ``(n, 4)``.
    """
    labels, boxes = _components(hole)
    longest = max(hole.shape)
    while len(boxes) > 1:
        lo = np.minimum(boxes[:, None, :2], boxes[None, :, :2])
        hi = np.maximum(boxes[:, None, 2:], boxes[None, :, 2:])
        merged_extent = np.max(hi - lo, axis=2)
        side = window_side(_extent(boxes), size, mode, overlap, longest).astype(np.float64)
        merged_side = window_side(merged_extent, size, mode, overlap, longest).astype(np.float64)
        cheaper = merged_side ** 2 <= side[:, None] ** 2 + side[None, :] ** 2
        cheaper &= merged_side <= np.maximum(np.maximum(side[:, None], side[None, :]), MERGE_CAP * size)
        np.fill_diagonal(cheaper, False)
        if not cheaper.any():
            break
        rows, cols = np.nonzero(cheaper)
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(boxes),) * 2)
        n, comp = connected_components(graph, directed=False)
        new_boxes = np.empty((n, 4), np.int64)
        new_boxes[:, :2] = np.iinfo(np.int64).max
        new_boxes[:, 2:] = np.iinfo(np.int64).min
        np.minimum.at(new_boxes[:, 0], comp, boxes[:, 0])
        np.minimum.at(new_boxes[:, 1], comp, boxes[:, 1])
        np.maximum.at(new_boxes[:, 2], comp, boxes[:, 2])
        np.maximum.at(new_boxes[:, 3], comp, boxes[:, 3])
        lut = np.concatenate([[0], comp + 1]).astype(np.int32)
        labels, boxes = lut[labels], new_boxes
    return labels, boxes


def _place(lo: int, hi: int, side: int, length: int, centred: bool) -> int:
    """Start of a span of ``side`` containing [lo, hi): centred on it, or (full mode) kept
    inside [0, length) when possible so the context is real pixels rather than reflections."""
    start = (lo + hi) // 2 - side // 2
    if centred:
        return start
    start = min(max(start, 0), length - side) if side <= length else (length - side) // 2
    return min(max(start, hi - side), lo)


def plan_windows(hole: np.ndarray, size: int, mode: str, overlap: int = 0):
    """Group the holes of ``hole`` (bool ``H×W``) and choose their windows.

    Returns ``(labels, windows)``: the group label map (int32, 0 = known) and one
    :class:`Window` per group."""
    labels, boxes = group_holes(hole, size, mode, overlap)
    height, width = hole.shape
    sides = window_side(_extent(boxes), size, mode, overlap, max(height, width))
    windows = []
    for g, (box, side) in enumerate(zip(boxes, sides), start=1):
        y0, x0, y1, x1 = (int(v) for v in box)
        side = int(side)
        top = _place(y0, y1, side, height, mode == "center")
        left = _place(x0, x1, side, width, mode == "center")
        windows.append(Window(top, left, side, g, (y0, x0, y1, x1)))
    return labels, windows


def grow(window: Window, factor: float = 1.1) -> Window:
    """A larger window with the same centre (used if scaling ever pushes a hole off-centre)."""
    side = int(math.ceil(window.side * factor)) + 2
    cy, cx = window.top + window.side // 2, window.left + window.side // 2
    return Window(cy - side // 2, cx - side // 2, side, window.group, window.box)
