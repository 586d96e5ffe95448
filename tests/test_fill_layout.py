"""The PatchMatch layout for large holes: where it applies, what it keeps, and how it is switched."""

import sys

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
import torch
from PIL import Image
from torch import nn

from cli.main import main
from inpaint.api import Inpainter
from inpaint.errors import InpaintError
from inpaint.fill.engine import ModelFiller
from inpaint.fill.layout import (AUTO_LAYOUT, DEFAULT_LAYOUT, NATIVE_LAYOUT, LayoutSettings, SizedLayout, layout_fill,
                                  wants_layout)
from test_fill_helpers import make_checkpoint, rect_mask, tiny_config, tiny_filler


def _stripes(size: int) -> np.ndarray:
    """Vertical red/blue stripes 8 px wide: PatchMatch continues them, a flat fill cannot."""
    img = np.zeros((size, size, 3), np.uint8)
    on = (np.arange(size) // 8) % 2 == 0
    img[:, on] = (220, 40, 40)
    img[:, ~on] = (30, 40, 200)
    return img


def _disc(size: int, radius: float) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size]
    return ((yy - size / 2) ** 2 + (xx - size / 2) ** 2 < radius ** 2).astype(np.uint8) * 255


def test_thin_holes_keep_the_models_fill():
    model_mask = np.zeros((32, 32), np.uint8)
    model_mask[15:18, 2:30] = 255                      # 3 px wide: its deepest pixel is 2 px from the rim
    window, mask = _stripes(64), cv2.resize(model_mask, (64, 64), interpolation=cv2.INTER_NEAREST)
    assert layout_fill(np.full((32, 32, 3), 128, np.uint8), model_mask, window, mask) is None


def test_the_model_keeps_the_rim_and_patchmatch_the_inside():
    settings = LayoutSettings(rim=2.0, ramp=4.0)
    model_fill = np.full((64, 64, 3), 128, np.uint8)   # a flat grey "model" fill
    model_mask = _disc(64, 20)
    window, mask = _stripes(128), _disc(128, 40)
    out = layout_fill(model_fill, model_mask, window, mask, settings)
    assert out is not None and out.shape == (128, 128, 3) and out.dtype == np.uint8
    depth = cv2.distanceTransform((mask > 0).astype(np.uint8), cv2.DIST_L2, 5)
    rim = (depth > 0) & (depth <= 2 * settings.rim)    # within `rim` model px (2 window px each)
    inside = depth >= 2 * (settings.rim + settings.ramp)
    assert np.abs(out[rim].astype(int) - 128).max() <= 1
    # Deep inside, the copied stripes: saturated red or blue, not the grey of the model.
    spread = out[inside].astype(int)
    assert np.median(np.abs(spread[:, 0] - spread[:, 2])) > 100
    assert np.array_equal(out, layout_fill(model_fill, model_mask, window, mask, settings))  # deterministic


def test_only_scaled_down_windows_want_a_layout():
    assert not wants_layout(DEFAULT_LAYOUT, 1.5) and wants_layout(DEFAULT_LAYOUT, 2.0)


