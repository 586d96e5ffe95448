"""Registers every mask kind in :data:`masks.registry.MASK_KINDS` (explicit, in one place).

To add a kind: write its generator (a :class:`masks.core.MaskGenerator` dataclass) in its own
module and add one ``register(...)`` line here.
"""

from masks.mixed import MixedParams, make_mixed
from masks.objects import ObjectMask
from masks.region import RegionMask
from masks.registry import register
from masks.shapes import BlockMask, CenterMask
from masks.strokes import PRESETS, BrushMask, LamaStrokeMask, make_stroke, preset_factory

register("center", CenterMask)
register("block", BlockMask)
register("stroke", make_stroke, params_of=BrushMask)
for _name in PRESETS:
    register(_name, preset_factory(_name), params_of=LamaStrokeMask)
register("region", RegionMask)
register("object", ObjectMask)
register("mixed", make_mixed, params_of=MixedParams)
