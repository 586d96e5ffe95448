"""`inpaint serve`'s HTTP API through Starlette's test client: good fills (known pixels exact,
EXIF and alpha kept), every bad input (JSON error, 4xx), the upload limits, the bounded queue."""

from __future__ import annotations

import io
import json
import threading

import numpy as np
import pytest
from PIL import Image
import warnings

with warnings.catch_warnings():  # newer Starlette prefers httpx2; httpx is what the test extra installs
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from serve_helpers import decode, make_app, png_bytes
from test_fill_helpers import make_checkpoint, photo, rect_mask

MASK = rect_mask(48, 64, (10, 12, 26, 40))
BASE = "http://localhost"


def client(app) -> TestClient:
    return TestClient(app, base_url=BASE)


def fill(c, image=None, mask=None, **fields):
    files = {}
    if image is not None:
        files["image"] = ("photo.png", image, "image/png")
    if mask is not None:
        files["mask"] = ("mask.png", mask, "image/png")
    return c.post("/api/fill", files=files, data={k: str(v) for k, v in fields.items()})


@pytest.fixture(scope="module")
def app():
    return make_app()


def test_methods_lists_what_can_run_and_the_limits(app):
    r = client(app).get("/api/methods")
    assert r.status_code == 200
    body = r.json()
    names = [m["name"] for m in body["methods"]]
    assert names[:2] == ["telea", "ns"] and body["default"] == "telea"
    assert body["limits"] == {"max_upload_bytes": 100_000_000, "max_pixels": 100_000_000}


@pytest.mark.parametrize("method", ["telea", "ns"])
def test_fill_keeps_known_pixels_exact(app, method):
    image = photo(48, 64)
    r = fill(client(app), png_bytes(image), png_bytes(MASK), method=method)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png" and r.headers["x-inpaint-method"] == method
    out = decode(r.content)
    assert out.shape == image.shape
    assert np.array_equal(out[MASK == 0], image[MASK == 0])
    assert not np.array_equal(out[MASK > 0], image[MASK > 0])
    assert json.loads(r.headers["x-inpaint-notes"]) == []


def test_fill_with_a_model_checkpoint(tmp_path):
    from inpaint import Inpainter

    painter = Inpainter.from_checkpoint(make_checkpoint(tmp_path / "full.pt", "full"), device="cpu")
    image = photo(48, 64)
    r = fill(client(make_app({"model": painter})), png_bytes(image), png_bytes(MASK))
    assert r.status_code == 200 and r.headers["x-inpaint-method"] == "model"  # the model is the default
    assert np.array_equal(decode(r.content)[MASK == 0], image[MASK == 0])


def test_alpha_exif_and_the_transparent_mask_convention(app):
    rgba = np.dstack([photo(48, 64), np.tile(np.arange(64, dtype=np.uint8) * 4, (48, 1))])
    exif = Image.Exif()
    exif[0x010F] = "inpaint-test-camera"  # Make
    image = png_bytes(Image.fromarray(rgba, "RGBA"), exif=exif)
    # a mask made by erasing the hole in an editor: transparent = hole
    alpha_mask = np.dstack([np.zeros((48, 64, 3), np.uint8), np.where(MASK > 0, 0, 255).astype(np.uint8)])
    r = fill(client(app), image, png_bytes(Image.fromarray(alpha_mask, "RGBA")), method="telea")
    assert r.status_code == 200, r.text
    out = Image.open(io.BytesIO(r.content))
    assert out.mode == "RGBA" and out.getexif()[0x010F] == "inpaint-test-camera"
    arr = np.asarray(out)
    assert np.array_equal(arr[..., 3], rgba[..., 3])             # alpha untouched, holes too
    assert np.array_equal(arr[MASK == 0], rgba[MASK == 0])
    assert not np.array_equal(arr[MASK > 0, :3], rgba[MASK > 0, :3])


def test_invert_dilate_resize_and_an_empty_mask(app):
    from inpaint.fill.user_mask import dilate_mask

    image = photo(48, 64)
    c = client(app)
    r = fill(c, png_bytes(image), png_bytes(255 - MASK), method="telea", invert=1, dilate=2)
    grown = dilate_mask(MASK, 2)
    assert r.status_code == 200 and np.array_equal(decode(r.content)[grown == 0], image[grown == 0])
    assert not np.array_equal(decode(r.content)[8, 20], image[8, 20])  # the grown rim was filled
    small = rect_mask(24, 32, (5, 6, 13, 20))
    r = fill(c, png_bytes(image), png_bytes(small), method="telea", resize_mask="true")
    assert r.status_code == 200 and np.array_equal(decode(r.content)[MASK == 0], image[MASK == 0])
    r = fill(c, png_bytes(image), png_bytes(np.zeros((48, 64), np.uint8)), method="telea")
    assert r.status_code == 200 and np.array_equal(decode(r.content), image)
    assert "empty" in json.loads(r.headers["x-inpaint-notes"])[0]


