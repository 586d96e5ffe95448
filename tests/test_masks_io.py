"""load_mask / save_mask: formats, conventions (white = hole, transparent = hole), errors."""

import os

import numpy as np
import pytest
from PIL import Image

import masks
from masks import MaskError, load_mask, save_mask


@pytest.fixture
def hole():
    m = np.zeros((40, 56), bool)
    m[10:30, 20:45] = True
    return m


def test_greyscale_white_is_hole(tmp_path, hole):
    p = tmp_path / "m.png"
    Image.fromarray(hole.astype(np.uint8) * 255, "L").save(p)
    m = load_mask(p)
    assert m.dtype == np.uint8 and m.shape == (40, 56)
    assert np.array_equal(m == 255, hole) and set(np.unique(m).tolist()) == {0, 255}
    assert np.array_equal(load_mask(p, invert=True) == 255, ~hole)


def test_non_binary_thresholded_at_128(tmp_path):
    values = np.array([[0, 100, 127, 128, 200, 255]], np.uint8).repeat(3, axis=0)
    p = tmp_path / "grey.png"
    Image.fromarray(values, "L").save(p)
    assert load_mask(p)[0].tolist() == [0, 0, 0, 255, 255, 255]


def test_rgb_brightest_channel(tmp_path, hole):
    rgb = np.zeros((40, 56, 3), np.uint8)
    rgb[hole] = (255, 0, 0)  # a red brush on black
    p = tmp_path / "rgb.png"
    Image.fromarray(rgb, "RGB").save(p)
    assert np.array_equal(load_mask(p) == 255, hole)


def test_rgba_transparent_is_hole(tmp_path, hole):
    rgba = np.full((40, 56, 4), 200, np.uint8)  # a photo-like opaque image...
    rgba[..., 3] = np.where(hole, 0, 255)  # ...with the region erased to transparency
    p = tmp_path / "rgba.png"
    Image.fromarray(rgba, "RGBA").save(p)
    assert np.array_equal(load_mask(p) == 255, hole)
    # A brush painted opaque on a transparent layer: the other convention, via invert.
    layer = np.zeros((40, 56, 4), np.uint8)
    layer[hole] = (255, 255, 255, 255)
    Image.fromarray(layer, "RGBA").save(p)
    assert np.array_equal(load_mask(p, invert=True) == 255, hole)


def test_opaque_rgba_and_alpha_only(tmp_path, hole):
    rgba = np.zeros((40, 56, 4), np.uint8)
    rgba[hole, :3] = 255
    rgba[..., 3] = 255  # fully opaque: colour decides
    p = tmp_path / "opaque.png"
    Image.fromarray(rgba, "RGBA").save(p)
    assert np.array_equal(load_mask(p) == 255, hole)
    la = np.stack([np.zeros((40, 56), np.uint8), np.where(hole, 10, 250).astype(np.uint8)], axis=2)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    assert np.array_equal(load_mask(tmp_path / "la.png") == 255, hole)


def test_palette_one_bit_and_16_bit(tmp_path, hole):
    pal = Image.fromarray(hole.astype(np.uint8), "P")
    pal.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    pal.save(tmp_path / "p.png")
    assert np.array_equal(load_mask(tmp_path / "p.png") == 255, hole)
    Image.fromarray(hole).save(tmp_path / "bit.png")
    assert np.array_equal(load_mask(tmp_path / "bit.png") == 255, hole)
    Image.fromarray(np.where(hole, 60000, 1000).astype(np.uint16)).save(tmp_path / "16.png")
    assert np.array_equal(load_mask(tmp_path / "16.png") == 255, hole)


def test_jpeg_mask(tmp_path, hole):
    p = tmp_path / "m.jpg"
    Image.fromarray(hole.astype(np.uint8) * 255, "L").save(p, quality=75)
    m = load_mask(p)
    assert set(np.unique(m).tolist()) <= {0, 255}
    assert np.mean((m == 255) != hole) < 0.01  # compression noise is thresholded away


def test_unreadable_files(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_text("this is not a png")
    with pytest.raises(MaskError, match="not an image file") as e:
        load_mask(bad)
    assert "\n" not in str(e.value)
    with pytest.raises(MaskError, match="not found"):
        load_mask(tmp_path / "missing.png")
    with pytest.raises(MaskError, match="folder"):
        load_mask(tmp_path)
    truncated = tmp_path / "cut.png"
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:60])
    with pytest.raises(MaskError):
        load_mask(truncated)


def test_save_roundtrip_atomic(tmp_path, hole):
    m = masks.from_bool(hole)
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    save_mask(target, m)
    assert np.array_equal(load_mask(target), m)
    save_mask(tmp_path / "b.png", hole)  # bool accepted
    assert np.array_equal(load_mask(tmp_path / "b.png"), m)
    assert sorted(os.listdir(tmp_path)) == ["b.png", "out.png"]  # no temp files left


def test_save_rejects_bad_input(tmp_path):
    with pytest.raises(MaskError, match="only hold 0"):
        save_mask(tmp_path / "x.png", np.full((8, 8), 7, np.uint8))
    with pytest.raises(MaskError, match="uint8"):
        save_mask(tmp_path / "x.png", np.zeros((8, 8), np.float32))
    with pytest.raises(MaskError, match=".png"):
        save_mask(tmp_path / "x.jpg", np.zeros((8, 8), np.uint8))
    with pytest.raises(MaskError, match="2-D"):
        save_mask(tmp_path / "x.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(MaskError, match="does not exist"):
        save_mask(tmp_path / "nope" / "x.png", np.zeros((8, 8), np.uint8))
    assert os.listdir(tmp_path) == []


def test_exif_orientation_applied_like_photos(tmp_path):
    m = np.zeros((20, 40), np.uint8)
    m[:, :10] = 255  # hole on the left of the stored pixels
    img = Image.fromarray(m, "L")
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    img.save(tmp_path / "rot.jpg", exif=exif.tobytes(), quality=95)
    loaded = load_mask(tmp_path / "rot.jpg")
    assert loaded.shape == (40, 20)
    assert loaded[:10].mean() > 200 and loaded[-10:].mean() < 50  # left became top


def test_saving_an_empty_bool_mask_is_a_mask_error(tmp_path):
    # bool masks skipped the size check and reached OpenCV, which raised cv2.error
    with pytest.raises(MaskError, match="empty"):
        save_mask(tmp_path / "m.png", np.zeros((0, 5), bool))
