"""Side-by-side picture for a quick look: masked input | filled | classical Telea."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from inpaint.classical import classical_fill

GAP = 4              # px of white between panels
MAX_PANEL_SIDE = 1024  # panels are down-scaled to this longest side (it is a preview)
HOLE_COLOUR = (255, 0, 255)


def compare_image(image: np.ndarray, mask: np.ndarray, filled: np.ndarray) -> Image.Image:
    """image, filled: ``uint8`` ``H×W×3``; mask ``uint8`` ``H×W`` (255 = hole) → RGB PIL image
    ``(3 panels + gaps)`` wide: the input with its holes painted magenta, the fill, Telea."""
    hole = mask > 0
    masked = image.copy()
    masked[hole] = HOLE_COLOUR
    telea = classical_fill(image, mask, "telea") if hole.any() else image
    panels = [masked, filled, telea]
    height, width = image.shape[:2]
    scale = min(1.0, MAX_PANEL_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        panels = [cv2.resize(p, size, interpolation=cv2.INTER_AREA) for p in panels]
    h, w = panels[0].shape[:2]
    canvas = np.full((h, 3 * w + 2 * GAP, 3), 255, np.uint8)
    for i, panel in enumerate(panels):
        canvas[:, i * (w + GAP):i * (w + GAP) + w] = panel
    return Image.fromarray(canvas, "RGB")
