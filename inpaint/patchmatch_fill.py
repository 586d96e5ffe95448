"""PatchMatch fills through the ``pypatchmatch`` wheel (MIT; Python ≥ 3.11).

A dependency of inpaint (the fill engine's layout for large holes uses it, as does the
``patchmatch`` method). Where it is missing or its native library does not load, both are
refused with one :class:`InpaintError` line naming the fix.

image: ``uint8`` ``H×W×3`` RGB (or ``H×W`` grey); mask: ``uint8`` ``H×W``, non-zero = hole.
"""

from __future__ import annotations

import numpy as np

from inpaint.errors import InpaintError

INSTALL_HINT = 'pip install "pypatchmatch>=2.2" (or pip install "inpaint[patchmatch]")'
# The wheel's randomised search keeps one global seed that every call starts from; setting it
# before each fill makes a fill depend on its inputs only, whatever ran before.
SEED = 0


def _module():
    try:
        import patchmatch
    except (ImportError, OSError):
        raise InpaintError(f"patchmatch needs the pypatchmatch package: {INSTALL_HINT}") from None
    if not getattr(patchmatch, "patchmatch_available", False):
        raise InpaintError("patchmatch: the pypatchmatch package is installed but its native library did not "
                           f"load: reinstall it: {INSTALL_HINT}")
    return patchmatch


def require_patchmatch() -> None:
    """Raise :class:`InpaintError` (one line) unless PatchMatch can run here."""
    _module()


def patchmatch_fill(image: np.ndarray, mask: np.ndarray, patch_size: int) -> np.ndarray:
    """PatchMatch fill of the whole photo; ``patch_size`` is the patch *radius* (patches of
    ``2·patch_size + 1`` px). Returns ``uint8`` of the image's shape; only holes change."""
    pm = _module()
    grey = image.ndim == 2
    rgb = np.repeat(image[..., None], 3, axis=2) if grey else image
    pm.set_random_seed(SEED)
    out = pm.inpaint(np.ascontiguousarray(rgb), (mask > 0).astype(np.uint8), patch_size=int(patch_size))
    return out[..., 0] if grey else out
