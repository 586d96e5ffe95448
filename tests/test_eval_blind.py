"""The blind look test: letters map to methods consistently, the page never names a method,
crops are full resolution, the sample is seeded."""

import json
import re

import numpy as np
import pytest
from PIL import Image

from inpaint.eval.blind import BlindSample, crop_box, letter_order
from inpaint.eval.cases import Case

METHODS = ["model:default", "telea", "patchmatch"]


def _case(i, h=120, w=160):
    rng = np.random.default_rng(i)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    mask = np.zeros((h, w), np.uint8)
    mask[40:70, 50 + i:90 + i] = 255
    return Case(f"p{i}.png", "object-0", "object", image, mask)


def _fill(case, method):
    """A recognisable fill per method: the hole painted with the method's own grey level."""
    out = case.image.copy()
    out[case.mask > 0] = 50 + 60 * METHODS.index(method)
    return out


def _collect(n_cases, count, seed=0):
    sample = BlindSample(count, seed)
    for i in range(n_cases):
        case = _case(i)
        for m in METHODS:
            sample(case, m, _fill(case, m))
    return sample


def test_key_maps_letters_to_the_methods_shown(tmp_path):
    _collect(5, 3).write(tmp_path)
    key = json.loads((tmp_path / "blind_key.json").read_text())
    assert not (tmp_path / "blind" / "blind_key.json").exists()  # the key is kept apart from the page
    assert len(key["cases"]) == 3 and key["methods"] == METHODS
    for entry in key["cases"]:
        letters = entry["letters"]
        assert sorted(letters) == ["A", "B", "C"] and sorted(letters.values()) == sorted(METHODS)
        for letter, method in letters.items():
            crop = np.asarray(Image.open(tmp_path / "blind" / "images" / f"case{entry['case']:02d}_{letter}_crop.png"))
            # the tile under this letter is that method's fill (its grey level fills the hole's centre)
            c = entry["crop"]
            centre = (55 - c["top"], 70 + int(entry["image"][1]) - c["left"])
            assert crop[centre].tolist() == [50 + 60 * METHODS.index(method)] * 3


def test_page_never_names_a_method_and_links_its_images(tmp_path):
    page = _collect(4, 4).write(tmp_path)
    text = page.read_text()
    for word in ("model", "telea", "patchmatch", "default", "ns"):
        assert not re.search(rf"\b{word}\b", text, re.IGNORECASE), word
    for src in re.findall(r'src="([^"]+)"', text):
        assert (page.parent / src).is_file() and not re.search("telea|patchmatch|model", src)
    assert text.count("<h2>Case") == 4 and "fill A" in text and "fill C" in text


def test_crops_are_full_resolution_around_the_hole(tmp_path):
    case = _case(0, 600, 900)
    box = crop_box(case.mask, margin=32)
    assert box == (40 - 32, 70 + 32, 50 - 32, 90 + 32)
    sample = BlindSample(1, 0)
    for m in METHODS:
        sample(case, m, _fill(case, m))
    sample.write(tmp_path)
    crop = np.asarray(Image.open(tmp_path / "blind" / "images" / "case01_original_crop.png"))
    y0, y1, x0, x1 = box
    assert np.array_equal(crop, case.image[y0:y1, x0:x1])  # pixels as they are: no scaling
    whole = Image.open(tmp_path / "blind" / "images" / "case01_original_whole.png")
    assert max(whole.size) == 320


def test_big_holes_are_cropped_around_their_largest_part():
    mask = np.zeros((2000, 3000), np.uint8)
    mask[100:1900, 200:2800] = 255
    y0, y1, x0, x1 = crop_box(mask, margin=32, max_side=768)
    assert y1 - y0 == 768 and x1 - x0 == 768
    assert abs((y0 + y1) / 2 - 1000) <= 1 and abs((x0 + x1) / 2 - 1500) <= 1


def test_sample_and_letters_are_seeded():
    a, b, c = _collect(20, 5, seed=1), _collect(20, 5, seed=1), _collect(20, 5, seed=2)
    keys = lambda s: [e.case_key for e in s.entries]  # noqa: E731
    assert keys(a) == keys(b) and len(keys(a)) == 5 and keys(a) != keys(c)
    assert letter_order(("p1.png", "x"), METHODS, 0) == letter_order(("p1.png", "x"), METHODS, 0)
    orders = {tuple(letter_order((f"p{i}.png", "x"), METHODS, 0).values()) for i in range(30)}
    assert len(orders) > 1  # shuffled per case
    assert _collect(3, 0).write(None) is None  # --blind 0: nothing written
