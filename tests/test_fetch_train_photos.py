"""The training-photo set's pure selection rules and the fetch script's errors (no apt-get, no
network, no packages)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

FOLDER = Path(__file__).resolve().parents[1] / "benchmarks/data"


def _load(name):
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))   # as when the script runs: its folder is on the path
    spec = importlib.util.spec_from_file_location(name, FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module       # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sources():
    return _load("photo_sources")


@pytest.fixture(scope="module")
def fetch(sources):
    return _load("fetch_train_photos")


def noise(w, h, seed=0):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8))


def test_largest_rectangle_finds_the_opaque_block(sources):
    mask = np.zeros((50, 80), bool)
    mask[10:40, 5:70] = True
    mask[0:50, 75:78] = True                      # tall but thin: never the answer
    assert sources.largest_rectangle(mask) == (5, 10, 70, 40)
    assert sources.largest_rectangle(mask, min_side=31) is None


def test_largest_rectangle_with_blocks_stays_inside_the_mask(sources):
    mask = np.zeros((101, 103), bool)
    mask[3:97, 6:90] = True
    left, top, right, bottom = sources.largest_rectangle(mask, min_side=20, block=4)
    assert mask[top:bottom, left:right].all()
    assert right - left >= 84 - 8 and bottom - top >= 94 - 8


def test_opaque_crop_keeps_only_real_pixels_of_a_cut_out(sources):
    im = noise(300, 300).convert("RGBA")
    alpha = np.zeros((300, 300), np.uint8)
    alpha[20:260, 30:280] = 255
    alpha[100, 100] = 128                         # a half-transparent pixel is not opaque
    im.putalpha(Image.fromarray(alpha))
    crop = sources.opaque_crop(im, min_side=100)
    assert crop is not None and min(crop.size) >= 100
    assert (np.asarray(crop)[..., 3] == 255).all()
    small = noise(300, 300).convert("RGBA")
    small.putalpha(Image.fromarray((np.arange(300)[None, :] < 150).repeat(300, 0).astype(np.uint8) * 255))
    assert sources.opaque_crop(small, min_side=200) is None     # 150 px wide: too small


def test_opaque_crop_of_an_opaque_photo_is_the_photo(sources):
    im = noise(240, 210)
    assert sources.opaque_crop(im).size == (240, 210)


def test_split_wide_cuts_panoramas_into_pieces_of_at_most_two_to_one(sources):
    pieces = sources.split_wide(noise(4096, 452))
    assert len(pieces) == 5
    assert sum(p.width for p in pieces) == 4096
    assert all(p.height == 452 and p.width <= 2 * 452 for p in pieces)
    assert sources.split_wide(noise(300, 200))[0].size == (300, 200)


def test_spherical_rows_stop_sixty_degrees_below_the_horizon(sources):
    assert sources.spherical_rows(1024, 90.0, -90.0, 60.0) == (0, 853)
    assert sources.spherical_rows(512, 11.25, -90.0, 60.0) == (0, 360)
    assert sources.spherical_rows(512, 11.25, -90.0, 200.0) == (0, 512)


def test_stitch_pastes_tiles_left_to_right(sources):
    a, b = Image.new("RGB", (10, 8), "red"), Image.new("RGB", (6, 8), "blue")
    out = sources.stitch([a, b])
    assert out.size == (16, 8) and out.getpixel((9, 0))[:3] == (255, 0, 0)
    assert out.getpixel((10, 0))[:3] == (0, 0, 255)


def test_deduplicator_drops_exact_and_recoloured_copies(sources):
    dedup = sources.Deduplicator()
    photo = Image.fromarray(np.asarray(noise(32, 32)).repeat(8, 0).repeat(8, 1))
    assert dedup.is_new(photo)
    assert not dedup.is_new(photo.copy())                                   # same pixels
    tinted = Image.fromarray((np.asarray(photo) * np.array([0.7, 0.9, 0.5]) + 20).astype(np.uint8))
    assert not dedup.is_new(tinted)                                         # recolour
    assert dedup.is_new(Image.fromarray(np.asarray(noise(32, 32, seed=1)).repeat(8, 0).repeat(8, 1)))


def test_deduplicator_keeps_distinct_flat_images(sources):
    dedup = sources.Deduplicator()
    assert dedup.is_new(Image.new("RGB", (200, 200), (90, 90, 90)))
    assert dedup.is_new(Image.new("RGB", (200, 200), (10, 200, 90)))


def test_to_rgb_refuses_greyscale(sources):
    assert sources.to_rgb(Image.new("L", (4, 4))) is None
    assert sources.to_rgb(Image.new("LA", (4, 4))) is None
    assert sources.to_rgb(Image.new("P", (4, 4))).mode == "RGB"


@pytest.mark.parametrize("path, kept", [
    ("food/fruit/Apricot_whole.png", True),
    ("food/fruit/cartoon/apple.png", False),
    ("military/vehicles/bradley_mirror.png", False),
    ("symbols/clockface.png", False),
    ("animals/birds/pelican.svg", False),
])
def test_tuxpaint_rule(sources, path, kept):
    assert sources.is_tuxpaint_photo(path) is kept


@pytest.mark.parametrize("member, key", [
    ("art/textures/terrain/types/india/grass_01.png.cached.dds", "india/grass_01"),
    ("art/textures/terrain/types/india/grass_01_norm.png.cached.dds", None),
    ("art/textures/terrain/types/sahara/sand_01_norm_no_parallax.png.cached.dds", None),
    ("art/textures/terrain/types/aegean_anatolia/sand_01_wet.png.cached.dds", None),
    ("art/textures/terrain/types/alpine_arctic/snow_01.png.cached.dds", None),
    ("art/textures/terrain/types/sahara/flora_02.png.cached.dds", None),
    ("art/textures/terrain/types/water/ocean_01.png.cached.dds", None),
    ("art/textures/terrain/types/alpine_cliff.dds.cached.dds", None),     # older, top level
    ("art/textures/skins/structural/wall.png.cached.dds", None),
])
def test_zero_ad_rule(sources, member, key):
    assert sources.zero_ad_texture(member) == key


def test_registry_and_package_choice(sources, fetch):
    assert [s.package for s in fetch.pick_sources(None)] == list(sources.SOURCES)
    assert [s.package for s in fetch.pick_sources(["opencv-doc", "opencv-doc"])] == ["opencv-doc"]
    with pytest.raises(fetch.FetchError, match="not used"):
        fetch.pick_sources(["gnome-backgrounds"])
    with pytest.raises(fetch.FetchError, match="unknown package"):
        fetch.pick_sources(["scikit-image"])


def test_missing_apt_get_is_one_error_line(fetch, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fetch.shutil, "which", lambda tool: None)
    rc = fetch.main([str(tmp_path / "out"), "--cache", str(tmp_path / "cache"), "--packages", "opencv-doc"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1 and err[0].startswith("error: apt-get not found")


def test_collect_writes_at_the_quality_asked_and_the_same_names(fetch, sources, tmp_path, monkeypatch):
    """--quality 90 (the set that travels to a GPU machine): the same photos under the same
    names — so the same validation split — in smaller files."""
    photos = [sources.Photo(f"p{i}", f"/p{i}", noise(320, 240, i)) for i in range(2)]

    class One:
        package = "pkg"

        def photos(self, root):
            return iter(photos)

    sizes = {}
    for quality in (95, 90):
        out = tmp_path / f"q{quality}"
        out.mkdir()
        rows, counts = fetch.collect(tmp_path, [One()], out, quality)
        assert [r["file"] for r in rows] == ["pkg__p0.jpg", "pkg__p1.jpg"] and counts == {"pkg": (2, 2)}
        sizes[quality] = sum((out / r["file"]).stat().st_size for r in rows)
    assert sizes[90] < sizes[95]