@pytest.mark.parametrize("case, status, words", [
    ("no image", 400, "missing field 'image'"),
    ("no mask", 400, "missing field 'mask'"),
    ("image as text", 400, "must be a file upload"),
    ("not an image", 400, "cannot read photo image"),
    ("mask not an image", 400, "mask"),
    ("size mismatch", 400, "send resize_mask=1"),
    ("full mask", 400, "nothing to fill from"),
    ("unknown method", 400, "unknown method 'magic'"),
    ("bad flag", 400, "'invert' must be 1 or 0"),
    ("bad dilate", 400, "'dilate' must be 0–256"),
    ("not multipart", 400, "missing field 'image'"),
])
def test_bad_input_is_a_json_error(app, case, status, words):
    c, image, mask = client(app), png_bytes(photo(48, 64)), png_bytes(MASK)
    if case == "no image":
        r = fill(c, None, mask)
    elif case == "no mask":
        r = fill(c, image, None)
    elif case == "image as text":
        r = c.post("/api/fill", data={"image": "photo.png"}, files={"mask": ("m.png", mask)})
    elif case == "not an image":
        r = fill(c, b"\x89PNG but not really", mask)
    elif case == "mask not an image":
        r = fill(c, image, b"GIF89a broken")
    elif case == "size mismatch":
        r = fill(c, image, png_bytes(rect_mask(24, 32, (1, 1, 5, 5))))
    elif case == "full mask":
        r = fill(c, image, png_bytes(np.full((48, 64), 255, np.uint8)))
    elif case == "unknown method":
        r = fill(c, image, mask, method="magic")
    elif case == "bad flag":
        r = fill(c, image, mask, invert="maybe")
    elif case == "bad dilate":
        r = fill(c, image, mask, dilate=9999)
    else:
        r = c.post("/api/fill", json={"image": "/etc/passwd", "mask": "/etc/passwd"})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert words in r.json()["error"] and "\n" not in r.json()["error"]


def test_unknown_routes_and_wrong_verbs_are_json_errors(app):
    c = client(app)
    assert c.get("/api/nope").status_code == 404 and "error" in c.get("/api/nope").json()
    r = c.get("/api/fill")
    assert r.status_code == 405 and "error" in r.json()
    assert c.get("/static/../../../../etc/passwd").status_code == 404


def test_uploads_over_the_limit_get_413_unread():
    app = make_app(max_upload_mb=0.01)  # 10 kB
    c = client(app)
    big = png_bytes(np.random.default_rng(0).integers(0, 256, (80, 80, 3), dtype=np.uint8))  # ~19 kB
    r = fill(c, big, png_bytes(rect_mask(80, 80, (1, 1, 9, 9))))
    assert r.status_code == 413 and "over the server's limit of 0.01 MB" in r.json()["error"]
    # no Content-Length (a chunked stream): counted as it arrives, stopped past the limit
    sent = []

    def chunks():
        for _ in range(1000):  # 64 MB if it were all read
            sent.append(1)
            yield b"x" * 65536

    r = c.post("/api/fill", content=chunks(), headers={"content-type": "multipart/form-data; boundary=zz"})
    assert r.status_code == 413 and "limit" in r.json()["error"]


def test_images_over_the_pixel_limit_get_413_before_decoding():
    c = client(make_app(max_megapixels=0.01))  # 10,000 px
    image = png_bytes(np.zeros((200, 200, 3), np.uint8))   # 40,000 px, a few hundred bytes
    r = fill(c, image, png_bytes(rect_mask(200, 200, (1, 1, 9, 9))), method="telea")
    assert r.status_code == 413 and "200×200 = 0.0 MP" in r.json()["error"]
    r = fill(c, png_bytes(photo(48, 64)), png_bytes(np.zeros((200, 200), np.uint8)), method="telea")
    assert r.status_code == 413 and "mask" in r.json()["error"]


def test_only_local_host_names_are_accepted_on_localhost(app):
    assert TestClient(app, base_url="http://evil.example").get("/api/methods").status_code == 400
    assert TestClient(app, base_url="http://127.0.0.1:8080").get("/api/methods").status_code == 200


def test_mask_preview_follows_the_fill_rules(app):
    c = client(app)
    alpha_mask = np.dstack([np.zeros((24, 32, 3), np.uint8), np.where(rect_mask(24, 32, (5, 6, 13, 20)) > 0, 0, 255)])
    r = c.post("/api/mask", files={"mask": ("m.png", png_bytes(alpha_mask.astype(np.uint8)))},
               data={"width": "64", "height": "48", "resize_mask": "1"})
    assert r.status_code == 200
    assert np.array_equal(decode(r.content), rect_mask(48, 64, (10, 12, 26, 40)))
    r = c.post("/api/mask", files={"mask": ("m.png", png_bytes(MASK))}, data={"width": "64"})
    assert r.status_code == 400 and "height" in r.json()["error"]


