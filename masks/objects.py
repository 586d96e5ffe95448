"""Object removal holes: one object-sized hole plus brush strokes, what a user erases from a
photo (issue 10's native-resolution setting)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from masks.core import MaskGenerator
from masks.errors import MaskError
from masks.region import RegionMask, draw_blob
from masks.strokes import BrushMask

SHAPES = ("auto", "blob", "ellipse", "objects")
CENTRE = (0.25, 0.75)  # the object's centre, as fractions of the width/height: mostly inside the photo


@dataclass
class ObjectMask(MaskGenerator):
    """One object-sized hole covering ``min_area..max_area`` of the photo (less where the photo's
    edge cuts it) plus ``strokes`` DeepFill brush strokes (no box) of ``stroke_min_width..
    stroke_max_width`` px at 256 px, scaled with the photo like ``stroke``.

    ``shape``: ``blob`` (a smooth random star-shaped polygon, stretched and rotated),
    ``ellipse`` (rotated, aspect ratio 1–2.5), ``objects`` (a random object shape from the
    segmentation PNGs of ``objects_dir``, scaled, rotated and deformed as ``region`` does) or
    ``auto`` (= ``objects`` when ``objects_dir`` is set, else ``blob``).
    """

    shape: str = "auto"
    objects_dir: str = ""
    min_area: float = 0.04
    max_area: float = 0.15
    strokes: int = 1
    stroke_min_width: float = 4.0
    stroke_max_width: float = 12.0

    kind = "object"

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise MaskError(f"object: unknown shape {self.shape!r}; valid: {', '.join(SHAPES)}")
        if self.shape == "auto":
            self.shape = "objects" if self.objects_dir else "blob"
        if (self.shape == "objects") != bool(self.objects_dir):
            raise MaskError("object: shape 'objects' needs objects_dir (a folder of segmentation PNGs), "
                            "and objects_dir is only used with it")
        if not 0 < self.min_area <= self.max_area < 1:
            raise MaskError(f"object: need 0 < min_area <= max_area < 1, got {self.min_area}, {self.max_area}")
        if not 0 <= self.strokes <= 10:
            raise MaskError(f"object: strokes must be in 0..10, got {self.strokes}")
        self._objects = (RegionMask(source="objects", objects_dir=self.objects_dir, min_area=self.min_area,
                                    max_area=self.max_area) if self.shape == "objects" else None)
        self._brush = (BrushMask(min_strokes=self.strokes, max_strokes=self.strokes, min_width=self.stroke_min_width,
                                 max_width=self.stroke_max_width, box=False) if self.strokes else None)

    def draw(self, height, width, rng):
        area = None
        if self._objects is not None:
            canvas = self._objects.draw(height, width, rng)
        else:
            canvas = np.zeros((height, width), np.uint8)
            area = rng.uniform(self.min_area, self.max_area) * height * width
            if self.shape == "blob":
                draw_blob(canvas, area, rng, CENTRE)
            else:
                _ellipse(canvas, area, rng)
        if self._brush is not None:
            canvas |= self._brush.draw(height, width, rng)
        return canvas


def _ellipse(canvas: np.ndarray, area: float, rng: np.random.Generator) -> None:
    height, width = canvas.shape
    aspect = rng.uniform(1.0, 2.5)
    b = math.sqrt(area / (math.pi * aspect))  # area = π·a·b with a = aspect·b
    angle = rng.uniform(0, 180)
    cx, cy = rng.uniform(*CENTRE) * width, rng.uniform(*CENTRE) * height
    cv2.ellipse(canvas, (round(cx), round(cy)), (max(1, round(aspect * b)), max(1, round(b))), angle, 0, 360, 255, -1)
