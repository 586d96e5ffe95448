"""scripts/key_gallery.py: a blind page's crops back into a labelled gallery, methods in report order."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import key_gallery  # noqa: E402


def _report(tmp_path):
    images = tmp_path / "blind" / "images"
    images.mkdir(parents=True)
    colours = {"original": 0, "A": 200, "B": 100}
    for name, value in colours.items():
        Image.fromarray(np.full((40, 30, 3), value, np.uint8)).save(images / f"case01_{name}_crop.png")
    key = {"methods": ["model:default", "telea"],
           "cases": [{"case": 1, "image": "a.png", "mask_id": "object-0", "letters": {"A": "telea", "B": "model:default"}}]}
    (tmp_path / "blind_key.json").write_text(json.dumps(key))
    return tmp_path


def test_rows_follow_the_report_methods_not_the_letters(tmp_path):
    columns, rows = key_gallery.rows_of(_report(tmp_path), None)
    assert columns == ["original", "model:default", "telea"]
    (_, tiles), = rows
    assert [np.asarray(t)[0, 0, 0] for t in tiles] == [0, 100, 200]  # model is letter B, telea letter A


def test_writes_a_jpeg_and_refuses_a_folder_without_a_key(tmp_path):
    out = tmp_path / "g.jpg"
    key_gallery.main([str(_report(tmp_path / "r")), str(out), "--width", "400"])
    assert Image.open(out).format == "JPEG"
    with pytest.raises(SystemExit, match="not a report with a blind page"):
        key_gallery.main([str(tmp_path / "nothing"), str(out)])
