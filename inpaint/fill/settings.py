"""The settings that shape every fill of a run (CLI, server); torch-free, so the commands can
show them without loading torch."""

from __future__ import annotations

from dataclasses import dataclass

MAX_DILATE = 256  # px; more would swallow most photos' known pixels
DEFAULT_JPEG_QUALITY = 95
# The layouts of large holes (inpaint.fill.layout.LAYOUTS holds their settings), and none
LAYOUT_GUIDED, LAYOUT_OFF = "guided", "off"
LAYOUT_NAMES = (LAYOUT_GUIDED, "native", LAYOUT_OFF)


@dataclass(frozen=True)
class FillSettings:
    """How a user's mask is made to fit its photo, and how the output is written.

    ``invert``: swap hole and known in the mask file; ``dilate``: grow the holes by this many px
    (0–:data:`MAX_DILATE`); ``resize_mask``: scale a mask of another size to the photo (nearest
    neighbour); ``jpeg_quality``: of ``.jpg`` outputs; ``overwrite``: replace existing outputs.
    """

    invert: bool = False
    dilate: int = 0
    resize_mask: bool = False
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    overwrite: bool = False
