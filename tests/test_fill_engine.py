"""The fill engine: known pixels bit-exact on every path, sizes, holes of every shape."""

import numpy as np
import pytest
from torch import nn

from inpaint.errors import ImageError
from inpaint.fill.engine import ClassicalFiller, ModelFiller
from inpaint.network_input import center_box
from test_fill_helpers import photo, rect_mask, tiny_config, tiny_filler

MASKS = {
    "several holes": rect_mask(96, 128, (10, 10, 20, 30), (50, 60, 70, 70), (80, 100, 90, 120)),
    "border and corners": rect_mask(96, 128, (0, 0, 12, 12), (84, 116, 96, 128), (40, 0, 50, 6), (0, 60, 3, 90)),
    "larger than half": rect_mask(96, 128, (5, 5, 90, 110)),
    "elongated": rect_mask(96, 128, (47, 2, 50, 126)),
    "single pixel": rect_mask(96, 128, (33, 44, 34, 45)),
}


def _fillers():
    return {"model center": tiny_filler("center"), "model full": tiny_filler("full"),
            "model full telea+mask": tiny_filler("full", mask_channel=True, prefill="telea"),
            "model center refined": tiny_filler("center", refine=1.0), "model full refined": tiny_filler("full", refine=1.0),
            "telea": ClassicalFiller("telea"), "ns": ClassicalFiller("ns")}


FILLERS = _fillers()


@pytest.mark.parametrize("filler", list(FILLERS))
@pytest.mark.parametrize("mask_name", list(MASKS))
def test_known_pixels_are_bit_exact_and_holes_filled(filler, mask_name):
    img, mask = photo(), MASKS[mask_name]
    out = FILLERS[filler].fill(img, mask)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(out[mask == 0], img[mask == 0])
    hole = mask > 0
    assert not np.array_equal(out[hole], img[hole])  # something was written in the holes


