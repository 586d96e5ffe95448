"""The settings that shape every fill of a run (CLI, server); torch-free, so the commands can
show them without loading torch."""

from __future__ import annotations

from dataclasses import dataclass

MAX_DILATE = 256  # px; more would swallow most photos' known pixels
DEFAULT_JPEG_QUALITY = 95
# The layouts of large holes (inpaint.fill.layout.LAYOUTS holds their settings), and none
LAYOUT_AUTO, LAYOUT_GUIDED, LAYOUT_NATIVE, LAYOUT_OFF = "auto", "guided", "native", "off"
LAYOUT_NAMES = (LAYOUT_AUTO, LAYOUT_GUIDED, LAYOUT_NATIVE, LAYOUT_OFF)
# The default of `inpaint fill`, `inpaint eval`, the API and the page. An L1 model's coarse fill of
# a large hole hedges between what could be there (a smudge with ghosts of the removed object), and
# in blind tests PatchMatch's whole copies at the photo's resolution beat it (23 : 5 against the
# guided layout); "auto" takes them where they are affordable and the guided layout beyond
# (inpaint.fill.layout, the model card).
LAYOUT_DEFAULT = LAYOUT_AUTO


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
