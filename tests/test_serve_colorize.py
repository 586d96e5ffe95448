"""`inpaint serve`'s colourisation (POST /api/colorize) through Starlette's test client: the
shipped colouriser keeps the photo's luminance and alpha, and bad input is a JSON 4xx."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

with warnings.catch_warnings():  # newer Starlette prefers httpx2; httpx is what the test extra installs
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import SHIPPED_COLORIZE_CHECKPOINT
from inpaint.color import luminance
from serve_helpers import decode, make_app, png_bytes

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "coffee.jpg"
BASE = "http://localhost"


def colorize(app, content, name="photo.png"):
    files = {} if content is None else {"image": (name, content, "image/png")}
    return TestClient(app, base_url=BASE).post("/api/colorize", files=files)


@pytest.fixture(scope="module")
def engine():
    from inpaint.colorize.model import colorize_engine

    return colorize_engine(SHIPPED_COLORIZE_CHECKPOINT, "cpu")


@pytest.fixture(scope="module")
def app(engine):
    return make_app(colorizer=engine)


@pytest.fixture(scope="module")
def grey():
    img = Image.open(EXAMPLE).convert("L")
    img.thumbnail((160, 160))
    return np.asarray(img)


def test_methods_say_whether_the_server_can_colourise(app):
    assert TestClient(app, base_url=BASE).get("/api/methods").json()["colorize"] is True
    body = TestClient(make_app(), base_url=BASE).get("/api/methods").json()
    assert body["colorize"] is False and "colourisation" in body["unavailable"]["colorize"]


def test_a_grey_photo_comes_back_in_colour_with_its_own_luminance(app, grey):
    r = colorize(app, png_bytes(grey))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert float(r.headers["x-inpaint-seconds"]) >= 0
    out = decode(r.content)
    assert out.shape == grey.shape + (3,) and out.dtype == np.uint8
    assert np.abs(luminance(out) - grey.astype(np.float32)).max() <= 1.0
    chroma = np.abs(out.astype(int) - out.mean(-1, keepdims=True)).mean()
    assert chroma > 2  # colour, not the grey photo again


def test_a_colour_photo_is_taken_as_its_luminance_and_alpha_is_kept(app, grey):
    rgb = np.dstack([grey, np.roll(grey, 3, 1), grey // 2])
    alpha = np.full(grey.shape, 255, np.uint8)
    alpha[:10] = 0
    r = colorize(app, png_bytes(np.dstack([rgb, alpha])))
    assert r.status_code == 200, r.text
    out = decode(r.content)
    assert out.shape == grey.shape + (4,) and np.array_equal(out[..., 3], alpha)
    notes = json.loads(r.headers["x-inpaint-notes"])
    assert any("colourised from its luminance" in n for n in notes), notes


@pytest.mark.parametrize("content, words", [
    (None, "missing field 'image' (send multipart/form-data with the field image)"),
    (b"not an image at all", "image"),
])
def test_bad_input_is_a_json_error(app, content, words):
    r = colorize(app, content)
    assert r.status_code == 400 and words in r.json()["error"]


def test_a_server_without_a_colouriser_says_so(grey):
    r = colorize(make_app(), png_bytes(grey))
    assert r.status_code == 400 and r.json()["error"].startswith("this server cannot colourise")


def test_photos_over_the_pixel_limit_get_413(engine, grey):
    r = colorize(make_app(colorizer=engine, max_megapixels=0.001), png_bytes(grey))
    assert r.status_code == 413 and "photo" in r.json()["error"], r.text


def test_load_methods_notes_a_missing_colouriser_and_refuses_a_bad_one(tmp_path):
    from inpaint.errors import CheckpointError
    from inpaint.serve.methods import COLORIZE, load_methods

    methods = load_methods(with_model=False)  # the tests hide the shipped models
    assert methods.colorizer is None and "no default colourisation model" in methods.unavailable[COLORIZE]
    loaded = load_methods(with_model=False, colorize_model=SHIPPED_COLORIZE_CHECKPOINT)
    assert loaded.colorizer is not None and COLORIZE not in loaded.unavailable
    with pytest.raises(CheckpointError):
        load_methods(with_model=False, colorize_model=tmp_path / "missing.pt")
