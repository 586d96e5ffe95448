"""Paired translation (pix2pix-style A → B) of a photo of any size.

The photo (``uint8`` ``H×W×3``) is brought to the model's grid — ``fit="pad"`` (default): long
side to the model's side, aspect ratio kept, reflection-padded to a multiple of the stride;
``fit="stretch"``: resized to ``size×size`` — then the model maps RGB in [-1, 1] ``(1, 3, S, S)``
to RGB in [-1, 1], and the result (padding cropped) is scaled back to ``H×W`` (area when
shrinking, bilinear when enlarging).
"""

from __future__ import annotations

import numpy as np

from inpaint.color import LEVEL_SCALE
from inpaint.colorize.scaling import check_side, pad_reflect, padded_side, resize, run_network, scaled_shape
from inpaint.errors import InpaintError

FITS = ("pad", "stretch")
DEFAULT_FIT = "pad"


class TranslateEngine:
    """A paired model (``(B, 3, S, S)`` → ``(B, 3, S, S)`` RGB in [-1, 1]) and how it is applied;
    ``size``/``stride`` as :class:`inpaint.colorize.engine.ColorizeEngine`."""

    def __init__(self, model, image_size: int, device="cpu", size: int | None = None,
                 stride: int | None = None, fit: str = DEFAULT_FIT):
        self.model, self.image_size, self.device = model, int(image_size), device
        self.stride = int(stride or image_size)
        self.size = check_side(int(size or image_size), self.stride)
        if fit not in FITS:
            raise InpaintError(f"unknown --fit {fit!r}: use {', '.join(FITS)}")
        self.fit = fit

    def translate(self, rgb: np.ndarray) -> np.ndarray:
        """``uint8`` ``H×W×3`` → ``uint8`` ``H×W×3``."""
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise InpaintError(f"translation needs a uint8 H×W×3 photo, got {rgb.dtype} {rgb.shape}")
        height, width = rgb.shape[:2]
        shape = (self.size, self.size) if self.fit == "stretch" else scaled_shape(height, width, self.size)
        small = resize(rgb.astype(np.float32), shape)
        h, w = shape
        padded, (top, left) = pad_reflect(small, (padded_side(h, self.stride), padded_side(w, self.stride)))
        x = (padded / LEVEL_SCALE - 1.0).transpose(2, 0, 1)
        out = run_network(self.model, x, self.device, 3, "translation")
        out = (out[:, top:top + h, left:left + w].transpose(1, 2, 0) + 1.0) * LEVEL_SCALE
        out = resize(np.ascontiguousarray(out), (height, width))
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
