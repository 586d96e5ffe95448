"""Colourisation of a photo of any size, keeping its own luminance exactly.

1. ``Y`` (``H×W`` float, 0–255: BT.601 luminance, or a grey photo's own value) is scaled so its
   long side is the model's side (area interpolation) and reflection-padded to a multiple of the
   network's stride (:mod:`inpaint.colorize.scaling`);
2. the model maps ``Y/127.5 − 1`` ``(1, 1, S, S)`` to chroma ``(1, 2, S, S)`` in [-1, 1]
   (``(C − 128)/127.5``, :mod:`inpaint.color`'s tensor domain); the padding is cropped off and
   the chroma scaled by ``strength`` (1 = as predicted);
3. only the chroma is upsampled to ``H×W``: bilinearly, plus (``upsample="guided"``, the
   default) the detail the low resolution missed, steered by the full-resolution ``Y``
   (:mod:`inpaint.colorize.guided`), so colour stops at the photo's sharp edges;
4. :func:`inpaint.color.recombine` puts it on the photo's own ``Y``: the luminance of the
   result equals the input's to within rounding (≤ 0.5 level), also where the chroma had to be
   scaled towards grey to stay inside the RGB cube. A 12-MP photo keeps its full sharpness:
   only colour comes from the model's scale.
"""

from __future__ import annotations

import numpy as np

from inpaint.color import LEVEL_SCALE, recombine
from inpaint.colorize import guided
from inpaint.colorize.scaling import (by_strips, check_side, pad_reflect, padded_side, resize,
                                      run_network, scaled_shape)
from inpaint.errors import InpaintError

UPSAMPLERS = ("guided", "bilinear")
DEFAULT_UPSAMPLER = "guided"
DEFAULT_STRENGTH = 1.0
MAX_STRENGTH = 4.0


class ColorizeEngine:
    """A colourisation model (any ``nn.Module`` mapping ``(B, 1, S, S)`` luminance to
    ``(B, 2, S, S)`` chroma, both in [-1, 1]) and how it is applied.

    ``image_size``: the side it was trained at; ``size``: the side it runs at (default
    ``image_size``), a multiple of ``stride`` (default ``image_size``: always safe for a U-Net);
    ``strength``: chroma scale (0 = grey, 1 = as predicted, > 1 more saturated, at most
    :data:`MAX_STRENGTH`); ``upsample``: ``guided`` (edge-aware) or ``bilinear``."""

    def __init__(self, model, image_size: int, device="cpu", size: int | None = None,
                 stride: int | None = None, strength: float = DEFAULT_STRENGTH,
                 upsample: str = DEFAULT_UPSAMPLER):
        self.model, self.image_size, self.device = model, int(image_size), device
        self.stride = int(stride or image_size)
        self.size = check_side(int(size or image_size), self.stride)
        if not 0.0 <= strength <= MAX_STRENGTH:
            raise InpaintError(f"--strength must be between 0 and {MAX_STRENGTH:g}, got {strength:g}")
        if upsample not in UPSAMPLERS:
            raise InpaintError(f"unknown chroma upsampling {upsample!r}: use {', '.join(UPSAMPLERS)}")
        self.strength, self.upsample = float(strength), upsample

    def predict(self, y_lo: np.ndarray) -> np.ndarray:
        """``h×w`` luminance (0–255) at the model's scale → ``h×w×2`` chroma offsets (levels,
        centred on 0, ``strength`` applied)."""
        h, w = y_lo.shape
        padded, (top, left) = pad_reflect(y_lo, (padded_side(h, self.stride), padded_side(w, self.stride)))
        x = (padded / LEVEL_SCALE - 1.0)[None]
        out = run_network(self.model, x, self.device, 2, "colourisation")
        chroma = out[:, top:top + h, left:left + w].transpose(1, 2, 0)
        return np.ascontiguousarray(chroma * (LEVEL_SCALE * self.strength), dtype=np.float32)

    def chroma_maps(self, y: np.ndarray) -> np.ndarray:
        """The full-resolution maps (:mod:`inpaint.colorize.guided`) that give the chroma of
        the luminance ``y``."""
        y_lo = resize(y, scaled_shape(*y.shape, self.size))
        chroma_lo = self.predict(y_lo)
        maker = guided.guided_maps if self.upsample == "guided" else guided.bilinear_maps
        return guided.upsample_maps(maker(chroma_lo, y_lo), y.shape)

    def colorize_luminance(self, y: np.ndarray) -> np.ndarray:
        """``H×W`` luminance (any real dtype, 0–255) → ``uint8`` ``H×W×3`` RGB with that
        luminance (≤ 0.5 level off, from rounding)."""
        y = np.ascontiguousarray(y, dtype=np.float32)
        if y.ndim != 2 or min(y.shape) < 1:
            raise InpaintError(f"colourisation needs an H×W luminance, got shape {y.shape}")
        maps = self.chroma_maps(y)
        out = np.empty(y.shape + (3,), np.uint8)

        def work(rows):
            out[rows] = recombine(y[rows], guided.apply_maps(maps[rows], y[rows]))

        by_strips(y.shape[0], work)
        return out
