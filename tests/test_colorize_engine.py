"""The colourisation and translation engines: luminance kept, edges respected, any size."""

import numpy as np
import pytest
import torch
from torch import nn

from colorize_helpers import SmoothChroma, TinyChroma, TinyPaired, bleeding, edge_photo
from inpaint.color import luminance
from inpaint.colorize import guided
from inpaint.colorize.engine import ColorizeEngine
from inpaint.colorize.scaling import pad_reflect
from inpaint.colorize.translate import TranslateEngine
from inpaint.errors import InpaintError
from test_fill_helpers import photo


def _engine(gain=3.0, size=32, **kw):
    return ColorizeEngine(TinyChroma(gain=gain).eval(), size, **kw)


def _lum_error(rgb, y):
    return float(np.abs(luminance(rgb) - np.asarray(y, np.float32)).max())


@pytest.mark.parametrize("shape", [(48, 64), (97, 131), (131, 97), (5, 300), (1, 40)])
def test_luminance_of_a_grey_photo_is_kept(shape):
    grey = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    out = _engine().colorize_luminance(grey)
    assert out.shape == shape + (3,) and out.dtype == np.uint8
    assert _lum_error(out, grey) <= 0.5 + 1e-3
    assert np.abs(out.astype(int) - grey[..., None]).max() > 5  # it is colour, not grey


def test_luminance_of_an_rgb_photo_is_kept_and_its_colours_are_not_used():
    rgb = photo(97, 131)
    y = luminance(rgb)
    out = _engine().colorize_luminance(y)
    assert _lum_error(out, y) <= 0.5 + 1e-3
    # the same luminance in grey gives the same colourisation: the photo's own chroma is not read
    assert np.array_equal(out, _engine().colorize_luminance(y.copy()))


def test_saturated_chroma_and_strength_keep_the_luminance():
    grey = np.random.default_rng(1).integers(0, 256, (60, 90), dtype=np.uint8)
    grey[:, :10] = 0
    grey[:, -10:] = 255
    for strength in (0.0, 1.0, 4.0):
        out = _engine(gain=50.0, strength=strength).colorize_luminance(grey)
        assert _lum_error(out, grey) <= 0.5 + 1e-3
    assert np.array_equal(_engine(strength=0.0).colorize_luminance(grey), np.repeat(grey[..., None], 3, 2))


def test_a_large_scale_factor_keeps_the_luminance_and_its_sharpness():
    """A model at 16 px on a 750×1000 photo is scaled up 62× (a 12-MP photo at 256 px: 16×)."""
    rng = np.random.default_rng(2)
    grey = rng.integers(0, 256, (750, 1000), dtype=np.uint8)  # per-pixel detail the model never sees
    out = _engine(size=16).colorize_luminance(grey)
    assert _lum_error(out, grey) <= 0.5 + 1e-3


def test_guided_upsampling_keeps_colour_from_crossing_a_sharp_edge():
    grey = edge_photo(720, 960, edge=501)
    outs = {up: ColorizeEngine(SmoothChroma(blur=3), 64, stride=1, upsample=up).colorize_luminance(grey)
            for up in ("guided", "bilinear")}
    for near in (8, 16, 30):
        b = {up: bleeding(out, 501, near, 150) for up, out in outs.items()}
        assert b["guided"] < 0.4 * b["bilinear"], (near, b)
    for out in outs.values():
        assert _lum_error(out, grey) <= 0.5 + 1e-3


def test_guided_maps_with_true_low_resolution_chroma_are_not_worse_than_bilinear():
    """Where the chroma does not follow the luminance, guided upsampling is the bilinear one."""
    rng = np.random.default_rng(3)
    y_lo = np.full((20, 30), 120, np.float32) + rng.normal(0, 1, (20, 30)).astype(np.float32)
    chroma = rng.normal(0, 30, (20, 30, 2)).astype(np.float32)
    y = np.full((200, 300), 120, np.float32)
    g = guided.apply_maps(guided.upsample_maps(guided.guided_maps(chroma, y_lo), y.shape), y)
    b = guided.apply_maps(guided.upsample_maps(guided.bilinear_maps(chroma, y_lo), y.shape), y)
    assert np.abs(g - b).max() < 1.0


def test_pad_reflect_and_strides():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    padded, (top, left) = pad_reflect(x, (8, 8))
    assert padded.shape == (8, 8) and np.array_equal(padded[top:top + 3, left:left + 4], x)
    seen = []

    class Probe(nn.Module):
        def forward(self, y):
            seen.append(tuple(y.shape))
            return torch.zeros(y.shape[0], 2, *y.shape[2:])

    ColorizeEngine(Probe(), 32).colorize_luminance(np.zeros((30, 50), np.uint8))
    ColorizeEngine(Probe(), 32, size=64, stride=16).colorize_luminance(np.zeros((30, 50), np.uint8))
    assert seen == [(1, 1, 32, 32), (1, 1, 48, 64)]
    with pytest.raises(InpaintError, match="multiple of the model's stride 32"):
        ColorizeEngine(Probe(), 32, size=48)


def test_bad_models_and_options_are_one_line_errors():
    class Wrong(nn.Module):
        def forward(self, y):
            return y

    class Nan(nn.Module):
        def forward(self, y):
            return torch.full((y.shape[0], 2, *y.shape[2:]), float("nan"))

    grey = np.zeros((20, 20), np.uint8)
    with pytest.raises(InpaintError, match="returned"):
        ColorizeEngine(Wrong(), 16).colorize_luminance(grey)
    with pytest.raises(InpaintError, match="non-finite"):
        ColorizeEngine(Nan(), 16).colorize_luminance(grey)
    with pytest.raises(InpaintError, match="strength"):
        _engine(strength=9.0)
    with pytest.raises(InpaintError, match="upsampling"):
        _engine(upsample="nearest")


@pytest.mark.parametrize("fit", ["pad", "stretch"])
def test_translation_returns_the_photo_size(fit):
    rgb = photo(45, 70)
    out = TranslateEngine(TinyPaired().eval(), 32, fit=fit).translate(rgb)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    # an identity model at the photo's own size gives the photo back
    square = photo(32, 32)
    same = TranslateEngine(nn.Identity(), 32, fit=fit).translate(square)
    assert np.abs(same.astype(int) - square).max() <= 1


def test_translation_pads_to_the_stride_keeping_the_aspect_ratio():
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(tuple(x.shape))
            return x

    rgb = photo(30, 60)
    out = TranslateEngine(Probe(), 64, fit="pad").translate(rgb)
    TranslateEngine(Probe(), 64, fit="stretch").translate(rgb)
    assert seen == [(1, 3, 64, 64), (1, 3, 64, 64)]
    assert np.abs(out.astype(int) - rgb).mean() < 4  # identity through the padded grid: the photo
