"""inpaint.color: BT.601 full-range YCbCr, luminance-exact recombination."""

import numpy as np
import pytest
import torch

from inpaint.color import (luminance, recombine, rgb_to_ycbcr, rgb_to_ycbcr_tensor,
                           ycbcr_to_rgb_tensor)


def _photo(seed=0, size=(37, 53)):
    return np.random.default_rng(seed).integers(0, 256, size + (3,), dtype=np.uint8)


def test_luminance_matches_pillow_grey():
    from PIL import Image

    rgb = _photo()
    grey = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.float32)
    assert np.abs(luminance(rgb) - grey).max() <= 0.51


def test_recombine_roundtrips_the_photo_and_keeps_luminance():
    rgb = _photo(1)
    ycc = rgb_to_ycbcr(rgb)
    back = recombine(ycc[..., 0], ycc[..., 1:] - 128.0)
    assert np.abs(back.astype(int) - rgb.astype(int)).max() <= 1


@pytest.mark.parametrize("scale", [1.0, 3.0, 50.0])
def test_recombine_scales_out_of_gamut_chroma_instead_of_clipping(scale):
    rng = np.random.default_rng(2)
    y = rng.uniform(0, 255, (40, 40)).astype(np.float32)
    cbcr = rng.normal(0, 60 * scale, (40, 40, 2)).astype(np.float32)
    out = recombine(y, cbcr)
    assert np.abs(luminance(out) - y).max() <= 0.5 + 1e-3


def test_extreme_luminance_gives_grey():
    y = np.array([[0.0, 255.0]], dtype=np.float32)
    out = recombine(y, np.full((1, 2, 2), 90.0, dtype=np.float32))
    assert out[0, 0].tolist() == [0, 0, 0] and out[0, 1].tolist() == [255, 255, 255]


def test_tensor_conversion_agrees_with_numpy_and_inverts():
    rgb = _photo(3)
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 127.5 - 1
    y, c = rgb_to_ycbcr_tensor(x)
    ycc = rgb_to_ycbcr(rgb)
    assert torch.allclose(y[0, 0], torch.from_numpy(ycc[..., 0] / 127.5 - 1), atol=1e-4)
    assert torch.allclose(c[0].permute(1, 2, 0), torch.from_numpy((ycc[..., 1:] - 128) / 127.5), atol=1e-4)
    assert torch.allclose(ycbcr_to_rgb_tensor(y, c), x, atol=1e-4)
