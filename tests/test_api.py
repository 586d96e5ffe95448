"""The public Python API: Inpainter.from_checkpoint / classical, fill / fill_array."""

import numpy as np
import pytest
from PIL import Image

from inpaint import Inpainter
from inpaint.errors import CheckpointError, ImageError
from test_fill_helpers import checkpoints, photo, rect_mask  # noqa: F401  (fixture)

MASK = rect_mask(48, 64, (5, 5, 20, 25), (30, 40, 48, 64))


@pytest.mark.parametrize("mode", ["center", "full"])
def test_from_checkpoint_fills_arrays_bit_exact(checkpoints, mode):
    painter = Inpainter.from_checkpoint(checkpoints[mode], device="cpu")
    assert painter.config.mode == mode
    img = photo(48, 64)
    out = painter.fill_array(img, MASK)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(out[MASK == 0], img[MASK == 0])


@pytest.mark.parametrize("shape", [(48, 64), (48, 64, 3), (48, 64, 4)])
def test_numpy_in_same_shape_out(checkpoints, shape):
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, shape, dtype=np.uint8)
    for painter in (Inpainter.classical("telea"), Inpainter.from_checkpoint(checkpoints["center"], "cpu")):
        out = painter.fill(arr, MASK)
        assert out.shape == arr.shape and out.dtype == np.uint8
        assert np.array_equal(out[MASK == 0], arr[MASK == 0])
        if len(shape) == 3 and shape[2] == 4:
            assert np.array_equal(out[..., 3], arr[..., 3])


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "1", "I;16", "I"])
def test_pil_in_same_mode_out(checkpoints, mode):
    img = Image.fromarray(photo(48, 64)).convert(mode if not mode.startswith("I") else "L")
    if mode.startswith("I"):
        img = Image.fromarray(np.asarray(img).astype(np.uint16) * 250).convert(mode)
    out = Inpainter.from_checkpoint(checkpoints["full"], "cpu").fill(img, Image.fromarray(MASK))
    assert isinstance(out, Image.Image) and out.mode == img.mode and out.size == img.size
    assert np.array_equal(np.asarray(out)[MASK == 0], np.asarray(img)[MASK == 0])


def test_bool_masks_and_ns():
    img = photo(48, 64)
    out = Inpainter.classical("ns").fill(img, MASK > 0)
    assert np.array_equal(out[MASK == 0], img[MASK == 0]) and not np.array_equal(out, img)


def test_checkpoint_errors_are_checkpoint_errors(tmp_path):
    with pytest.raises(CheckpointError, match="--checkpoint is required"):
        Inpainter.from_checkpoint(None)
    with pytest.raises(CheckpointError, match="not found"):
        Inpainter.from_checkpoint(tmp_path / "none.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage")
    with pytest.raises(CheckpointError):
        Inpainter.from_checkpoint(bad)


def test_default_model_is_used_once_shipped(checkpoints, monkeypatch):
    import inpaint.default_model as dm

    monkeypatch.setattr(dm, "DEFAULT_CHECKPOINT", checkpoints["center"])
    assert Inpainter.from_checkpoint(None, "cpu").config.mode == "center"


def test_bad_inputs_are_image_errors():
    painter = Inpainter.classical()
    with pytest.raises(ImageError):
        painter.fill("photo.png", MASK)
    with pytest.raises(ImageError):
        painter.fill(photo(48, 64), MASK.astype(np.float32))
    with pytest.raises(ImageError, match="nothing to fill from"):
        painter.fill(photo(48, 64), np.full((48, 64), 255, np.uint8))


def test_pil_masks_follow_the_mask_file_conventions():
    # regression: a transparent-hole RGBA mask (the `inpaint fill` convention) filled nothing in the API
    img = photo(48, 64)
    rgba = np.zeros((48, 64, 4), np.uint8)
    rgba[..., 3] = np.where(MASK > 0, 0, 255)
    red = np.zeros((48, 64, 3), np.uint8)
    red[..., 0] = MASK  # a red brush on black marks a hole, as in mask files
    painter = Inpainter.classical()
    expected = painter.fill(img, MASK)
    for mask in (Image.fromarray(rgba, "RGBA"), Image.fromarray(red, "RGB")):
        assert np.array_equal(painter.fill(img, mask), expected)


def test_paths_are_refused_with_a_hint():
    painter = Inpainter.classical()
    with pytest.raises(ImageError, match=r"Image.open\('mask.png'\)"):
        painter.fill(photo(48, 64), "mask.png")
    with pytest.raises(ImageError, match=r"Image.open\('photo.png'\)"):
        painter.fill("photo.png", MASK)


def test_exif_rotated_pil_photo_with_a_displayed_size_mask_says_how_to_fix():
    # regression: a phone photo (pixels stored rotated, EXIF orientation 6) with a mask drawn on the
    # displayed photo failed with a bare size mismatch that pointed at the CLI's --resize-mask
    from PIL import ImageOps

    exif = Image.Exif()
    exif[0x0112] = 6
    stored = Image.open(_png_with_exif(Image.fromarray(photo(64, 48)), exif))
    with pytest.raises(ImageError, match="exif_transpose"):
        Inpainter.classical().fill(stored, Image.fromarray(MASK))
    out = Inpainter.classical().fill(ImageOps.exif_transpose(stored), Image.fromarray(MASK))
    assert out.size == (64, 48)


def _png_with_exif(img, exif):
    import io

    buf = io.BytesIO()
    img.save(buf, format="PNG", exif=exif.tobytes())
    buf.seek(0)
    return buf


def test_flip_defaults_to_the_engine_default_and_can_be_switched_off(checkpoints):
    from inpaint.fill.engine import FLIP_DEFAULT

    assert Inpainter.from_checkpoint(checkpoints["full"], "cpu").filler.flip is FLIP_DEFAULT
    assert Inpainter.from_checkpoint(checkpoints["full"], "cpu", flip=False).filler.flip is False
    assert Inpainter.from_checkpoint(checkpoints["full"], "cpu", flip=True).filler.flip is True


def test_dilate_grows_the_hole_as_the_cli_does():
    from inpaint.fill.user_mask import dilate_mask

    image, mask = photo(48, 64), rect_mask(48, 64, (20, 20, 24, 30))
    painter = Inpainter.classical("telea")
    grown = dilate_mask(mask, 3)
    out = painter.fill(image, mask, dilate=3)
    assert np.array_equal(out[grown == 0], image[grown == 0])
    assert not np.array_equal(out[18, 25], image[18, 25])  # the grown rim was filled too
    assert np.array_equal(painter.fill_array(image, mask, dilate=3), out)
    assert np.array_equal(painter.fill(image, mask), painter.fill(image, mask, dilate=0))
    with pytest.raises(ImageError, match="dilate"):
        painter.fill(image, mask, dilate=-1)