class Gate:
    """A painter that waits until released, so a test can hold fills in the queue."""

    def __init__(self):
        self.started, self.release = threading.Semaphore(0), threading.Event()

    def fill_photo(self, photo, mask):
        self.started.release()
        assert self.release.wait(30)
        return photo.rgb


def test_concurrent_requests_all_come_back_right():
    image, mask = photo(48, 64), MASK
    results = [None] * 8
    with client(make_app(workers=2, queue=8)) as c:
        def one(i):
            results[i] = fill(c, png_bytes(np.roll(image, i, axis=1)), png_bytes(mask), method="telea")
        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    for i, r in enumerate(results):
        assert r.status_code == 200, r.text
        assert np.array_equal(decode(r.content)[mask == 0], np.roll(image, i, axis=1)[mask == 0])


def test_a_full_queue_answers_503_and_then_recovers():
    gate = Gate()
    app = make_app({"gate": gate}, workers=1, queue=1)
    image, mask = png_bytes(photo(48, 64)), png_bytes(MASK)
    with client(app) as c:
        held = [None, None]

        def one(i):
            held[i] = fill(c, image, mask, method="gate")
        first = threading.Thread(target=one, args=(0,))
        first.start()
        assert gate.started.acquire(timeout=30)           # one fill running …
        second = threading.Thread(target=one, args=(1,))
        second.start()
        for _ in range(300):                               # … and one waiting
            if app.state.queue.admitted == 2:
                break
            threading.Event().wait(0.01)
        assert app.state.queue.admitted == 2
        r = fill(c, image, mask, method="telea")
        assert r.status_code == 503 and "busy" in r.json()["error"]
        gate.release.set()
        first.join(30)
        second.join(30)
        assert held[0].status_code == 200 and held[1].status_code == 200
        assert fill(c, image, mask, method="telea").status_code == 200


def test_16_bit_grey_and_an_exif_rotated_photo_come_back_as_inpaint_fill_writes_them(app):
    c = client(app)
    grey16 = (photo(48, 64)[..., 0].astype(np.uint16) * 257 + 3)
    r = fill(c, png_bytes(Image.fromarray(grey16)), png_bytes(MASK), method="telea")
    assert r.status_code == 200, r.text
    out = Image.open(io.BytesIO(r.content))
    assert out.mode == "I;16" and np.array_equal(np.asarray(out)[MASK == 0], grey16[MASK == 0])
    # stored 64 wide × 48 high, shown rotated (EXIF orientation 6): the mask is drawn as shown
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = photo(48, 64)
    shown = np.rot90(stored, -1)
    mask_shown = rect_mask(64, 48, (10, 10, 30, 30))
    r = fill(c, png_bytes(Image.fromarray(stored), exif=exif), png_bytes(mask_shown), method="telea")
    assert r.status_code == 200, r.text
    out = Image.open(io.BytesIO(r.content))
    assert out.getexif().get(0x0112, 1) == 1 and out.size == (48, 64)
    assert np.array_equal(np.asarray(out)[mask_shown == 0], shown[mask_shown == 0])
    r = fill(c, png_bytes(Image.fromarray(stored), exif=exif), png_bytes(MASK), method="telea")
    assert r.status_code == 400 and "orientation" in r.json()["error"].lower()


def test_a_loaded_model_is_offered_with_and_without_its_layout(tmp_path):
    from inpaint.fill.layout import AUTO_LAYOUT, DEFAULT_LAYOUT
    from inpaint.serve.methods import MODEL, MODEL_GUIDED, MODEL_NO_LAYOUT, load_methods

    loaded = load_methods(make_checkpoint(tmp_path / "full.pt", "full"), device="cpu", with_colorizer=False)
    names = list(loaded.painters)
    assert names[:2] == [MODEL, MODEL_NO_LAYOUT] and loaded.default == MODEL
    assert loaded.painters[MODEL_NO_LAYOUT].filler.layout is None
    assert loaded.painters[MODEL_NO_LAYOUT].filler.model is loaded.painters[MODEL].filler.model
    assert loaded.labels[MODEL_NO_LAYOUT] == "Model full.pt, no layout (faster)"
    guided = loaded.painters[MODEL_GUIDED]  # --layout guided, the same model
    assert names[2] == MODEL_GUIDED and guided.filler.layout is DEFAULT_LAYOUT
    assert guided.filler.model is loaded.painters[MODEL].filler.model
    assert loaded.painters[MODEL].filler.layout is AUTO_LAYOUT
    body = client(make_app(loaded.painters)).get("/api/methods").json()
    assert [m["name"] for m in body["methods"]][:2] == [MODEL, MODEL_NO_LAYOUT]
