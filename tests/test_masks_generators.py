"""Mask generators: contract (dtype, shape, values), determinism, recipes, constraints, errors."""

import numpy as np
import pytest
from PIL import Image

import masks
from masks import MaskError, make_generator
from masks.constrained import Constrained

SIZES = [(33, 57), (64, 40), (32, 32), (57, 33)]


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("kind", list(masks.MASK_KINDS))
@pytest.mark.parametrize("size", SIZES)
def test_every_kind_contract(kind, size):
    gen = make_generator(kind)
    for seed in range(3):
        m = gen(*size, rng(seed))
        assert m.dtype == np.uint8 and m.shape == size
        assert set(np.unique(m).tolist()) == {0, 255}  # both a hole and a known pixel


@pytest.mark.parametrize("kind", [k for k in masks.MASK_KINDS if k != "center"])
def test_same_seed_same_mask_other_seed_differs(kind):
    gen = make_generator(kind)
    a = [gen(64, 48, rng(7)) for _ in range(2)]
    assert np.array_equal(a[0], a[1])
    others = [gen(64, 48, rng(s)) for s in range(8, 12)]
    assert any(not np.array_equal(a[0], o) for o in others)


def test_center_is_ce_square_with_overlap():
    m = make_generator("center", overlap=4)(128, 128, rng())
    ys, xs = np.nonzero(m)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (36, 91, 36, 91)
    assert np.count_nonzero(m) == 56 * 56
    plain = make_generator("center")(64, 40, rng())
    ys, xs = np.nonzero(plain)
    assert (ys.min(), ys.max() + 1, xs.min(), xs.max() + 1) == (16, 48, 10, 30)


def test_center_errors():
    with pytest.raises(MaskError, match="leaves no hole"):
        make_generator("center", overlap=20)(64, 64, rng())
    with pytest.raises(MaskError, match="impossible"):
        make_generator("center", min_fraction=0.3, max_fraction=0.5)(64, 64, rng())
    with pytest.raises(MaskError, match="overlap"):
        make_generator("center", overlap=-1)


def test_block_union_stays_under_coverage():
    gen = make_generator("block", coverage=0.25)
    fr = [masks.hole_fraction(gen(96, 80, rng(s))) for s in range(60)]
    assert max(fr) <= 0.25 and min(fr) > 0
    assert np.mean(fr) > 0.05  # blocks are not degenerate
    sq = make_generator("block", square=True, min_blocks=1, max_blocks=1, coverage=1.0)
    ys, xs = np.nonzero(sq(64, 128, rng(3)))
    assert np.ptp(ys) == np.ptp(xs)


def test_region_noise_windows_in_ce_range():
    gen = make_generator("region")  # CE noise recipe by default
    for size in [(128, 128), (33, 57), (40, 300)]:
        fr = [masks.hole_fraction(gen(*size, rng(s))) for s in range(20)]
        assert 0.2 <= min(fr) and max(fr) <= 0.3


def test_region_blobs_and_source_errors():
    fr = [masks.hole_fraction(make_generator("region", source="blobs")(128, 128, rng(s))) for s in range(30)]
    assert 0 < np.mean(fr) < 0.3
    with pytest.raises(MaskError, match="objects_dir"):
        make_generator("region", source="objects")
    with pytest.raises(MaskError, match="valid: auto, noise, objects, blobs"):
        make_generator("region", source="clouds")