class Identity(nn.Module):
    """Returns its (pre-filled) input: full image, or the centre patch in centre mode."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg

    def forward(self, x):
        x = x[:, :3]
        if self.cfg.mode == "center":
            a, b = center_box(x.shape[-1])
            return x[..., a:b, a:b]
        return x


@pytest.mark.parametrize("refine", [None, 1.5])
@pytest.mark.parametrize("mode", ["center", "full"])
def test_windows_are_mapped_back_where_they_came_from(mode, refine, monkeypatch):
    # With pre-filling switched off, an identity "model" sees the true window, so the engine
    # must give back a linear ramp almost exactly — unless windows were misplaced or
    # mis-scaled on the way in or out (a 1-px shift costs 1 level here, a flip far more).
    import inpaint.fill.engine as engine

    monkeypatch.setattr(engine, "prefill", lambda image, mask, kind: image)
    monkeypatch.setattr(engine, "classical_fill", lambda image, mask, method: image)
    h, w = 250, 300
    ramp = np.zeros((h, w, 3), np.uint8)
    ramp[..., 0] = np.arange(w)[None] * 255 // (w - 1)
    ramp[..., 1] = np.arange(h)[:, None]
    ramp[..., 2] = np.arange(w)[None] // 3 + np.arange(h)[:, None] // 3
    mask = rect_mask(h, w, (100, 120, 160, 230), (5, 5, 15, 25), (200, 100, 203, 140))
    cfg = tiny_config(mode)
    # layout=None: PatchMatch's copies would replace the identity's fill of the large hole
    out = ModelFiller(Identity(cfg), cfg, refine=refine, layout=None).fill(ramp, mask)
    err = np.abs(out.astype(int) - ramp.astype(int))[mask > 0]
    assert err.mean() < 0.6 and err.max() <= 3


RAMP = 40 / 127.5  # tensor units: 40 grey levels from the left edge of a window to its right edge


class RampModel(nn.Module):
    """Not mirror-symmetric: returns its input RGB plus a left-to-right ramp 0 → RAMP (reversed
    with ``mirrored``, i.e. what a flipped run of the plain model gives back)."""

    def __init__(self, mirrored: bool = False):
        super().__init__()
        self.mirrored = mirrored

    def forward(self, x):
        import torch

        ramp = torch.linspace(0, RAMP, x.shape[-1])
        return x[:, :3] + (ramp.flip(0) if self.mirrored else ramp)


def test_flip_averages_the_prediction_with_the_mirrored_prediction(monkeypatch):
    import inpaint.fill.engine as engine

    monkeypatch.setattr(engine, "prefill", lambda image, mask, kind: image)  # the model sees the true window
    cfg = tiny_config("full")
    assert ModelFiller(RampModel(), cfg).flip is engine.FLIP_DEFAULT
    box = (32, 32, 64, 64)
    mask = rect_mask(96, 96, box)
    deep = rect_mask(96, 96, (44, 44, 52, 52)) > 0  # beyond the seam blend: the prediction unchanged

    # Analytically, on a flat grey photo: the ramp and its mirror average to RAMP / 2 = +20 levels.
    grey = np.full((96, 96, 3), 100, np.uint8)
    flipped = ModelFiller(RampModel(), cfg, flip=True).fill(grey, mask)
    assert np.all(flipped[deep] == 120)
    plain = ModelFiller(RampModel(), cfg, flip=False).fill(grey, mask)
    assert plain[deep].max() - plain[deep].min() >= 3  # without flip the ramp shows across the hole

    # On a photo: flip=True equals the mean of two single runs (the model, and its mirror image).
    img = photo(96, 96)
    flipped = ModelFiller(RampModel(), cfg, flip=True).fill(img, mask)
    one = ModelFiller(RampModel(), cfg, flip=False).fill(img, mask).astype(float)
    other = ModelFiller(RampModel(mirrored=True), cfg, flip=False).fill(img, mask).astype(float)
    hole = mask > 0
    diff = np.abs(flipped[hole] - (one[hole] + other[hole]) / 2)  # up to uint8 rounding in each run
    assert diff.max() <= 2 and diff.mean() < 0.25
    assert np.abs(flipped[hole] - one[hole]).max() >= 5  # and flipping did change the fill
    assert np.array_equal(flipped[~hole], img[~hole])  # known pixels bit-exact


def test_refinement_re_fills_coarse_holes_tile_by_tile():
    from inpaint.fill.planning import plan_windows
    from inpaint.fill.refine import refine_windows

    mask = MASKS["larger than half"]
    labels, windows = plan_windows(mask > 0, 64, "center", 4)
    tiles = refine_windows(labels, windows, 64, "center", 4, 1.0)
    assert len(tiles) > 4 and all(t.side == 64 for t in tiles)
    covered = np.zeros(mask.shape, bool)
    for t in tiles:
        covered[t.box[0]:t.box[2], t.box[1]:t.box[3]] = True
    assert covered[mask > 0].all()  # every hole pixel belongs to a tile's core
    img = photo()
    coarse = tiny_filler("center").fill(img, mask)
    refined = tiny_filler("center", refine=1.0).fill(img, mask)
    assert not np.array_equal(coarse[mask > 0], refined[mask > 0])


def test_batch_size_does_not_change_the_result():
    img = photo(128, 160)
    rng = np.random.default_rng(1)
    mask = np.zeros(img.shape[:2], np.uint8)
    for _ in range(12):
        y, x = rng.integers(0, 150, 2)
        mask[y % 120:y % 120 + 5, x:x + 6] = 255
    one = tiny_filler("full", batch_size=1).fill(img, mask)
    many = tiny_filler("full", batch_size=64).fill(img, mask)
    assert np.array_equal(one, many)


def test_empty_mask_returns_the_photo_and_full_mask_is_refused():
    img = photo(40, 40)
    for filler in (tiny_filler("center"), ClassicalFiller()):
        assert np.array_equal(filler.fill(img, np.zeros((40, 40), np.uint8)), img)
        with pytest.raises(ImageError, match="nothing to fill from"):
            filler.fill(img, np.full((40, 40), 255, np.uint8))


@pytest.mark.parametrize("method", ["telea", "ns"])
def test_classical_bbox_fill_equals_opencv_on_the_whole_photo(method):
    from inpaint.classical import classical_fill

    img = photo(120, 160, seed=3)
    for mask in (rect_mask(120, 160, (50, 60, 58, 75), (70, 90, 80, 96)), rect_mask(120, 160, (0, 150, 9, 160))):
        assert np.array_equal(ClassicalFiller(method).fill(img, mask), classical_fill(img, mask, method))


def test_bad_arrays_are_refused_clearly():
    filler = ClassicalFiller()
    with pytest.raises(ImageError, match="does not match"):
        filler.fill(photo(40, 40), np.zeros((40, 41), np.uint8))
    with pytest.raises(ImageError, match="uint8 H×W×3"):
        filler.fill(photo(40, 40).astype(np.float32), np.zeros((40, 40), np.uint8))
    with pytest.raises(ImageError, match="unknown classical method"):
        ClassicalFiller("biharmonic")


def test_tiny_and_non_square_photos():
    for h, w in ((1, 7), (5, 3), (17, 250)):
        img = photo(h, w)
        mask = np.zeros((h, w), np.uint8)
        mask[h // 2, w // 2] = 255
        for mode in ("center", "full"):
            out = tiny_filler(mode).fill(img, mask)
            assert out.shape == img.shape and np.array_equal(out[mask == 0], img[mask == 0])


def test_large_photo_model_and_classical():
    img = np.zeros((2048, 2048, 3), np.uint8)
    img[..., 0] = np.arange(2048, dtype=np.uint32)[None] % 256
    img[..., 1] = 90
    mask = rect_mask(2048, 2048, (0, 0, 700, 300), (1000, 1000, 1040, 1900), (2040, 2000, 2048, 2048))
    out = tiny_filler("center").fill(img, mask)
    assert out.shape == img.shape and np.array_equal(out[mask == 0], img[mask == 0])
    big = np.zeros((4096, 4096, 3), np.uint8)
    big[..., 2] = 200
    mask = rect_mask(4096, 4096, (2000, 2000, 2030, 2030), (4090, 0, 4096, 40))
    out = ClassicalFiller("telea").fill(big, mask)
    assert out.shape == big.shape and np.array_equal(out[mask == 0], big[mask == 0])
    assert np.abs(out[mask > 0, 2].astype(int) - 200).mean() < 2  # a flat photo is filled ~flat
