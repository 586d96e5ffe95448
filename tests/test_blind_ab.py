"""scripts/blind_ab.py: blind tiles of two to four reports' fills with the key kept apart, and scoring picks."""

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import blind_ab  # noqa: E402

CROP = {"top": 0, "bottom": 40, "left": 0, "right": 30}


def _report(root: Path, fill_values: dict[str, int], n_cases: int = 4, image: str = "a.png") -> Path:
    """A report whose method ``m`` fills every case with the grey level ``fill_values[m]``."""
    images = root / "blind" / "images"
    images.mkdir(parents=True)
    methods = list(fill_values)
    cases = []
    for n in range(1, n_cases + 1):
        letters = dict(zip("AB", methods if n % 2 else methods[::-1]))
        for name, value in [("original", 10), ("holes", 250)] + [(l, fill_values[m]) for l, m in letters.items()]:
            Image.fromarray(np.full((40, 30, 3), value, np.uint8)).save(images / f"case{n:02d}_{name}_crop.png")
        cases.append({"case": n, "image": image, "mask_id": f"object-{n}", "crop": CROP, "letters": letters})
    (root / "blind_key.json").write_text(json.dumps({"methods": methods, "cases": cases}))
    return root


def _panel_grey(tile: Path, index: int) -> int:
    """Grey level at the middle of panel ``index`` (panels are HEIGHT px high, GAP apart)."""
    im = np.asarray(Image.open(tile).convert("RGB"))
    width = round(30 * blind_ab.HEIGHT / 40)
    x = index * (width + blind_ab.GAP) + width // 2
    return int(im[blind_ab.STRIP + blind_ab.HEIGHT // 2, x, 0])


def test_tiles_show_each_labelled_fill_where_the_key_says(tmp_path):
    a = _report(tmp_path / "a", {"model:default": 100, "telea": 30})
    b = _report(tmp_path / "b", {"model:default": 200, "telea": 30})
    out = tmp_path / "tiles"
    key_path = blind_ab.make_tiles(out, [f"old={a}:model:default", f"new={b}:model:default"], seed=3)
    assert key_path == tmp_path / "tiles.key.json" and not (out / "tiles.key.json").exists()
    key = json.loads(key_path.read_text())["cases"]
    assert sorted(p.name for p in out.iterdir()) == [f"t0{n}.png" for n in range(1, 5)]
    grey = {"old": 100, "new": 200}
    for n in range(1, 5):
        tile = out / f"t0{n}.png"
        assert _panel_grey(tile, 0) == 10 and _panel_grey(tile, 1) == 250
        assert _panel_grey(tile, 2) == grey[key[str(n)]["X"]] and _panel_grey(tile, 3) == grey[key[str(n)]["Y"]]
    # the order really is shuffled per case, and the same for the same seed
    assert len({key[str(n)]["X"] for n in range(1, 5)}) == 2
    blind_ab.make_tiles(tmp_path / "again", [f"old={a}:model:default", f"new={b}:model:default"], seed=3)
    assert json.loads((tmp_path / "again.key.json").read_text())["cases"] == key


def test_three_way_tiles_and_their_score(tmp_path):
    a = _report(tmp_path / "a", {"model:default": 100, "telea": 30})
    b = _report(tmp_path / "b", {"model:default": 200, "patchmatch": 60})
    specs = [f"old={a}:model:default", f"new={b}:model:default", f"pm={b}:patchmatch"]
    key_path = blind_ab.make_tiles(tmp_path / "t", specs, seed=1)
    key = json.loads(key_path.read_text())["cases"]
    grey = {"old": 100, "new": 200, "pm": 60}
    for n in range(1, 5):
        assert sorted(k for k in key[str(n)] if k != "image") == ["X", "Y", "Z"]
        for index, letter in enumerate("XYZ", start=2):
            assert _panel_grey(tmp_path / "t" / f"t0{n}.png", index) == grey[key[str(n)][letter]]
    picks = tmp_path / "picks.json"
    picks.write_text(json.dumps({"1": "Z", "2": "Z", "3": "tie"}))
    assert blind_ab.score(key_path, picks) == Counter([key["1"]["Z"], key["2"]["Z"], "tie"])
    with pytest.raises(ValueError, match="2 to 4"):
        blind_ab.make_tiles(tmp_path / "one", specs[:1], 0)
    with pytest.raises(ValueError, match="labels must differ"):
        blind_ab.make_tiles(tmp_path / "dup", [specs[0], specs[0]], 0)


def test_tiles_refuse_reports_of_other_cases_and_a_used_folder(tmp_path):
    a = _report(tmp_path / "a", {"model:default": 100, "telea": 30})
    other = _report(tmp_path / "o", {"model:default": 100, "telea": 30}, image="b.png")
    with pytest.raises(ValueError, match="do not hold the same cases"):
        blind_ab.make_tiles(tmp_path / "t", [f"x={a}:model:default", f"y={other}:telea"], 0)
    with pytest.raises(ValueError, match="has no method 'ns'"):
        blind_ab.make_tiles(tmp_path / "t", [f"x={a}:model:default", f"y={a}:ns"], 0)
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        blind_ab.make_tiles(used, [f"x={a}:model:default", f"y={a}:telea"], 0)
    assert (used / "keep.txt").read_text() == "mine"


def test_score_counts_picks_under_either_kind_of_key(tmp_path):
    a = _report(tmp_path / "a", {"model:default": 100, "telea": 30})
    picks = tmp_path / "picks.json"
    picks.write_text(json.dumps({"1": "A", "2": "A", "3": "tie", "4": "B"}))
    # the report's key: case 1 A = model, case 2 A = telea (orders alternate), case 4 B = model
    assert blind_ab.score(a / "blind_key.json", picks) == {"model:default": 2, "telea": 1, "tie": 1}
    key_path = blind_ab.make_tiles(tmp_path / "t", [f"m={a}:model:default", f"t={a}:telea"], 0)
    key = json.loads(key_path.read_text())["cases"]
    picks.write_text(json.dumps({"1": "X", "2": "Y"}))
    assert blind_ab.score(key_path, picks) == Counter([key["1"]["X"], key["2"]["Y"]])
    picks.write_text(json.dumps({"1": "C"}))
    with pytest.raises(ValueError, match="not one of X, Y or tie"):
        blind_ab.score(key_path, picks)


def test_main_gives_one_error_line(tmp_path, capsys):
    with pytest.raises(SystemExit, match="^error: "):
        blind_ab.main(["tiles", str(tmp_path / "t"), "nonsense", f"x={tmp_path}:m"])
