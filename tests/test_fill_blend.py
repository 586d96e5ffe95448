"""Seam-matched feathering inside the hole's rim."""

import numpy as np

from inpaint.fill.blend import feather_width, seam_blend


def _setup(offset=40):
    original = np.full((40, 40, 3), 100, np.uint8)
    prediction = np.full((40, 40, 3), 100 + offset, np.uint8)
    hole = np.zeros((40, 40), bool)
    hole[10:30, 10:30] = True
    return original, prediction, hole


def test_rim_is_pulled_to_the_known_colour_and_the_depth_is_untouched():
    original, prediction, hole = _setup()
    out = seam_blend(original, prediction, hole, ~hole, np.ones_like(hole), feather=4)
    assert abs(int(out[10, 20, 0]) - 100) <= 10    # first pixel inside: seam-matched
    assert out[20, 20, 0] == 140                   # deep inside: the prediction
    depth = [int(out[r, 20, 0]) for r in range(10, 16)]
    assert depth == sorted(depth)                  # monotone ramp towards the prediction
    assert np.array_equal(out[~hole], prediction[~hole])


def test_offset_follows_the_rim_locally():
    original, prediction, hole = _setup(0)
    original[:, :20] = 60  # left half of the surroundings is darker than the prediction
    out = seam_blend(original, prediction, hole, ~hole, np.ones_like(hole), feather=4)
    assert out[20, 10, 0] < 80 and out[20, 29, 0] == 100


def test_no_measurable_ring_means_no_correction():
    original, prediction, hole = _setup()
    out = seam_blend(original, prediction, hole, ~hole, np.zeros_like(hole), feather=4)
    assert np.array_equal(out, prediction)


def test_feather_grows_with_upscaling_but_stays_narrow():
    assert feather_width(0.5) == 2 and feather_width(3) == 6 and feather_width(50) == 8
