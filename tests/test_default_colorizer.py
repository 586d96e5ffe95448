"""The colourisation model shipped with the package (inpaint/weights/colorize.pt).

It must load from the checkpoint alone, be small, keep the photo's luminance, and — the reason it
is shipped — colour held-out real photos better than leaving them grey (a quality regression
test: it fails if a worse model is shipped; figures in inpaint/weights/COLORIZE_CARD.md)."""

import numpy as np
import pytest
from skimage import data

from conftest import SHIPPED_COLORIZE_CHECKPOINT
from inpaint.api import Colorizer
from inpaint.color import luminance
from inpaint.metrics import colour_metrics

MAX_BYTES = 25 * 1024 * 1024


@pytest.fixture(scope="module")
def colorizer():
    assert SHIPPED_COLORIZE_CHECKPOINT.is_file(), "inpaint/weights/colorize.pt is missing"
    return Colorizer.from_checkpoint(SHIPPED_COLORIZE_CHECKPOINT, device="cpu")


def _photos():
    # public evaluation photos, never trained on, at about 300 px as colourisation sees them
    for photo in (data.astronaut(), data.coffee(), data.chelsea(), data.rocket()):
        yield photo[::2, ::2].copy()


def test_shipped_colorizer_is_small_and_a_colorize_model():
    from inpaint.tasks import load_task_model

    assert SHIPPED_COLORIZE_CHECKPOINT.stat().st_size <= MAX_BYTES
    loaded = load_task_model(SHIPPED_COLORIZE_CHECKPOINT, expect="colorize")
    assert loaded.settings == {"color_space": "ycbcr"}


def test_shipped_colorizer_beats_the_grey_photo_and_keeps_luminance(colorizer):
    gains, ratios = [], []
    for photo in _photos():
        y = np.rint(luminance(photo)).astype(np.uint8)
        out = colorizer.colorize(y)
        assert out.shape == photo.shape
        assert np.abs(luminance(out) - y).max() <= 1.0
        ours, grey = colour_metrics(out, photo), colour_metrics(np.repeat(y[..., None], 3, 2), photo)
        gains.append(ours["psnr"] - grey["psnr"])
        ratios.append(ours["colourfulness_ratio"])
    # the shipped model: +0.28 dB on average (+4.0 on the cat, -3.3 on the rocket's night sky) and
    # a median ratio of 0.46 here (COLORIZE_CARD.md): ahead of grey, and far from desaturated
    assert np.mean(gains) > 0.0, gains
    assert np.median(ratios) > 0.25, ratios
