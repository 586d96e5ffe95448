"""inpaint.fill.oracle: the fill engine with the original photo's window in place of the network."""

import numpy as np
import pytest
from torch import nn

from inpaint.fill.oracle import OracleFiller
from test_fill_helpers import photo, rect_mask, tiny_filler


class Refuses(nn.Module):
    def forward(self, x):
        raise AssertionError("the oracle ran the network")


def hole_psnr(a, b, hole):
    err = np.mean((a[hole].astype(float) - b[hole].astype(float)) ** 2)
    return 10 * np.log10(255 ** 2 / err)


@pytest.mark.parametrize("mode", ["center", "full"])
@pytest.mark.parametrize("refine", [None, 1.0])
def test_the_oracle_fills_with_the_photo_seen_at_the_models_size_and_never_runs_the_network(mode, refine):
    img = photo(192, 256)  # a 64-px model: this hole's window is scaled down about 2x
    mask = rect_mask(192, 256, (70, 90, 120, 160))
    hole = mask > 0
    model_filler = tiny_filler(mode, refine=refine)
    model_filler.detail = model_filler.layout = None  # the prediction alone, up-scaled and pasted
    model_fill = model_filler.fill(img, mask)
    model_filler.model = Refuses()
    oracle = OracleFiller.of(model_filler)
    out = oracle.fill(img, mask)
    assert np.array_equal(out[~hole], img[~hole])
    # the truth through a 2x down- and up-scaling: only the photo's noise (sigma 4) is lost
    assert hole_psnr(out, img, hole) > max(34.0, hole_psnr(model_fill, img, hole) + 5)
    if refine:  # re-predicted tile by tile at native scale, from the original, not the coarse fill
        assert hole_psnr(out, img, hole) > 50
    assert oracle.flip is False and model_filler.flip is True  # the filler it was made of is unchanged


def test_the_oracle_keeps_its_fillers_engine_steps():
    """With the layout and the detail step on (the defaults), the oracle's fill is what they
    make of a perfect prediction: different from the perfect prediction alone."""
    img = photo(192, 256, seed=3)
    mask = rect_mask(192, 256, (60, 80, 130, 170))
    plain = tiny_filler("full")
    plain.detail = plain.layout = None
    bare = OracleFiller.of(plain).fill(img, mask)
    full = OracleFiller.of(tiny_filler("full")).fill(img, mask)
    assert not np.array_equal(full, bare)
