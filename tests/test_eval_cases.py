"""inpaint.eval.cases: photos × masks, deterministic crops and masks, mismatches refused."""

import numpy as np
import pytest
from PIL import Image

import masks
from inpaint.errors import ImageError, InpaintError
from inpaint.eval.cases import (
    FolderMasks,
    GeneratedMasks,
    SingleMask,
    iter_cases,
    list_images,
    mask_source,
    square_crop,
)


def _photo(h, w, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(_photo(40, 60, 1)).save(folder / "b.png")
    Image.fromarray(_photo(50, 30, 2)).save(folder / "a.jpg")
    (folder / "notes.txt").write_text("not a photo")
    return folder


def test_square_crop_shape_and_centre():
    img = np.zeros((40, 80, 3), np.uint8)
    img[:, 30:50] = 255  # a centred white band survives the crop
    out = square_crop(img, 40)
    assert out.shape == (40, 40, 3) and out.dtype == np.uint8
    assert (out[:, 10:30] == 255).all() and (out[:, :10] == 0).all() and (out[:, 30:] == 0).all()
    small = square_crop(_photo(20, 30), 32)  # enlarged: short side 20 → 32
    assert small.shape == (32, 32, 3)
    np.testing.assert_array_equal(square_crop(_photo(50, 70, 3), 32), square_crop(_photo(50, 70, 3), 32))


def test_list_images_sorted_filtered_limited(photos, tmp_path):
    assert [p.name for p in list_images(photos)] == ["a.jpg", "b.png"]
    assert [p.name for p in list_images(photos, limit=1)] == ["a.jpg"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InpaintError, match="no images"):
        list_images(empty)
    with pytest.raises(InpaintError, match="not found"):
        list_images(tmp_path / "missing")


def test_generated_masks_deterministic_per_image_and_seed():
    src = GeneratedMasks(["block", "stroke"], count=2, seed=3)
    first = src.masks_for("a", 48, 48)
    again = GeneratedMasks(["block", "stroke"], count=2, seed=3).masks_for("a", 48, 48)
    assert [m[0] for m in first] == ["block-0", "block-1", "stroke-0", "stroke-1"]
    for (_, _, m1), (_, _, m2) in zip(first, again):
        np.testing.assert_array_equal(m1, m2)
    other_seed = GeneratedMasks(["block", "stroke"], count=2, seed=4).masks_for("a", 48, 48)
    assert any(not np.array_equal(a[2], b[2]) for a, b in zip(first, other_seed))
    other_image = src.masks_for("b", 48, 48)
    assert any(not np.array_equal(a[2], b[2]) for a, b in zip(first, other_image))
    for _, _, m in first:
        assert m.dtype == np.uint8 and m.shape == (48, 48) and set(np.unique(m)) <= {0, 255}


def test_center_masks_not_duplicated_and_keep_overlap():
    out = GeneratedMasks(["center"], count=3, seed=0).masks_for("a", 64, 64)
    assert len(out) == 1  # the centre square is the same every time: scored once
    mask = out[0][2]
    assert mask[20:44, 20:44].all() and not mask[16:48, 16:48].all()  # 32×32 centre shrunk by 4 px


def test_unknown_kind_and_both_sources_refused(tmp_path):
    with pytest.raises(InpaintError, match="unknown mask kind 'nope'"):
        GeneratedMasks(["nope"], 1, 0)
    with pytest.raises(InpaintError, match="either --masks or --mask-kind"):
        mask_source(tmp_path, ["block"], 1, 0, native=False)
    with pytest.raises(InpaintError, match="no such file"):
        mask_source(tmp_path / "missing", [], 1, 0, native=False)


def test_folder_masks_by_stem_and_sizes(photos, tmp_path):
    mdir = tmp_path / "m"
    mdir.mkdir()
    m = np.zeros((32, 32), np.uint8)
    m[8:16, 8:16] = 255
    masks.save_mask(mdir / "a.png", m)
    masks.save_mask(mdir / "b.png", m)
    cases = list(iter_cases(list_images(photos), FolderMasks(mdir, native=False), size=32))
    assert [(c.image_name, c.mask_id, c.kind) for c in cases] == [("a.jpg", "a", "file"), ("b.png", "b", "file")]
    assert cases[0].image.shape == (32, 32, 3) and cases[0].hole_fraction == pytest.approx(64 / 1024)
    assert cases[0].area_bin == "0.01-0.1"
    # at native resolution a 32×32 mask does not fit the 50×30 photo
    with pytest.raises(ImageError, match="must be the photo's size"):
        list(iter_cases(list_images(photos), FolderMasks(mdir, native=True), size=None))
    with pytest.raises(ImageError, match="must be --size 48"):
        list(iter_cases(list_images(photos), FolderMasks(mdir, native=False), size=48))
    (mdir / "a.png").unlink()
    with pytest.raises(ImageError, match="no mask for image 'a'"):
        list(iter_cases(list_images(photos), FolderMasks(mdir, native=False), size=32))


def test_single_mask_native_and_empty_masks_skipped(photos, tmp_path):
    m = np.zeros((40, 60), np.uint8)
    masks.save_mask(tmp_path / "one.png", m)
    notes = []
    src = SingleMask(tmp_path / "one.png", native=True)
    with pytest.raises(ImageError):  # a.jpg is 50×30
        list(iter_cases(list_images(photos), src, size=None, notes=notes))
    cases = list(iter_cases(list_images(photos)[1:], src, size=None, notes=notes))
    assert cases == [] and "no hole" in notes[0]


def test_native_photo_too_small_for_generated_masks_is_named():
    # regression: the bare masks error ("mask height must be between …") did not say which photo
    with pytest.raises(ImageError, match=r"thick masks for tiny \(12×9\).*--size"):
        GeneratedMasks(["thick"], 1, 0).masks_for("tiny", 9, 12)


def test_whole_photos_scaled_to_a_long_side_are_noted(photos):
    from inpaint.eval.cases import scale_long_side

    img = np.zeros((30, 50, 3), np.uint8)
    assert scale_long_side(img, 100).shape == (60, 100, 3)
    assert scale_long_side(img, 25).shape == (15, 25, 3)
    assert scale_long_side(img, 50) is img
    notes = []
    cases = list(iter_cases(list_images(photos), GeneratedMasks(["object"], 1, 0), size=None, notes=notes,
                            long_side=120))
    assert cases and all(max(c.image.shape[:2]) == 120 for c in cases)
    assert all(c.mask.shape == c.image.shape[:2] for c in cases)
    assert len(notes) == 1 and "long side 120" in notes[0] and "a.jpg 30×50 → 72×120" in notes[0]
    with pytest.raises(InpaintError, match="--size or --long-side"):
        list(iter_cases(list_images(photos), GeneratedMasks(["object"], 1, 0), size=32, long_side=120))
