"""Arbitrary-shape regions (Context Encoder "random region" masks), from three sources:

* ``noise`` — the released CE ``train_random`` recipe: uniform noise at ``resolution`` of the
  pixel grid, up-sampled bicubically, thresholded at ``density``; windows whose hole fraction
  lies in ``[accept_min, accept_max]`` (CE: 20–30 %) are kept. CE drew 128-px windows from a
  pattern with one noise cell per 1/0.06 ≈ 17 px; here the cell is ``sqrt(H·W)/128/resolution``
  px so a mask has the same look (and acceptance rate) at any size and aspect ratio.
* ``objects`` — object shapes from a folder of segmentation PNGs (PASCAL VOC
  ``SegmentationObject`` style: each value other than 0 = background and 255 = void border is one
  object; RGB label images: each colour other than black and VOC's void colour). A random object
  is scaled to a hole fraction in ``[min_area, max_area]``, flipped, rotated, deformed
  elastically (smooth random displacement of ``elastic`` × the object's size) and placed anywhere.
* ``blobs`` — procedural blobs (1–3 smooth random star-shaped polygons), no files needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from masks.core import MaskGenerator
from masks.errors import MaskError

SOURCES = ("auto", "noise", "objects", "blobs")
LABEL_SUFFIXES = (".png", ".bmp", ".tif", ".tiff")
VOID_LABEL = 255
VOID_RGB = (224, 224, 192)
MAX_OBJECT_SIDE = 128  # stored object shapes are down-scaled to this (memory; shapes get warped anyway)
MIN_OBJECT_PIXELS = 32
WINDOW_TRIES = 200


@dataclass
class RegionMask(MaskGenerator):
    """Arbitrary shapes: CE thresholded noise, object shapes from segmentation PNGs, or blobs.

    ``source``: ``noise`` | ``objects`` (needs ``objects_dir``) | ``blobs`` | ``auto``
    (= ``objects`` when ``objects_dir`` is set, else ``noise``).
    """

    source: str = "auto"
    objects_dir: str = ""
    resolution: float = 0.06
    density: float = 0.25
    accept_min: float = 0.2
    accept_max: float = 0.3
    min_area: float = 0.05
    max_area: float = 0.25
    elastic: float = 0.08

    kind = "region"

    def __post_init__(self):
        if self.source not in SOURCES:
            raise MaskError(f"region: unknown source {self.source!r}; valid: {', '.join(SOURCES)}")
        if self.source == "auto":
            self.source = "objects" if self.objects_dir else "noise"
        if self.source == "objects":
            if not self.objects_dir:
                raise MaskError("region: source 'objects' needs objects_dir (a folder of segmentation PNGs)")
            if not Path(self.objects_dir).is_dir():
                raise MaskError(f"region: objects_dir is not a folder: {self.objects_dir}")
        elif self.objects_dir:
            raise MaskError(f"region: objects_dir is only used with source 'objects', not {self.source!r}")
        if not 0.005 <= self.resolution <= 0.5:
            raise MaskError(f"region: resolution must be in [0.005, 0.5], got {self.resolution}")
        if not 0 < self.density < 1:
            raise MaskError(f"region: density must be in (0, 1), got {self.density}")
        if not 0 <= self.accept_min <= self.accept_max <= 1:
            raise MaskError(f"region: need 0 <= accept_min <= accept_max <= 1, got {self.accept_min}, {self.accept_max}")
        if not 0 < self.min_area <= self.max_area < 1:
            raise MaskError(f"region: need 0 < min_area <= max_area < 1, got {self.min_area}, {self.max_area}")
        if not 0 <= self.elastic <= 1:
            raise MaskError(f"region: elastic must be in [0, 1], got {self.elastic}")
        self._objects = None  # loaded on first use, once per generator

    def fraction_range(self, height, width):
        if self.source == "noise":
            return (self.accept_min, self.accept_max)
        return super().fraction_range(height, width)

    def draw(self, height, width, rng):
        return {"noise": self._noise, "objects": self._object, "blobs": self._blobs}[self.source](
            height, width, rng)

    # -- noise ---------------------------------------------------------------------------------
    def _noise(self, height, width, rng):
        # Cell size from the geometric-mean side: every window holds about as many noise
        # cells as CE's 128-px windows, so the fraction statistics (and the acceptance rate)
        # do not depend on the size or aspect ratio.
        cell = math.sqrt(height * width) / 128.0 / self.resolution
        # One spare cell on each side: bicubic sees the border there; the random offset below
        # moves the window within a cell so masks are not aligned to the noise grid.
        gh, gw = int(math.ceil(height / cell)) + 3, int(math.ceil(width / cell)) + 3
        big_h, big_w = int(round(gh * cell)), int(round(gw * cell))
        margin = int(cell)
        lo, hi = self.accept_min * height * width, self.accept_max * height * width
        # uint8 noise: bicubic resizing of uint8 is ~8x faster than float32 and 256 levels
        # are plenty for a threshold.
        thr = int(math.ceil(self.density * 255))
        for _ in range(WINDOW_TRIES):
            low = rng.integers(0, 256, (gh, gw), dtype=np.uint8)
            pattern = cv2.resize(low, (big_w, big_h), interpolation=cv2.INTER_CUBIC)
            y = margin + int(rng.integers(0, max(0, big_h - height - 2 * margin) + 1))
            x = margin + int(rng.integers(0, max(0, big_w - width - 2 * margin) + 1))
            window = pattern[y : y + height, x : x + width] < thr
            n = np.count_nonzero(window)
            if lo <= n <= hi:
                return window.view(np.uint8) * np.uint8(255)
        raise MaskError(f"region: no noise window with hole fraction in [{self.accept_min:g}, "
                        f"{self.accept_max:g}] after {WINDOW_TRIES} tries; widen the range or change density")

    # -- procedural blobs ----------------------------------------------------------------------
    def _blobs(self, height, width, rng):
        canvas = np.zeros((height, width), np.uint8)
        n = int(rng.integers(1, 4))
        total = rng.uniform(self.min_area, self.max_area) * height * width
        areas = total * rng.dirichlet(np.ones(n))
        for area in areas:
            draw_blob(canvas, area, rng)
        return canvas

    # -- object shapes -------------------------------------------------------------------------
    def objects(self) -> list[np.ndarray]:
        """The object shapes of ``objects_dir`` (uint8 crops, 255 = object), loaded once."""
        if self._objects is None:
            self._objects = load_object_shapes(Path(self.objects_dir))
        return self._objects

    def _object(self, height, width, rng):
        shapes = self.objects()
        obj = shapes[int(rng.integers(0, len(shapes)))]
        oh, ow = obj.shape
        area = float(np.count_nonzero(obj))
        target = rng.uniform(self.min_area, self.max_area) * height * width
        scale = math.sqrt(target / area)
        angle = rng.uniform(0, 360)
        cx, cy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height
        a = cv2.getRotationMatrix2D((0.0, 0.0), angle, scale)[:, :2]
        if rng.random() < 0.5:  # mirror the object
            a = a @ np.diag([-1.0, 1.0])
        # The object's centre lands on (cx, cy).
        t = np.array([cx, cy]) - a @ np.array([ow / 2, oh / 2])
        m = np.hstack([a, t[:, None]])
        canvas = cv2.warpAffine(obj, m, (width, height), flags=cv2.INTER_LINEAR)
        if self.elastic > 0:
            canvas = _elastic(canvas, self.elastic * math.sqrt(target), rng)
        return np.where(canvas >= 128, np.uint8(255), np.uint8(0))


def draw_blob(canvas: np.ndarray, area: float, rng: np.random.Generator,
              centre: tuple[float, float] = (0.0, 1.0)) -> None:
    """Paint one smooth random star-shaped polygon of about ``area`` px (255) onto ``canvas``,
    its centre uniform in ``centre`` (fractions of the width and height)."""
    height, width = canvas.shape
    theta = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    harmonics = np.arange(1, 6)[:, None]
    amp = rng.uniform(0, 0.35, (5, 1)) / harmonics
    phase = rng.uniform(0, 2 * np.pi, (5, 1))
    shape = 1 + (amp * np.cos(harmonics * theta + phase)).sum(axis=0)
    # Scale so the polygon's area (½ Σ r² dθ) matches the target.
    radius = math.sqrt(area / (0.5 * float((shape**2).sum()) * (2 * np.pi / len(theta))))
    stretch = rng.uniform(0.6, 1.6)
    rot = rng.uniform(0, 2 * np.pi)
    lo, hi = centre
    cx, cy = rng.uniform(lo * width, hi * width), rng.uniform(lo * height, hi * height)
    r = radius * shape
    px, py = r * np.cos(theta) * stretch, r * np.sin(theta) / stretch
    xs = cx + px * math.cos(rot) - py * math.sin(rot)
    ys = cy + px * math.sin(rot) + py * math.cos(rot)
    pts = np.round(np.stack([xs, ys], axis=1)).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 255)


def _elastic(canvas: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """Warp ``canvas`` by a smooth random displacement field (≈ ``amplitude`` px)."""
    h, w = canvas.shape
    grid = (5, 5)
    dx = cv2.resize(rng.uniform(-1, 1, grid).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(rng.uniform(-1, 1, grid).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(canvas, xs + amplitude * dx, ys + amplitude * dy, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _labels(img: Image.Image) -> tuple[np.ndarray, set]:
    """Label image → (integer label array, labels that are not objects)."""
    if img.mode in ("P", "L", "I;16", "I;16B", "I;16L", "I"):
        return np.asarray(img).astype(np.int64), {0, VOID_LABEL}
    rgb = np.asarray(img.convert("RGB")).astype(np.int64)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    void = (VOID_RGB[0] << 16) | (VOID_RGB[1] << 8) | VOID_RGB[2]
    return packed, {0, void}


def load_object_shapes(folder: Path) -> list[np.ndarray]:
    """Every object of every label image in ``folder`` as a tight uint8 crop (255 = object),
    down-scaled to at most 128 px a side. MaskError when the folder holds no usable object."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in LABEL_SUFFIXES and p.is_file())
    if not files:
        raise MaskError(f"region: no segmentation images (PNG) in {folder}")
    shapes = []
    for path in files:
        try:
            with Image.open(path) as img:
                labels, ignore = _labels(img)
        except (OSError, ValueError, SyntaxError):
            raise MaskError(f"region: cannot read segmentation image {path}") from None
        for value in np.unique(labels):
            if int(value) in ignore:
                continue
            ys, xs = np.nonzero(labels == value)
            if len(ys) < MIN_OBJECT_PIXELS:
                continue
            crop = (labels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] == value)
            crop = crop.astype(np.uint8) * np.uint8(255)
            side = max(crop.shape)
            if side > MAX_OBJECT_SIDE:
                f = MAX_OBJECT_SIDE / side
                size = (max(1, round(crop.shape[1] * f)), max(1, round(crop.shape[0] * f)))
                crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
                crop = np.where(crop >= 128, np.uint8(255), np.uint8(0))
            if np.count_nonzero(crop):
                shapes.append(np.pad(crop, 1))
    if not shapes:
        raise MaskError(f"region: no objects of at least {MIN_OBJECT_PIXELS} px in the images of {folder}")
    return shapes
