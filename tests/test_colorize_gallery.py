"""scripts/colorize_gallery.py: a colourisation report's images → grey | models | original rows."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import colorize_gallery  # noqa: E402


def _report(root):
    images = root / "images"
    images.mkdir(parents=True)
    shots = {"grey_input": 10, "grey": 10, "mean-chroma": 50, "model_col": 120, "model_old": 90, "original": 240}
    for photo in ("000_cat_face", "001_rocket"):
        for name, value in shots.items():
            Image.fromarray(np.full((30, 40, 3), value, np.uint8)).save(images / f"{photo}_{name}.png")
    return root


def test_rows_hold_input_models_original_and_leave_baselines_out(tmp_path):
    columns, rows = colorize_gallery.rows_of(_report(tmp_path), None)
    assert columns == ["grey input", "col", "old", "original"]
    assert [name for name, _ in rows] == ["cat_face", "rocket"]
    assert [np.asarray(t)[0, 0, 0] for t in rows[0][1]] == [10, 120, 90, 240]
    _, picked = colorize_gallery.rows_of(tmp_path, ["rocket"])
    assert [name for name, _ in picked] == ["rocket"]


def test_writes_a_jpeg_and_refuses_a_folder_without_images(tmp_path):
    out = tmp_path / "g.jpg"
    colorize_gallery.main([str(_report(tmp_path / "r")), str(out), "--width", "400"])
    assert Image.open(out).format == "JPEG"
    with pytest.raises(SystemExit, match="no colourisation report images"):
        colorize_gallery.main([str(tmp_path / "nothing"), str(out)])
