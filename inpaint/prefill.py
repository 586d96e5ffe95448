"""Pre-fill holes before the network sees them (training and filling share this)."""

from __future__ import annotations

import numpy as np

from inpaint.classical import classical_fill

# Context Encoders fill the hole with the mean ImageNet pixel (117, 104, 123).
CE_MEAN_PIXEL = np.array([117, 104, 123], dtype=np.uint8)


def _mean_fill(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = image.copy()
    out[mask > 0] = CE_MEAN_PIXEL
    return out


PREFILLS = {
    "mean": _mean_fill,
    "telea": lambda image, mask: classical_fill(image, mask, "telea"),
}


def prefill(image: np.ndarray, mask: np.ndarray, kind: str) -> np.ndarray:
    """image ``uint8`` ``H×W×3``, mask ``uint8`` ``H×W`` (255 = hole) → ``uint8`` ``H×W×3``
    with hole pixels replaced (known pixels unchanged)."""
    return PREFILLS[kind](image, mask)
