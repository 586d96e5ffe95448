"""Registers every mask kind in :data:`masks.registry.MASK_KINDS` (explicit, in one place)."""

from masks.registry import register
from masks.shapes import BlockMask, CenterMask

register("center", CenterMask)
register("block", BlockMask)
from masks.strokes import PRESETS, BrushMask, LamaStrokeMask, make_stroke, preset_factory

register("stroke", make_stroke, params_of=BrushMask)
for _name in PRESETS:
    register(_name, preset_factory(_name), params_of=LamaStrokeMask)
from masks.region import RegionMask

register("region", RegionMask)
from masks.mixed import MixedMask

register("mixed", MixedMask)
