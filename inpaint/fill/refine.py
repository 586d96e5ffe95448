"""Optional refinement of holes too big for one sharp window.

A hole group whose window had to be down-scaled by more than ``max_scale`` (a big block, or
long strokes that form one group) is first filled coarsely by that window. Refinement then
re-predicts it tile by tile at scale ≤ ``max_scale``: each tile's *core* (the pixels it
re-fills) sits where the model expects its hole — the centre half of the window for ``full``
models, inside the inner hole square for ``center`` models — and everything around the core,
including the coarse fill of the rest of the hole, is context. Costs one model run per tile
that holds hole pixels.
"""

from __future__ import annotations

import numpy as np

from inpaint.fill.planning import Window


def core_side(size: int, mode: str, overlap: int, tile: int) -> int:
    """Side (photo px) of the part of a ``tile``-px window that one model run re-fills."""
    if mode == "center":
        inner = size // 2 - 2 * overlap
        return max(1, int((inner - 4) * tile / size))  # −4: scaled mask growth + rounding
    return max(1, tile // 2)


def refine_windows(labels: np.ndarray, windows: list[Window], size: int, mode: str, overlap: int,
                   max_scale: float) -> list[Window]:
    """Tiles over every group whose window is coarser than ``max_scale``; each tile's ``box``
    is its core (clipped to the group's box) and it only re-fills that group's pixels there."""
    tile = max(size, int(round(size * max_scale)))
    core = core_side(size, mode, overlap, tile)
    tiles = []
    for w in windows:
        if w.side <= tile:
            continue  # already at least this sharp
        y0, x0, y1, x1 = w.box
        for ty in range(y0, y1, core):
            for tx in range(x0, x1, core):
                box = (ty, tx, min(ty + core, y1), min(tx + core, x1))
                if not (labels[box[0]:box[2], box[1]:box[3]] == w.group).any():
                    continue
                cy, cx = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
                tiles.append(Window(cy - tile // 2, cx - tile // 2, tile, w.group, box))
    return tiles
