"""Photo input/output: modes, EXIF, metadata, 16-bit, palette, atomic non-overwriting saves."""

import numpy as np
import pytest
from PIL import Image

from inpaint.errors import ImageError
from inpaint.imageio import load_photo, photo_from_array, rebuild, save_image
from test_fill_helpers import photo, rect_mask

MASK = rect_mask(48, 64, (10, 10, 30, 40))


def _fake_fill(rgb, mask):
    out = rgb.copy()
    out[mask > 0] = (200, 30, 90)
    return out


def _roundtrip(tmp_path, img, name="in.png", out_name="out.png", **save):
    src = tmp_path / name
    img.save(src, **save)
    ph = load_photo(src)
    filled = rebuild(ph, _fake_fill(ph.rgb, MASK), MASK)
    save_image(filled, tmp_path / out_name)
    return ph, Image.open(tmp_path / out_name)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "1"])
def test_modes_come_back_in_kind_with_known_pixels_exact(tmp_path, mode):
    img = Image.fromarray(photo(48, 64)).convert(mode)
    if mode in ("RGBA", "LA"):
        alpha = np.tile(np.arange(64, dtype=np.uint8) * 4, (48, 1))
        img.putalpha(Image.fromarray(alpha))
    ph, out = _roundtrip(tmp_path, img)
    assert out.mode == mode and out.size == img.size
    src, res = np.asarray(img), np.asarray(out)
    assert np.array_equal(res[MASK == 0], src[MASK == 0])
    if mode in ("RGBA", "LA"):
        assert np.array_equal(res[..., -1], src[..., -1])  # alpha untouched, holes included
    if mode == "P":
        assert out.getpalette() == img.getpalette() and ph.notes


def test_sixteen_bit_grey_keeps_full_precision(tmp_path):
    arr = (np.arange(48 * 64, dtype=np.uint32).reshape(48, 64) * 21 + 7).astype(np.uint16)
    ph, out = _roundtrip(tmp_path, Image.fromarray(arr))
    res = np.asarray(out)
    assert out.mode.startswith("I") and res.dtype.itemsize >= 2
    assert np.array_equal(res[MASK == 0], arr[MASK == 0])  # not rounded to 8 bits
    assert res[MASK > 0].max() % 257 == 0                   # holes: the 8-bit fill × 257
    assert any("16-bit" in n for n in ph.notes)


def test_exif_orientation_is_applied_and_metadata_kept(tmp_path):
    img = Image.fromarray(photo(64, 48))  # stored portrait-rotated; displays 64 wide × 48 high
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° CW for display
    exif[0x010F] = "TestCam"
    icc = b"\0" * 8 + b"fake-icc"
    src = tmp_path / "rot.jpg"
    img.save(src, exif=exif.tobytes(), icc_profile=icc, quality=95)
    ph = load_photo(src)
    assert ph.size == (48, 64)  # rotated for display
    shown = np.asarray(Image.open(src).transpose(Image.Transpose.ROTATE_270))
    assert np.array_equal(ph.rgb, shown)
    out_path = tmp_path / "out.png"
    save_image(rebuild(ph, _fake_fill(ph.rgb, MASK), MASK), out_path)
    out = Image.open(out_path)
    assert out.size == (64, 48)
    assert np.array_equal(np.asarray(out)[MASK == 0], shown[MASK == 0])
    kept = out.getexif()
    assert kept.get(0x010F) == "TestCam" and kept.get(0x0112, 1) == 1
    assert out.info.get("icc_profile") == icc


def test_cmyk_is_converted_with_a_note(tmp_path):
    img = Image.fromarray(photo(48, 64)).convert("CMYK")
    ph, out = _roundtrip(tmp_path, img, name="in.tif")
    assert out.mode == "RGB" and ph.notes


def test_sixteen_bit_colour_png_is_noted(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "c16.png"), (np.ones((8, 8, 3)) * 40000).astype(np.uint16))
    assert any("16-bit colour" in n for n in load_photo(tmp_path / "c16.png").notes)


def test_save_refuses_overwrite_lossy_alpha_and_unknown_extensions(tmp_path):
    img = Image.fromarray(photo(8, 8))
    target = tmp_path / "x.png"
    target.write_bytes(b"precious")
    with pytest.raises(ImageError, match="already exists"):
        save_image(img, target)
    assert target.read_bytes() == b"precious"
    save_image(img, target, overwrite=True)
    assert Image.open(target).size == (8, 8)
    with pytest.raises(ImageError, match="alpha"):
        save_image(img.convert("RGBA"), tmp_path / "a.jpg")
    with pytest.raises(ImageError, match="unknown extension"):
        save_image(img, tmp_path / "a.xyz")
    with pytest.raises(ImageError, match="does not exist"):
        save_image(img, tmp_path / "nope" / "a.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]  # no temp files left


def test_jpeg_output_uses_the_quality(tmp_path):
    img = Image.fromarray(photo(64, 64))
    save_image(img, tmp_path / "hi.jpg", jpeg_quality=95)
    save_image(img, tmp_path / "lo.jpg", jpeg_quality=20)
    assert (tmp_path / "lo.jpg").stat().st_size < (tmp_path / "hi.jpg").stat().st_size


def test_unreadable_photos_are_one_line_errors(tmp_path):
    with pytest.raises(ImageError, match="not found"):
        load_photo(tmp_path / "missing.png")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(ImageError, match="cannot read photo"):
        load_photo(bad)
    Image.fromarray(np.zeros((4, 4), np.float32), "F").save(tmp_path / "f.tif")
    with pytest.raises(ImageError, match="unsupported image mode 'F'"):
        load_photo(tmp_path / "f.tif")


def test_arrays_of_every_supported_shape():
    assert photo_from_array(np.zeros((4, 5), np.uint8)).mode == "L"
    assert photo_from_array(np.zeros((4, 5, 4), np.uint8)).alpha.shape == (4, 5)
    with pytest.raises(ImageError):
        photo_from_array(np.zeros((4, 5, 2), np.uint8))
    with pytest.raises(ImageError):
        photo_from_array(np.zeros((4, 5, 3), np.float64))


def _zlib_level_class(png: bytes) -> int:
    """FLEVEL of the first IDAT's zlib header: 0 fastest, 1 fast (levels 2-5), 2 default (6), 3 best."""
    at = png.index(b"IDAT") + 4
    return png[at + 1] >> 6


def test_png_is_written_at_the_faster_compression_level(tmp_path):
    from inpaint.imageio import PNG_COMPRESS_LEVEL, encode_png

    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    save_image(img, tmp_path / "out.png")
    assert 2 <= PNG_COMPRESS_LEVEL <= 5
    assert _zlib_level_class((tmp_path / "out.png").read_bytes()) == 1   # Pillow's default would be 2
    assert _zlib_level_class(encode_png(img)) == 1
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out.png")), np.asarray(img))