def _photo(size: int = 512) -> np.ndarray:
    img = _stripes(size)
    img[size // 2:, :, 1] = 160   # two halves, so the context is not one pattern
    return img


class Grey(nn.Module):
    """A "model" whose fill is flat grey (0 in [-1, 1]) whatever it sees."""

    def forward(self, x):
        return torch.zeros_like(x[:, :3])


def test_engine_layout_changes_large_scaled_holes_only_inside_them():
    img, mask = _photo(), _disc(512, 90)
    cfg = tiny_config("full")
    plain = ModelFiller(Grey(), cfg, detail=None, layout=None)
    laid = ModelFiller(Grey(), cfg, detail=None, layout=DEFAULT_LAYOUT)
    a, b = plain.fill(img, mask), laid.fill(img, mask)
    assert np.array_equal(b[mask == 0], img[mask == 0])
    assert not np.array_equal(a[mask > 0], b[mask > 0])
    # The model fills grey; the layout brings the red and blue stripes into the hole.
    def saturation(out):
        inside = out[cv2.erode(mask, np.ones((41, 41), np.uint8)) > 0].astype(int)
        return np.median(np.abs(inside[:, 0] - inside[:, 2]))
    assert saturation(a) < 60 and saturation(b) > 100
    assert np.array_equal(b, laid.fill(img, mask))


def test_engine_layout_leaves_small_windows_and_centre_models_alone():
    plain = tiny_filler("full", mask_channel=True, prefill="telea")
    laid = ModelFiller(plain.model, plain.cfg, layout=DEFAULT_LAYOUT)
    img, mask = _photo(96), rect_mask(96, 96, (40, 40, 52, 52))   # window scaled by less than 2×
    assert np.array_equal(plain.fill(img, mask), laid.fill(img, mask))
    centre = tiny_filler("center")
    assert ModelFiller(centre.model, centre.cfg, layout=DEFAULT_LAYOUT).layout is None


def test_api_default_and_switch(tmp_path):
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    assert Inpainter.from_checkpoint(path, device="cpu").filler.layout == AUTO_LAYOUT
    assert Inpainter.from_checkpoint(path, device="cpu", layout=True).filler.layout == AUTO_LAYOUT
    assert Inpainter.from_checkpoint(path, device="cpu", layout=False).filler.layout is None


def test_without_layout_shares_the_model_and_fills_as_layout_false(tmp_path):
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    laid = Inpainter.from_checkpoint(path, device="cpu")
    fast = laid.without_layout()
    assert fast.filler.model is laid.filler.model and laid.filler.layout == AUTO_LAYOUT
    assert fast.filler.layout is None and fast.name == laid.name + " (no layout)"
    img, mask = _photo(), _disc(512, 90)                       # a hole the layout changes
    plain = Inpainter.from_checkpoint(path, device="cpu", layout=False).fill_array(img, mask)
    assert np.array_equal(fast.fill_array(img, mask), plain)
    assert not np.array_equal(laid.fill_array(img, mask), plain)
    assert fast.without_layout() is None and Inpainter.classical("telea").without_layout() is None
    centre = tiny_filler("center")
    assert centre.with_layout(DEFAULT_LAYOUT).layout is None


def test_without_the_wheel_the_default_fill_falls_back_to_guided_and_a_wheel_layout_is_refused(tmp_path, monkeypatch):
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    Image.fromarray(_photo(96)).save(tmp_path / "a.png")
    Image.fromarray(rect_mask(96, 96, (30, 30, 60, 60))).save(tmp_path / "m.png")
    monkeypatch.setitem(sys.modules, "patchmatch", None)  # `import patchmatch` now raises ImportError
    assert DEFAULT_LAYOUT.method == "own"                   # the guided layout needs no wheel
    assert Inpainter.from_checkpoint(path, device="cpu").filler.layout is DEFAULT_LAYOUT
    with pytest.raises(InpaintError, match="pypatchmatch"):
        LayoutSettings(method="pypatchmatch").check()
    with pytest.raises(InpaintError, match="pypatchmatch"):
        Inpainter.from_checkpoint(path, device="cpu", layout="native")
    args = ["fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png", "--checkpoint", path]
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o.png").exists()


def test_eval_records_the_layout_setting(tmp_path):
    from inpaint.eval.pipeline import EvalSettings, run

    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    images = tmp_path / "photos"
    images.mkdir()
    Image.fromarray(_photo(96)).save(images / "a.png")
    for layout in (None, False):
        result = run(EvalSettings(str(images), str(tmp_path / f"r{layout}"), checkpoints=[str(path)],
                                  methods="telea,model", size=64, layout=layout, perceptual=False, blind=0),
                     progress=False)
        assert result.summary["settings"]["layout"] == ("auto" if layout is None else "off")



def test_fill_cli_layout_flags(tmp_path):
    from inpaint.fill.engine import LAYOUT_DEFAULT

    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    image, mask = _photo(), _disc(512, 90)
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(mask).save(tmp_path / "m.png")
    outs = {}
    for name, extra in (("on", ["--layout"]), ("off", ["--no-layout"]), ("default", [])):
        res = CliRunner().invoke(main, ["fill", str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-o",
                                        str(tmp_path / f"{name}.png"), "--checkpoint", str(path), "--device", "cpu",
                                        "--no-detail", *extra])
        assert res.exit_code == 0, res.output
        outs[name] = np.asarray(Image.open(tmp_path / f"{name}.png"))
        assert np.array_equal(outs[name][mask == 0], image[mask == 0])
    assert not np.array_equal(outs["on"], outs["off"])
    assert LAYOUT_DEFAULT != "off" and np.array_equal(outs["default"], outs["on"])   # bare --layout: the default


def test_layouts_by_name_and_the_native_one(tmp_path):
    """--layout NAME: auto (the default), guided, native (the wheel at the photo's own resolution,
    the model's rim band dropped), off; True/False are the default/off; a wrong name is one error
    line, before any model is loaded."""
    from inpaint.fill.layout import LAYOUTS, NATIVE_LAYOUT, layout_name, layout_settings
    from inpaint.fill.settings import LAYOUT_NAMES

    assert LAYOUT_NAMES == ("auto", "guided", "native", "off") == (*LAYOUTS, "off")
    assert LAYOUTS["guided"] is DEFAULT_LAYOUT and LAYOUTS["auto"] is AUTO_LAYOUT
    assert [layout_name(v, "guided") for v in (None, True, False, "native")] == ["guided", "auto", "off", "native"]
    assert layout_settings("off") is None and layout_settings("native") is NATIVE_LAYOUT
    assert NATIVE_LAYOUT.method == "pypatchmatch" and NATIVE_LAYOUT.size >= 1024 and NATIVE_LAYOUT.rim == 0
    with pytest.raises(InpaintError, match="unknown layout 'pretty'"):
        Inpainter.from_checkpoint(tmp_path / "missing.pt", device="cpu", layout="pretty")
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    assert Inpainter.from_checkpoint(path, device="cpu", layout="native").filler.layout is NATIVE_LAYOUT


def test_fill_cli_native_layout_is_the_apis_and_bad_layout_options_are_one_line(tmp_path):
    pytest.importorskip("patchmatch")
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    image, mask = _photo(), _disc(512, 90)
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(mask).save(tmp_path / "m.png")
    outs = {}
    for name in ("guided", "native"):
        res = CliRunner().invoke(main, ["fill", str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-o",
                                        str(tmp_path / f"{name}.png"), "--checkpoint", str(path), "--device", "cpu",
                                        "--no-detail", "--layout", name])
        assert res.exit_code == 0, res.output
        outs[name] = np.asarray(Image.open(tmp_path / f"{name}.png"))
        assert np.array_equal(outs[name][mask == 0], image[mask == 0])
    assert not np.array_equal(outs["guided"], outs["native"])
    # the command's fill is the API's with the native layout (how it looks: the model card)
    api = Inpainter.from_checkpoint(path, device="cpu", detail=False, layout="native").fill_array(image, mask)
    assert np.array_equal(outs["native"], api)
    for args, message in ((["--layout", "pretty"], "Invalid value for '--layout'"),
                          (["--layout", "native", "--no-layout"], "contradict")):
        res = CliRunner().invoke(main, ["fill", str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-o",
                                        str(tmp_path / "x.png"), "--checkpoint", str(path), *args])
        assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_the_auto_layout_is_native_for_small_windows_and_guided_for_large_ones(tmp_path):
    """Per hole window: up to ``max_side`` photo px the wheel at native resolution, beyond it our
    guided layout (the default's rule, AUTO_MAX_SIDE = 1280, tried here at the test's scale)."""
    pytest.importorskip("patchmatch")
    assert AUTO_LAYOUT.small is NATIVE_LAYOUT and AUTO_LAYOUT.large is DEFAULT_LAYOUT
    assert AUTO_LAYOUT.for_window(AUTO_LAYOUT.max_side) is NATIVE_LAYOUT
    assert AUTO_LAYOUT.for_window(AUTO_LAYOUT.max_side + 1) is DEFAULT_LAYOUT
    assert NATIVE_LAYOUT.for_window(10 ** 6) is NATIVE_LAYOUT and AUTO_LAYOUT.usable() is AUTO_LAYOUT
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    base = Inpainter.from_checkpoint(path, device="cpu", detail=False).filler
    image, mask = _photo(), _disc(512, 90)               # one hole, a window of about 2 × 180 px
    fills = {name: base.with_layout(layout).fill(image, mask)
             for name, layout in (("native", NATIVE_LAYOUT), ("guided", DEFAULT_LAYOUT))}
    assert not np.array_equal(fills["native"], fills["guided"])
    for max_side, expected in ((512, "native"), (300, "guided")):
        auto = base.with_layout(SizedLayout(NATIVE_LAYOUT, DEFAULT_LAYOUT, max_side)).fill(image, mask)
        assert np.array_equal(auto, fills[expected]), max_side


def test_layout_fills_side_by_side_equal_one_after_another(tmp_path, monkeypatch):
    """The windows of a photo are laid out on threads; each fill seeds its own search, so the
    result does not depend on how many run at once (both methods, several runs)."""
    import inpaint.fill.layout as layout_mod

    pytest.importorskip("patchmatch")
    model_fill, model_mask = np.full((64, 64, 3), 128, np.uint8), _disc(64, 20)
    items = []
    for shift, settings in ((0, NATIVE_LAYOUT), (8, NATIVE_LAYOUT), (0, DEFAULT_LAYOUT), (4, DEFAULT_LAYOUT)):
        window = np.roll(_photo(160), shift, axis=1)
        items.append((model_fill, model_mask, window, _disc(160, 50), settings))
    alone = layout_mod.layout_fills(items, workers=1)
    assert all(out is not None for out in alone)
    for _ in range(3):
        together = layout_mod.layout_fills(items, workers=4)
        assert all(np.array_equal(a, b) for a, b in zip(alone, together))
    # and through the engine: a photo with two large holes, so two windows in one chunk
    path = make_checkpoint(tmp_path / "m.pt", "full", mask_channel=True, prefill="telea")
    filler = Inpainter.from_checkpoint(path, device="cpu", detail=False).filler
    image = _photo(768)
    mask = np.maximum(np.roll(_disc(768, 70), -220, axis=1), np.roll(_disc(768, 70), 220, axis=1))
    monkeypatch.setattr(layout_mod.os, "cpu_count", lambda: 1)
    one = filler.fill(image, mask)
    monkeypatch.setattr(layout_mod.os, "cpu_count", lambda: 4)
    assert np.array_equal(filler.fill(image, mask), one)


def test_the_wheel_copies_from_the_photo_not_from_the_padding():
    """``inside``: only that part of the window is given to the wheel; outside it the model's
    fill stays, and inside it the result is the wheel's fill of that part alone."""
    pytest.importorskip("patchmatch")
    from inpaint.patchmatch_fill import patchmatch_fill

    model_fill, model_mask = np.full((64, 64, 3), 128, np.uint8), _disc(64, 12)
    window, mask = _photo(160), _disc(160, 30)
    window[:, 120:] = (0, 255, 0)                      # "padding" the photo does not hold
    inside = (slice(0, 160), slice(0, 120))
    settings = LayoutSettings(method="pypatchmatch", rim=0.0, ramp=0.25)
    out = layout_fill(model_fill, model_mask, window, mask, settings, inside)
    assert np.all(out[:, 120:] == 128)                 # the model's fill, never the wheel's
    alone = patchmatch_fill(np.ascontiguousarray(window[:, :120]), (mask[:, :120] > 0).astype(np.uint8), 3)
    deep = cv2.distanceTransform((mask[:, :120] > 0).astype(np.uint8), cv2.DIST_L2, 5) >= 2
    assert np.array_equal(out[:, :120][deep], alone[deep])
    assert not (np.abs(out[:, :120][deep].astype(int) - (0, 255, 0)).sum(axis=1) < 30).any()   # no green copied
