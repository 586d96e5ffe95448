"""Hole grouping, window choice and window geometry (no torch)."""

import numpy as np
import pytest

from inpaint.fill.planning import plan_windows, window_side
from inpaint.fill.windows import crop, extract_image, extract_mask, geometry, map_back
from test_fill_helpers import photo, rect_mask


def _contains(w, box):
    y0, x0, y1, x1 = box
    return w.top <= y0 and w.left <= x0 and w.top + w.side >= y1 and w.left + w.side >= x1


@pytest.mark.parametrize("mode", ["center", "full"])
def test_every_hole_pixel_is_in_its_window(mode):
    mask = rect_mask(200, 300, (20, 30, 60, 80), (150, 250, 200, 300), (0, 0, 10, 10), (100, 10, 104, 290))
    labels, windows = plan_windows(mask > 0, 64, mode, 4 if mode == "center" else 0)
    assert set(np.unique(labels)) == {0} | {w.group for w in windows}
    assert np.array_equal(labels > 0, mask > 0)
    for w in windows:
        assert _contains(w, w.box)
        rows, cols = np.nonzero(labels == w.group)
        assert (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1) == w.box


def test_window_sides_follow_the_mode_rules():
    # centre: the hole extent must map into the inner square S/2 - 2*overlap (56 px of 128)
    side = int(window_side(100, 128, "center", 4, 4000))
    assert 100 * 128 / side <= 56 - 2
    # full: at least twice the extent, never below the model size, cut to the photo
    assert int(window_side(100, 128, "full", 0, 4000)) >= 200
    assert int(window_side(10, 128, "full", 0, 4000)) == 128
    assert int(window_side(900, 128, "full", 0, 1000)) == 1000


def test_full_mode_window_stays_inside_the_photo_when_it_can():
    mask = rect_mask(300, 300, (0, 0, 8, 8))  # corner hole
    _, (w,) = plan_windows(mask > 0, 64, "full")
    assert (w.top, w.left) == (0, 0) and w.side == 64
    _, (w,) = plan_windows(mask > 0, 64, "center", 4)  # centre mode: centred, reflection outside
    assert w.top < 0 and w.left < 0


def test_close_holes_share_a_window_and_far_ones_do_not():
    near = rect_mask(512, 512, (100, 100, 104, 104), (110, 110, 114, 114))
    _, windows = plan_windows(near > 0, 64, "full")
    assert len(windows) == 1
    far = rect_mask(512, 512, (10, 10, 14, 14), (490, 490, 494, 494))
    _, windows = plan_windows(far > 0, 64, "full")
    assert len(windows) == 2


def test_very_many_components_stay_bounded():
    rng = np.random.default_rng(0)
    mask = ((rng.random((400, 400)) < 0.02) * 255).astype(np.uint8)
    labels, windows = plan_windows(mask > 0, 64, "full")
    assert 1 <= len(windows) <= 1024
    assert np.array_equal(labels > 0, mask > 0)


def test_downscaled_mask_keeps_partially_covered_pixels():
    hole = np.zeros((640, 640), bool)
    hole[300, 301] = True  # one pixel, a tenth of a model pixel after scaling
    from inpaint.fill.planning import Window

    geo = geometry(Window(0, 0, 640, 1, (300, 301, 301, 302)), 640, 640, 64)
    small = extract_mask(crop(hole, geo), geo)
    assert small.shape == (64, 64) and small.sum() >= 1
    assert small[30, 30]


def test_window_geometry_round_trips_with_reflection():
    from inpaint.fill.planning import Window

    img = photo(50, 70)
    w = Window(-20, 40, 64, 1, (0, 40, 10, 70))  # hangs over the top and right borders
    geo = geometry(w, 50, 70, 64)
    win = extract_image(img, geo)
    assert win.shape == (64, 64, 3)
    assert (geo.y0, geo.x0, geo.y1, geo.x1) == (0, 40, 44, 70)
    # scale 1: the in-photo part is copied as is, the rest mirrors it
    assert np.array_equal(win[20:64, 0:30], img[0:44, 40:70])
    assert np.array_equal(win[19], win[20])
    back = map_back(win, geo)
    assert np.array_equal(back, img[0:44, 40:70])


def test_centre_model_sees_the_training_hole_at_its_own_scale():
    # The CE centre hole (56² in a 128 crop, overlap 4) is exactly what a centre model was
    # trained on: its window must be the crop itself, not a down-scaled larger one.
    hole = np.zeros((128, 128), bool)
    hole[36:92, 36:92] = True
    (window,) = plan_windows(hole, 128, "center", 4)[1]
    assert (window.top, window.left, window.side) == (0, 0, 128)
    # one pixel more than the inner square needs a down-scaled window
    hole[35:92, 35:92] = True
    assert plan_windows(hole, 128, "center", 4)[1][0].side > 128