def _segmentation_folder(tmp_path):
    """Two VOC-style palette PNGs: objects 1 and 2, a 255 void border, background 0."""
    import cv2

    folder = tmp_path / "seg"
    folder.mkdir()
    lab = np.zeros((90, 120), np.uint8)
    cv2.circle(lab, (30, 40), 20, 1, -1)
    cv2.circle(lab, (30, 40), 22, 255, 2)
    cv2.rectangle(lab, (70, 10), (110, 80), 2, -1)
    palette = [0, 0, 0, 128, 0, 0, 0, 128, 0] + [0] * (3 * 252) + [224, 224, 192]
    img = Image.fromarray(lab, "P")
    img.putpalette(palette)
    img.save(folder / "a.png")
    lab2 = np.zeros((50, 60), np.uint8)
    lab2[10:40, 5:20] = 3
    lab2[0, 0] = 4  # a 1-px object: too small, ignored
    img = Image.fromarray(lab2, "P")
    img.putpalette(palette)
    img.save(folder / "b.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_region_objects_from_segmentation_pngs(tmp_path, monkeypatch):
    import masks.region as region

    folder = _segmentation_folder(tmp_path)
    calls = []
    real = region.load_object_shapes
    monkeypatch.setattr(region, "load_object_shapes", lambda f: calls.append(f) or real(f))
    gen = make_generator("region", objects_dir=str(folder), min_area=0.05, max_area=0.2)
    shapes = gen.objects()
    assert len(shapes) == 3  # void (255), background (0) and the 1-px object are not objects
    fr = []
    for s in range(40):
        m = gen(72, 96, rng(s))
        assert m.dtype == np.uint8 and set(np.unique(m).tolist()) == {0, 255}
        fr.append(masks.hole_fraction(m))
    assert len(calls) == 1  # loaded once per generator
    assert 0.02 < np.median(fr) < 0.3
    assert np.array_equal(gen(72, 96, rng(5)), gen(72, 96, rng(5)))


def test_region_objects_empty_folder(tmp_path):
    (tmp_path / "x.txt").write_text("")
    gen = make_generator("region", source="objects", objects_dir=str(tmp_path))
    with pytest.raises(MaskError, match="no segmentation images"):
        gen(64, 64, rng())
    with pytest.raises(MaskError, match="not a folder"):
        make_generator("region", objects_dir=str(tmp_path / "missing"))


def test_stroke_presets_and_drop_rule():
    for name in ("thin", "medium", "thick"):
        a, b = make_generator(name), make_generator("stroke", preset=name)
        assert np.array_equal(a(128, 128, rng(4)), b(128, 128, rng(4)))
        fr = [masks.hole_fraction(a(128, 96, rng(s))) for s in range(30)]
        assert max(fr) <= 0.5
    thin = np.mean([masks.hole_fraction(make_generator("thin")(256, 256, rng(s))) for s in range(30)])
    assert 0.05 < thin < 0.5
    with pytest.raises(MaskError, match="valid presets: thin, medium, thick"):
        make_generator("stroke", preset="huge")
    with pytest.raises(MaskError, match="need a stroke preset"):
        make_generator("stroke", max_len=10)


def test_stroke_sizes_scale_with_the_image():
    for kind in ("thick", "stroke"):
        gen = make_generator(kind)
        small = np.mean([masks.hole_fraction(gen(128, 128, rng(s))) for s in range(40)])
        large = np.mean([masks.hole_fraction(gen(512, 512, rng(s))) for s in range(40)])
        assert abs(small - large) < 0.06


def test_mixed_uses_weights_and_params():
    only_center = make_generator("mixed", kinds={"center": 1, "block": 0})
    assert np.array_equal(only_center(64, 64, rng(1)), make_generator("center")(64, 64, rng(1)))
    gen = make_generator("mixed", kinds={"center": 1, "thin": 1}, params={"center": {"overlap": 2}})
    centre = make_generator("center", overlap=2)(64, 64, rng())
    got = [np.array_equal(gen(64, 64, rng(s)), centre) for s in range(40)]
    assert 5 < sum(got) < 35
    with pytest.raises(MaskError, match="unknown mask kind"):
        make_generator("mixed", kinds={"nope": 1})
    with pytest.raises(MaskError, match="at least one weight"):
        make_generator("mixed", kinds={"block": 0})


def test_fraction_constraint_and_failures():
    gen = make_generator("block", min_fraction=0.1, max_fraction=0.2)
    fr = [masks.hole_fraction(gen(64, 64, rng(s))) for s in range(30)]
    assert min(fr) >= 0.1 and max(fr) <= 0.2
    with pytest.raises(MaskError, match="impossible"):  # LaMa presets drop masks over 50 %
        make_generator("thin", min_fraction=0.55)(64, 64, rng())
    with pytest.raises(MaskError, match="impossible"):  # block coverage caps the union
        make_generator("block", coverage=0.2, min_fraction=0.3)(64, 64, rng())
    with pytest.raises(MaskError, match="after 3 tries"):  # not plainly impossible, never hit
        make_generator("region", source="blobs", min_fraction=0.95, max_tries=3)(64, 64, rng())
    with pytest.raises(MaskError, match="above max_fraction"):
        make_generator("block", min_fraction=0.5, max_fraction=0.2)
    binned = Constrained(make_generator("block"), 0.1, 0.2, include_min=False)
    for s in range(20):
        assert masks.area_bin(masks.hole_fraction(binned(64, 64, rng(s)))) == "0.1-0.2"


def test_bad_kind_param_and_size():
    with pytest.raises(MaskError, match="valid kinds: center, block"):
        make_generator("triangle")
    with pytest.raises(MaskError, match="valid: coverage"):
        make_generator("block", radius=3)
    with pytest.raises(MaskError, match="must be float"):
        make_generator("block", coverage="lots")
    gen = make_generator("block")
    for size in [(31, 64), (64, 4097), (64.0, 64)]:
        with pytest.raises(MaskError, match="between 32 and 4096|integer"):
            gen(*size, rng())
    with pytest.raises(MaskError, match="numpy.random.Generator"):
        gen(64, 64, 0)
    assert make_generator("block", coverage="0.3").coverage == 0.3  # CLI strings are coerced


def test_large_and_extreme_sizes():
    for kind in ("block", "region", "thick"):
        m = make_generator(kind)(32, 4096, rng())
        assert m.shape == (32, 4096) and 0 < np.count_nonzero(m) < m.size
    m = make_generator("center", overlap=4)(4096, 4096, rng())
    assert masks.hole_fraction(m) == pytest.approx((2048 - 8) ** 2 / 4096**2)


def test_conversions_fraction_and_bins():
    m = np.zeros((4, 5), np.uint8)
    m[1:3, 1:4] = 255
    b = masks.to_bool(m)
    assert b.dtype == bool and b.sum() == 6
    assert np.array_equal(masks.from_bool(b), m)
    f = masks.to_float(m)
    assert f.dtype == np.float32 and set(np.unique(f).tolist()) == {0.0, 1.0}
    assert np.array_equal(masks.from_float(f), m)
    assert np.array_equal(masks.from_float(np.array([[0.49, 0.5, 0.9]])), np.array([[0, 255, 255]], np.uint8))
    assert masks.hole_fraction(m) == pytest.approx(0.3)
    assert len(masks.NVIDIA_BINS) == 6 and masks.NVIDIA_BINS[0] == (0.01, 0.1)
    assert masks.area_bin(0.1) == "0.01-0.1"
    assert masks.area_bin(0.1001) == "0.1-0.2"
    assert masks.area_bin(0.6) == "0.5-0.6"
    assert masks.area_bin(0.01) is None and masks.area_bin(0.61) is None
    with pytest.raises(MaskError):
        masks.hole_fraction(np.zeros((2, 2, 3), np.uint8))


def test_object_kind_one_object_sized_hole_plus_a_stroke():
    plain = make_generator("object", strokes=0)
    fractions = [masks.hole_fraction(plain(853, 1280, rng(s))) for s in range(20)]
    assert 0.02 < min(fractions) and max(fractions) <= 0.15 + 1e-3  # the edge may cut a little off
    with_stroke = make_generator("object")
    for s in range(5):
        a, b = plain(853, 1280, rng(s)), with_stroke(853, 1280, rng(s))
        assert np.array_equal(a & b, a) and np.count_nonzero(b) > np.count_nonzero(a)  # object drawn first, stroke added
    import cv2

    n, _ = cv2.connectedComponents(plain(853, 1280, rng(3)))
    assert n == 2  # background + one object
    ellipse = make_generator("object", shape="ellipse", strokes=0)(400, 600, rng(1))
    assert 0.04 <= masks.hole_fraction(ellipse) <= 0.15


def test_object_kind_errors():
    with pytest.raises(MaskError, match="unknown shape"):
        make_generator("object", shape="star")
    with pytest.raises(MaskError, match="objects_dir"):
        make_generator("object", shape="objects")
    with pytest.raises(MaskError, match="min_area"):
        make_generator("object", min_area=0.3, max_area=0.2)


def test_object_kind_from_segmentation_shapes(tmp_path):
    lab = np.zeros((60, 80), np.uint8)
    lab[10:50, 20:45] = 1  # one object
    Image.fromarray(lab, "P").save(tmp_path / "o.png")
    gen = make_generator("object", objects_dir=str(tmp_path), strokes=0)  # shape auto → objects
    assert gen.shape == "objects" and make_generator("object").shape == "blob"
    fractions = [masks.hole_fraction(gen(300, 400, rng(s))) for s in range(5)]
    assert all(0.01 < f <= 0.16 for f in fractions)
