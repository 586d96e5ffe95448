"""inpaint.api.Colorizer / Translator: PIL and numpy in, the same kind out."""

import numpy as np
import pytest
from PIL import Image

from colorize_helpers import TinyChroma, TinyPaired
from inpaint.api import Colorizer, Translator
from inpaint.color import luminance
from inpaint.colorize.engine import ColorizeEngine
from inpaint.colorize.translate import TranslateEngine
from inpaint.errors import CheckpointError, ImageError
from test_fill_helpers import photo


@pytest.fixture
def colorizer():
    return Colorizer(ColorizeEngine(TinyChroma(gain=3.0).eval(), 32), "tiny")


def test_pil_and_numpy_kinds(colorizer):
    grey = photo(30, 44)[:, :, 0]
    out = colorizer.colorize(Image.fromarray(grey))
    assert isinstance(out, Image.Image) and out.mode == "RGB" and out.size == (44, 30)
    arr = colorizer.colorize(grey)
    assert isinstance(arr, np.ndarray) and arr.shape == (30, 44, 3)
    assert np.abs(luminance(arr) - grey).max() <= 1.0
    rgba = np.dstack([photo(30, 44), np.full((30, 44), 7, np.uint8)])
    out4 = colorizer.colorize(rgba)
    assert out4.shape == (30, 44, 4) and (out4[:, :, 3] == 7).all()
    g16 = (grey.astype(np.uint16) * 257)
    assert np.abs(luminance(colorizer.colorize(g16)) - grey).max() <= 1.0
    with pytest.raises(ImageError, match="PIL.Image.open"):
        colorizer.colorize("photo.jpg")


def test_translator_and_missing_default():
    t = Translator(TranslateEngine(TinyPaired().eval(), 32), "tiny")
    assert t.translate(photo(20, 30)).shape == (20, 30, 3)
    assert "Translator(tiny)" == repr(t)
    with pytest.raises(CheckpointError, match="--model is required"):
        Colorizer.from_checkpoint()


def test_palette_with_transparency_becomes_rgba(colorizer):
    img = Image.fromarray(photo(20, 30)).quantize(16)
    img.info["transparency"] = 0
    out = colorizer.colorize(img)
    assert out.mode == "RGBA" and out.size == (30, 20)
    index = np.asarray(img)
    assert np.array_equal(np.asarray(out)[:, :, 3] == 0, index == 0)


def test_colour_help_does_not_load_torch():
    import subprocess
    import sys

    code = "import sys, cli.colorize_cmd; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
