"""Free-form brush strokes: the DeepFill v2 recipe and the LaMa thin/medium/thick presets.

Both recipes were written for 256×256 images. Here every length, width and box size is
multiplied by ``s = sqrt(H·W) / 256``, so a mask looks the same at any resolution (and for
non-square images the geometric mean side is the reference). DeepFill's segment length
``r = sqrt(H² + W²) / 8`` already scales with the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from masks.core import MaskGenerator
from masks.errors import MaskError

REFERENCE_SIDE = 256.0


def size_scale(height: int, width: int) -> float:
    return math.sqrt(height * width) / REFERENCE_SIDE


@dataclass
class BrushMask(MaskGenerator):
    """DeepFill v2 free-form brush: ``min_strokes..max_strokes`` strokes of
    ``min_vertices..max_vertices`` vertices, segment length ~ N(r, r/2) clipped to [0, 2r] with
    r = √(H²+W²)/8, width ``min_width..max_width`` px at 256 px (scaled), round joints;
    unioned with DeepFill's box (half the image side, each side shrunk by up to 1/16) when
    ``box`` is on. ``make_generator("stroke", preset="thin"|"medium"|"thick")`` gives the
    LaMa presets instead.
    """

    min_strokes: int = 1
    max_strokes: int = 3
    min_vertices: int = 4
    max_vertices: int = 11
    min_width: float = 12.0
    max_width: float = 40.0
    box: bool = True

    kind = "stroke"
    MEAN_ANGLE = 2 * math.pi / 5
    ANGLE_RANGE = 2 * math.pi / 15

    def __post_init__(self):
        if not 1 <= self.min_strokes <= self.max_strokes:
            raise MaskError(f"stroke: need 1 <= min_strokes <= max_strokes, got {self.min_strokes}, {self.max_strokes}")
        if not 2 <= self.min_vertices <= self.max_vertices:
            raise MaskError(f"stroke: need 2 <= min_vertices <= max_vertices, got {self.min_vertices}, {self.max_vertices}")
        if not 0 < self.min_width <= self.max_width:
            raise MaskError(f"stroke: need 0 < min_width <= max_width, got {self.min_width}, {self.max_width}")

    @staticmethod
    def extra_fields():
        """The ``stroke`` kind also takes ``preset`` (it selects :class:`LamaStrokeMask`) and,
        with a preset, the LaMa parameters that override it."""
        import dataclasses

        own = set(BrushMask.__dataclass_fields__)
        return list(dataclasses.fields(_PresetParam)) + [
            f for f in dataclasses.fields(LamaStrokeMask) if f.name not in own]

    def draw(self, height, width, rng):
        canvas = np.zeros((height, width), np.uint8)
        s = size_scale(height, width)
        radius = math.sqrt(height * height + width * width) / 8
        for _ in range(int(rng.integers(self.min_strokes, self.max_strokes + 1))):
            n = int(rng.integers(self.min_vertices, self.max_vertices + 1))
            lo = self.MEAN_ANGLE - rng.uniform(0, self.ANGLE_RANGE)
            hi = self.MEAN_ANGLE + rng.uniform(0, self.ANGLE_RANGE)
            angles = rng.uniform(lo, hi, n)
            angles[::2] = 2 * math.pi - angles[::2]
            lengths = np.clip(rng.normal(radius, radius / 2, n), 0, 2 * radius)
            dx = (lengths * np.cos(angles)).tolist()
            dy = (lengths * np.sin(angles)).tolist()
            x, y = float(rng.integers(0, width)), float(rng.integers(0, height))
            points = [(int(x), int(y))]
            for i in range(n):  # sequential: each vertex is clipped before the next step
                x = min(max(x + dx[i], 0.0), float(width - 1))
                y = min(max(y + dy[i], 0.0), float(height - 1))
                points.append((int(x), int(y)))
            thickness = max(1, int(rng.uniform(self.min_width, self.max_width) * s))
            cv2.polylines(canvas, [np.array(points, np.int32)], False, 255, thickness)
            for p in points:
                cv2.circle(canvas, p, thickness // 2, 255, -1)
        if rng.random() < 0.5:
            canvas = cv2.flip(canvas, 1)
        if rng.random() < 0.5:
            canvas = cv2.flip(canvas, 0)
        if self.box:
            bh, bw = height // 2, width // 2
            top = int(rng.integers(0, height - bh + 1))
            left = int(rng.integers(0, width - bw + 1))
            dh = int(rng.integers(0, height // 16 + 1))
            dw = int(rng.integers(0, width // 16 + 1))
            canvas[top + dh : top + bh - dh, left + dw : left + bw - dw] = 255
        return canvas


@dataclass
class LamaStrokeMask(MaskGenerator):
    """LaMa random masks: ``min_times..max_times`` strokes of 1–5 straight segments (length
    10 + U[0, max_len), width 5 + U[0, max_width), angle 0.01 + U{0..max_angle-1} rad, at
    256 px, scaled), or with probability ``box_probability`` instead 1–5 rectangles with sides
    in [box_min_size, box_max_size). Masks whose hole fraction is above ``max_area`` are
    dropped and redrawn (LaMa: 0.5).
    """

    min_times: int = 4
    max_times: int = 5
    max_width: float = 50.0
    max_len: float = 100.0
    max_angle: int = 4
    box_probability: float = 0.3
    box_min_size: float = 10.0
    box_max_size: float = 50.0
    max_area: float = 0.5

    kind = "stroke"
    _MAX_REDRAWS = 100

    def __post_init__(self):
        if not 1 <= self.min_times <= self.max_times:
            raise MaskError(f"stroke: need 1 <= min_times <= max_times, got {self.min_times}, {self.max_times}")
        if self.max_width < 1 or self.max_len < 1 or self.max_angle < 1:
            raise MaskError("stroke: max_width, max_len and max_angle must be >= 1")
        if not 0 <= self.box_probability <= 1:
            raise MaskError(f"stroke: box_probability must be in [0, 1], got {self.box_probability}")
        if not 1 <= self.box_min_size < self.box_max_size:
            raise MaskError(f"stroke: need 1 <= box_min_size < box_max_size, got {self.box_min_size}, {self.box_max_size}")
        if not 0 < self.max_area <= 1:
            raise MaskError(f"stroke: max_area must be in (0, 1], got {self.max_area}")

    def fraction_range(self, height, width):
        return (1.0 / (height * width), self.max_area)

    def draw(self, height, width, rng):
        limit = self.max_area * height * width
        for _ in range(self._MAX_REDRAWS):
            if rng.random() < self.box_probability:
                canvas = self._boxes(height, width, rng)
            else:
                canvas = self._strokes(height, width, rng)
            if np.count_nonzero(canvas) <= limit:
                return canvas
        raise MaskError(f"stroke: no mask under max_area={self.max_area} after {self._MAX_REDRAWS} draws "
                        f"at {width}x{height}; lower the stroke sizes")

    def _strokes(self, height, width, rng):
        canvas = np.zeros((height, width), np.uint8)
        s = size_scale(height, width)
        times = int(rng.integers(self.min_times, self.max_times + 1))
        starts_x = rng.integers(0, width, times).tolist()
        starts_y = rng.integers(0, height, times).tolist()
        segments = (1 + rng.integers(0, 5, times)).tolist()
        total = sum(segments)
        # All random numbers in a few vector draws; the loop below only clips and draws
        # (plain Python scalars: numpy calls per segment would dominate the cost).
        angle = 0.01 + rng.integers(0, self.max_angle, total)
        length = (10 + rng.random(total) * self.max_len) * s
        step_x = (length * np.sin(angle)).tolist()
        step_y = (length * np.cos(angle)).tolist()
        widths = np.maximum(1, ((5 + rng.random(total) * self.max_width) * s).astype(np.int64)).tolist()
        line = cv2.line
        k = 0
        for i in range(times):
            x, y = starts_x[i], starts_y[i]
            # LaMa mirrors the angle (2π − a) for every other stroke: sin flips sign.
            sign = -1.0 if i % 2 == 0 else 1.0
            for _ in range(segments[i]):
                ex = int(x + sign * step_x[k])
                ey = int(y + step_y[k])
                ex = 0 if ex < 0 else (width if ex > width else ex)
                ey = 0 if ey < 0 else (height if ey > height else ey)
                line(canvas, (x, y), (ex, ey), 255, widths[k])
                x, y = ex, ey
                k += 1
        return canvas

    def _boxes(self, height, width, rng):
        canvas = np.zeros((height, width), np.uint8)
        s = size_scale(height, width)
        lo = max(1, int(self.box_min_size * s))
        hi = min(max(lo + 1, int(self.box_max_size * s)), height, width)
        lo = min(lo, hi - 1)
        n = int(rng.integers(1, 6))
        bw = rng.integers(lo, hi, n).tolist()
        bh = rng.integers(lo, hi, n).tolist()
        fx, fy = rng.random(n).tolist(), rng.random(n).tolist()
        for i in range(n):
            x = int(fx[i] * (width - bw[i] + 1))
            y = int(fy[i] * (height - bh[i] + 1))
            canvas[y : y + bh[i], x : x + bw[i]] = 255
        return canvas


#: LaMa evaluation presets (random_{thin,medium,thick}_256 configs).
PRESETS: dict[str, dict] = {
    "thin": dict(min_times=4, max_times=50, max_width=10, max_len=40, box_probability=0.0),
    "medium": dict(min_times=4, max_times=5, max_width=50, max_len=100, box_probability=0.3,
                   box_min_size=10, box_max_size=50),
    "thick": dict(min_times=1, max_times=5, max_width=100, max_len=200, box_probability=0.3,
                  box_min_size=30, box_max_size=150),
}


@dataclass
class _PresetParam:
    preset: str = ""  # "", "thin", "medium" or "thick"


def preset_factory(name: str):
    """Factory of the kind ``name`` (a LaMa preset); parameters override the preset's."""

    def factory(**params) -> LamaStrokeMask:
        return _lama_preset(name, params)

    factory.__doc__ = (f"LaMa '{name}' stroke preset ({', '.join(f'{k}={v}' for k, v in PRESETS[name].items())}); "
                       "masks over 50 % redrawn.")
    return factory


def make_stroke(preset: str = "", **params) -> MaskGenerator:
    """The ``stroke`` kind: DeepFill v2 brush, or a LaMa preset with ``preset=``."""
    if not preset:
        wrong = sorted(set(params) - set(BrushMask.__dataclass_fields__))
        if wrong:
            raise MaskError(f"parameter(s) {', '.join(wrong)} need a stroke preset (thin, medium, thick)")
        return BrushMask(**params)
    if preset not in PRESETS:
        raise MaskError(f"unknown stroke preset {preset!r}; valid presets: {', '.join(PRESETS)}")
    lama_fields = set(LamaStrokeMask.__dataclass_fields__)
    wrong = sorted(set(params) - lama_fields)
    if wrong:
        raise MaskError(f"parameter(s) {', '.join(wrong)} do not apply to stroke preset {preset!r}; "
                        f"valid: preset, {', '.join(lama_fields)}")
    return _lama_preset(preset, params)


def _lama_preset(name: str, params: dict) -> LamaStrokeMask:
    """The LaMa preset ``name`` with ``params`` overriding its values."""
    gen = LamaStrokeMask(**{**PRESETS[name], **params})
    gen.kind = name  # error messages and manifests name the preset
    return gen
