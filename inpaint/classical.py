"""Classical (non-learned) fills through OpenCV: the baselines every model is compared with."""

from __future__ import annotations

import cv2
import numpy as np

# name -> OpenCV flag; the registry the CLI `--method` and `eval --methods` use.
CLASSICAL_METHODS = {
    "telea": cv2.INPAINT_TELEA,
    "ns": cv2.INPAINT_NS,
}
DEFAULT_RADIUS = 3


def classical_fill(image: np.ndarray, mask: np.ndarray, method: str = "telea",
                   radius: int = DEFAULT_RADIUS) -> np.ndarray:
    """Fill the holes of ``image`` with OpenCV.

    image: ``uint8`` ``H×W×3`` (or ``H×W``); mask: ``uint8`` ``H×W``, 255 (non-zero) = hole.
    Returns a new ``uint8`` array of the image's shape; known pixels are unchanged.
    """
    if method not in CLASSICAL_METHODS:
        raise ValueError(f"unknown classical method {method!r}: use {', '.join(CLASSICAL_METHODS)}")
    hole = (mask > 0).astype(np.uint8)
    out = cv2.inpaint(np.ascontiguousarray(image), hole, radius, CLASSICAL_METHODS[method])
    return out.reshape(image.shape)
