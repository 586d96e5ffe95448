"""Named evaluation settings (``inpaint eval --setting NAME``): one place that says what a
setting is, so a table can be reproduced by its name. A setting fixes the geometry (whole
photos scaled to ``long_side``) and the generated mask kinds; ``--long-side`` and
``--mask-kind`` given with it override its values, and the result is recorded in
``summary.json``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    long_side: int  # whole photos are scaled so their long side is this (px)
    mask_kinds: tuple[str, ...]  # kinds of the masks registry, with their default parameters
    purpose: str  # what the masks stand for (their sizes are the mask kind's defaults)

    @property
    def description(self) -> str:
        return (f"whole photos scaled to a long side of {self.long_side} px, masks of kind "
                f"{', '.join(self.mask_kinds)}: {self.purpose}")


PRESETS: dict[str, Preset] = {
    # Issue 10: object removal at realistic photo sizes, where the blur of a fill shows.
    "objects": Preset(1280, ("object",), "one object-sized hole plus one brush stroke"),
}
