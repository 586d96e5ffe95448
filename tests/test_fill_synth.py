"""Our own multi-scale PatchMatch completion (inpaint/fill/synth.py) and the layout's use of it."""

import sys

import cv2
import numpy as np
import pytest

from inpaint.fill.layout import LayoutSettings, layout_fill
from inpaint.fill.synth import SynthSettings, synthesize


def _stripes(size: int, period: int = 8) -> np.ndarray:
    img = np.zeros((size, size, 3), np.uint8)
    on = (np.arange(size) // period) % 2 == 0
    img[:, on] = (220, 40, 40)
    img[:, ~on] = (30, 40, 200)
    return img


def _square(size: int, a: int, b: int) -> np.ndarray:
    hole = np.zeros((size, size), bool)
    hole[a:b, a:b] = True
    return hole


def test_a_periodic_texture_is_continued_through_the_hole():
    img, hole = _stripes(96), _square(96, 30, 62)
    out = synthesize(img, hole)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(out[~hole], img[~hole])           # only the hole changes
    err = np.abs(out[hole].astype(int) - img[hole].astype(int)).mean()
    flat = np.abs(img[~hole].mean(0) - img[hole]).mean()    # what a mean-colour fill would score
    assert err < 0.25 * flat
    assert np.array_equal(out, synthesize(img, hole))       # deterministic


def test_the_guide_decides_which_real_content_goes_where():
    # Left half red, right half blue; the hole spans the border. Whatever the guide says is
    # red inside the hole comes out red, copied from the photo (not the guide's colours).
    img = np.zeros((96, 96, 3), np.uint8)
    img[:, :48] = (200, 30, 30)
    img[:, 48:] = (30, 30, 200)
    hole = _square(96, 24, 72)
    guide = img.copy()
    guide[hole] = (120, 60, 90)
    guide[24:72, 24:40] = (180, 40, 40)                     # the guide's red part is narrower
    guide[24:72, 40:72] = (50, 40, 170)
    out = synthesize(img, hole, guide)
    assert out[30:66, 28:36, 0].mean() > 150 and out[30:66, 28:36, 2].mean() < 80
    assert out[30:66, 46:68, 2].mean() > 150 and out[30:66, 46:68, 0].mean() < 80


def test_no_whole_known_patch_keeps_the_starting_guess():
    img = _stripes(16)
    hole = np.ones((16, 16), bool)
    hole[0, 0] = False
    guide = np.full((16, 16, 3), 77, np.uint8)
    out = synthesize(img, hole, guide, SynthSettings(patch_radius=3))
    assert (out[hole] == 77).all() and (out[0, 0] == img[0, 0]).all()


def test_an_empty_hole_returns_a_copy():
    img = _stripes(32)
    out = synthesize(img, np.zeros((32, 32), bool))
    assert np.array_equal(out, img) and out is not img


def test_the_layout_can_use_it_without_the_wheel(monkeypatch):
    monkeypatch.setitem(sys.modules, "patchmatch", None)   # `import patchmatch` now raises ImportError
    settings = LayoutSettings(method="own")
    settings.check()                                         # no wheel needed
    yy, xx = np.mgrid[:128, :128]
    mask = (((yy - 64) ** 2 + (xx - 64) ** 2) < 40 ** 2).astype(np.uint8) * 255
    model_mask = cv2.resize(mask, (64, 64), interpolation=cv2.INTER_NEAREST)
    out = layout_fill(np.full((64, 64, 3), 128, np.uint8), model_mask, _stripes(128), mask, settings)
    depth = cv2.distanceTransform((mask > 0).astype(np.uint8), cv2.DIST_L2, 5)
    inside = out[depth >= 2 * (settings.rim + settings.ramp)].astype(int)
    assert np.median(np.abs(inside[:, 0] - inside[:, 2])) > 100   # copied stripes, not the grey guide
    with pytest.raises(Exception, match="pypatchmatch"):
        LayoutSettings(method="pypatchmatch").check()


def test_an_unknown_layout_method_is_refused_in_one_line():
    from inpaint.errors import InpaintError

    with pytest.raises(InpaintError, match="unknown layout method 'magic'"):
        LayoutSettings(method="magic").check()


def test_an_image_smaller_than_a_patch_keeps_the_guess():
    img = _stripes(6)
    hole = np.zeros((6, 6), bool)
    hole[2:4, 2:4] = True
    out = synthesize(img, hole, np.full((6, 6, 3), 9, np.uint8))
    assert (out[hole] == 9).all() and np.array_equal(out[~hole], img[~hole])


def test_a_photo_that_is_all_hole_without_a_guide_comes_back_grey():
    out = synthesize(_stripes(32), np.ones((32, 32), bool))
    assert (out == 128).all()


def test_sharp_levels_copy_real_pixels_without_averaging():
    noise = np.random.default_rng(0).integers(-25, 26, (96, 96, 3))
    img = np.clip(_stripes(96).astype(int) + noise, 0, 255).astype(np.uint8)   # a noisy texture
    hole = _square(96, 30, 62)
    guide = img.copy()
    guide[hole] = 128
    soft = synthesize(img, hole, guide)
    sharp = synthesize(img, hole, guide, SynthSettings(sharp_levels=1))
    colours = {tuple(c) for c in img[~hole].reshape(-1, 3)}
    assert all(tuple(c) in colours for c in sharp[hole])      # every hole pixel is a photo pixel
    assert not all(tuple(c) in colours for c in soft[hole])   # the vote's means are not
    assert np.array_equal(sharp[~hole], img[~hole])
    assert np.array_equal(sharp, synthesize(img, hole, guide, SynthSettings(sharp_levels=1)))

