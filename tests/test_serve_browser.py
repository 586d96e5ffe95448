"""The page in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
which ``.ci/run`` installs) opens a photo, paints a stroke with mouse events, presses Fill and
reads the result back: only the stroke may change, and the rest is bit-exact; Colourise keeps the
photo's grey levels and the painted mask. Skipped only
where Chromium or its driver is not installed. Set ``INPAINT_SCREENSHOTS=DIR`` to keep the
screenshots (they always go to the test's temporary folder)."""

from __future__ import annotations

import base64
import io
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import SHIPPED_COLORIZE_CHECKPOINT
from serve_helpers import make_app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "coffee.jpg"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromedriver are not installed")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,800", "--force-device-scale-factor=1")


@pytest.fixture(scope="module")
def server():
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    from inpaint.colorize.model import colorize_engine

    app = make_app(colorizer=colorize_engine(SHIPPED_COLORIZE_CHECKPOINT, "cpu"))
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="inpaint-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, script: str, timeout: float = 30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {script!r}; status: {driver.find_element('id', 'message').text!r}")


def _shot(driver, tmp_path, name):
    path = tmp_path / name
    driver.save_screenshot(str(path))
    if os.environ.get("INPAINT_SCREENSHOTS"):
        keep = Path(os.environ["INPAINT_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, keep / name)
    assert Image.open(path).size[0] == 1280


def _drag(driver, points):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    chain = ActionChains(driver)
    chain.w3c_actions = ActionBuilder(driver, mouse=PointerInput("mouse", "mouse"))
    pointer = chain.w3c_actions.pointer_action
    pointer.move_to_location(*points[0])
    pointer.pointer_down()
    for x, y in points[1:]:
        pointer.move_to_location(x, y)
    pointer.pointer_up()
    chain.perform()


def _distance_to_segment(shape, a, b):
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float64) + 0.5  # pixel centres
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(xx - (ax + t * dx), yy - (ay + t * dy))


def test_open_paint_fill_and_read_back(server, browser, tmp_path):
    driver = browser
    driver.get(server)
    _wait(driver, "return document.getElementById('method').options.length > 0")
    driver.execute_script("const s = document.getElementById('method'); s.value = 'telea';"
                          "s.dispatchEvent(new Event('change'));"
                          "document.getElementById('dilate').value = '0';"
                          "const z = document.getElementById('size'); z.value = '24';"
                          "z.dispatchEvent(new Event('input'));")
    _shot(driver, tmp_path, "serve_empty.png")
    driver.find_element("id", "photo-file").send_keys(str(EXAMPLE))
    _wait(driver, "return window.inpaint.state.shownPhoto !== null")
    zoom, left, top = driver.execute_script(
        "const r = document.getElementById('photo').getBoundingClientRect();"
        "return [window.inpaint.state.zoom, r.left, r.top];")
    # a stroke across the spoon's handle, in photo pixels
    a, b = (330.0, 170.0), (420.0, 230.0)
    steps = [tuple(np.add(a, np.multiply(np.subtract(b, a), t))) for t in np.linspace(0, 1, 12)]
    _drag(driver, [(round(left + x * zoom), round(top + y * zoom)) for x, y in steps])
    strokes = driver.execute_script("return window.inpaint.state.doc.strokes.map(s => [s.size, s.points.length])")
    assert len(strokes) == 1 and strokes[0][1] >= 2
    width = strokes[0][0]  # in photo pixels (24 screen px / zoom)
    _shot(driver, tmp_path, "serve_painted.png")
    driver.find_element("id", "fill").click()
    _wait(driver, "return window.inpaint.state.doc.photo.filled && !window.inpaint.state.busy")
    assert "Filled with" in driver.find_element("id", "message").text
    url = driver.execute_async_script("window.inpaint.photoDataURL().then(arguments[arguments.length - 1])")
    out = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    src = np.asarray(Image.open(EXAMPLE).convert("RGB"))
    assert out.shape == src.shape
    changed = (out != src).any(axis=2)
    near = _distance_to_segment(src.shape[:2], a, b)
    # the screen rounds the stroke to whole px: allow a pixel of slack for that and for antialiasing
    assert not changed[near > width / 2 + 1.5 / zoom + 1].any(), "pixels outside the stroke changed"
    assert changed[near < width / 2 - 1].mean() > 0.5, "the stroke was not filled"
    _shot(driver, tmp_path, "serve_filled.png")

    # the result replaced the photo: undo brings the stroke back, redo the fill
    body = driver.find_element("tag name", "body")
    from selenium.webdriver.common.keys import Keys

    body.send_keys(Keys.CONTROL, "z")
    _wait(driver, "return !window.inpaint.state.doc.photo.filled && window.inpaint.state.doc.strokes.length === 1")
    body.send_keys(Keys.CONTROL, Keys.SHIFT, "z")
    _wait(driver, "return window.inpaint.state.doc.photo.filled")
    body.send_keys("c")  # before / after
    _wait(driver, "return window.inpaint.state.comparing")
    _shot(driver, tmp_path, "serve_compare.png")
    body.send_keys("c")


def test_a_file_that_is_not_an_image_gives_an_error_line(server, browser, tmp_path):
    driver = browser
    driver.get(server)
    _wait(driver, "return document.getElementById('method').options.length > 0")
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not a picture")
    driver.find_element("id", "photo-file").send_keys(str(bad))
    _wait(driver, "return document.getElementById('message').classList.contains('error')")
    message = driver.find_element("id", "message").text
    assert "notes.png" in message and "not an image or corrupt" in message  # the server's reading
    assert driver.find_element("id", "empty").is_displayed()  # still the start page, not a blank one
    # a TIFF, which Chromium cannot show: the server gives it back as a lossless PNG to work on
    tiff = tmp_path / "photo.tif"
    Image.open(EXAMPLE).save(tiff)
    driver.find_element("id", "photo-file").send_keys(str(tiff))
    _wait(driver, "return window.inpaint.state.shownPhoto !== null")
    assert not driver.find_element("id", "empty").is_displayed()
    assert "Opened photo.tif" in driver.find_element("id", "message").text


def test_a_mask_file_then_the_eraser(server, browser, tmp_path):
    """Mask upload shows the server's reading of the file; an eraser stroke takes part of it
    away; the fill changes the uploaded hole only, and nothing where the eraser went."""
    from masks import load_mask

    driver = browser
    driver.get(server)
    _wait(driver, "return document.getElementById('method').options.length > 0")
    driver.execute_script("const s = document.getElementById('method'); s.value = 'telea';"
                          "document.getElementById('dilate').value = '0';")
    driver.find_element("id", "photo-file").send_keys(str(EXAMPLE))
    _wait(driver, "return window.inpaint.state.shownPhoto !== null")
    driver.find_element("id", "mask-file").send_keys(str(EXAMPLE.with_name("coffee_spoon_mask.png")))
    _wait(driver, "return window.inpaint.state.doc.maskBase !== null && !window.inpaint.state.busy")
    assert "% of the photo" in driver.find_element("id", "message").text
    driver.find_element("id", "tool-eraser").click()
    # zoom in and pan (Space + drag) first: strokes must land on the same photo pixels at any view
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element("tag name", "body")
    body.send_keys("+")
    before = driver.execute_script("return [window.inpaint.state.zoom, window.inpaint.state.panX]")
    ActionChains(driver).key_down(Keys.SPACE).perform()
    _drag(driver, [(640, 300), (600, 300)])
    ActionChains(driver).key_up(Keys.SPACE).perform()
    after = driver.execute_script("return [window.inpaint.state.zoom, window.inpaint.state.panX]")
    assert after[0] == pytest.approx(before[0]) and after[1] == pytest.approx(before[1] - 40)
    assert driver.execute_script("return window.inpaint.state.doc.strokes.length") == 0  # panning paints nothing
    zoom, left, top = driver.execute_script(
        "const r = document.getElementById('photo').getBoundingClientRect();"
        "return [window.inpaint.state.zoom, r.left, r.top];")
    a, b = (300.0, 250.0), (460.0, 250.0)  # across the spoon's bowl, left to right
    _drag(driver, [(round(left + x * zoom), round(top + y * zoom)) for x, y in (a, b)])
    width = driver.execute_script("return window.inpaint.state.doc.strokes[0].size")
    _shot(driver, tmp_path, "serve_mask_erased.png")
    driver.find_element("id", "fill").click()
    _wait(driver, "return window.inpaint.state.doc.photo.filled && !window.inpaint.state.busy")
    url = driver.execute_async_script("window.inpaint.photoDataURL().then(arguments[arguments.length - 1])")
    out = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    src = np.asarray(Image.open(EXAMPLE).convert("RGB"))
    changed = (out != src).any(axis=2)
    hole = load_mask(EXAMPLE.with_name("coffee_spoon_mask.png")) > 0
    assert not changed[~hole].any(), "pixels outside the uploaded mask changed"
    erased = _distance_to_segment(src.shape[:2], a, b) < width / 2 - 1.5 / zoom - 1
    assert (hole & erased).any() and not changed[erased].any(), "the erased part was filled"
    assert changed[hole & ~erased].mean() > 0.5
    driver.find_element("id", "help").click()
    _shot(driver, tmp_path, "serve_shortcuts.png")


def test_colourise_keeps_the_grey_levels_and_the_mask_and_undoes(server, browser, tmp_path):
    from inpaint.color import luminance

    driver = browser
    driver.get(server)
    _wait(driver, "return document.getElementById('method').options.length > 0")
    driver.find_element("id", "photo-file").send_keys(str(EXAMPLE))
    _wait(driver, "return window.inpaint.state.shownPhoto !== null")
    assert driver.find_element("id", "colorize").is_enabled()
    zoom, left, top = driver.execute_script(
        "const r = document.getElementById('photo').getBoundingClientRect();"
        "return [window.inpaint.state.zoom, r.left, r.top];")
    _drag(driver, [(round(left + x * zoom), round(top + y * zoom)) for x, y in ((330, 170), (420, 230))])
    driver.find_element("id", "colorize").click()
    _wait(driver, "return window.inpaint.state.doc.photo.edits.includes('colourise') && !window.inpaint.state.busy")
    assert driver.find_element("id", "message").text.startswith("Colourised in")
    assert driver.execute_script("return window.inpaint.state.doc.strokes.length") == 1  # the mask stays
    url = driver.execute_async_script("window.inpaint.photoDataURL().then(arguments[arguments.length - 1])")
    out = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    src = np.asarray(Image.open(EXAMPLE).convert("RGB"))
    assert out.shape == src.shape
    assert np.abs(luminance(out) - luminance(src)).max() <= 1.5  # the server's 8-bit grey input, then ≤ 0.5
    assert not np.array_equal(out, src)
    _shot(driver, tmp_path, "serve_colourised.png")
    from selenium.webdriver.common.keys import Keys

    driver.find_element("tag name", "body").send_keys(Keys.CONTROL, "z")
    _wait(driver, "return window.inpaint.state.doc.photo.edits.length === 0")
