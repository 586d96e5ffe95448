"""`inpaint eval --task colorize` and the colourfulness metric."""

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cli.main import main
from colorize_helpers import TinyChroma
from inpaint.eval.colorize_run import leave_one_out
from inpaint.metrics import colour_metrics, colourfulness
from test_fill_helpers import photo


def test_colourfulness_of_known_images():
    assert colourfulness(np.full((8, 8, 3), 77, np.uint8)) == 0.0
    grey = np.repeat(np.random.default_rng(0).integers(0, 256, (9, 9, 1), dtype=np.uint8), 3, axis=2)
    assert colourfulness(grey) == 0.0
    # half pure red, half pure blue: rg = 255 | 0, yb = 127.5 | −255
    img = np.zeros((4, 4, 3), np.uint8)
    img[:, :2, 0] = 255
    img[:, 2:, 2] = 255
    sigma = np.hypot(127.5, 191.25)        # σ_rg = 127.5, σ_yb = (127.5 + 255) / 2
    mu = np.hypot(127.5, 63.75)            # μ_rg = 127.5, μ_yb = (127.5 − 255) / 2
    assert colourfulness(img) == pytest.approx(sigma + 0.3 * mu)  # 272.62
    assert colourfulness(img) == pytest.approx(272.62, abs=0.01)
    # one flat colour: no spread, only the mean term
    assert colourfulness(np.full((3, 3, 3), (200, 100, 50), np.uint8)) == pytest.approx(0.3 * np.hypot(100, 100))


def test_colour_metrics_ratio_is_undefined_for_a_grey_original():
    grey = np.full((20, 20, 3), 90, np.uint8)
    m = colour_metrics(photo(20, 20), grey)
    assert np.isnan(m["colourfulness_ratio"]) and m["colourfulness_original"] == 0
    same = colour_metrics(photo(20, 20), photo(20, 20))
    assert same["psnr"] == 100.0 and same["ssim"] == pytest.approx(1.0) and same["colourfulness_ratio"] == 1.0


def test_leave_one_out_never_uses_the_scored_photo():
    means = np.array([[1.0, 2.0], [3.0, 4.0], [8.0, 0.0]])
    assert np.allclose(leave_one_out(means), [[5.5, 2.0], [4.5, 1.0], [2.0, 3.0]])
    assert np.allclose(leave_one_out(means[:1]), 0.0)


@pytest.fixture
def colour_photos(tmp_path, monkeypatch):
    import inpaint.colorize.model as model_mod

    monkeypatch.setattr(model_mod, "load_task",
                        lambda path, device, task: (TinyChroma(gain=3.0).eval(), 32, 32, {}))
    (tmp_path / "model.pt").write_bytes(b"stand-in")
    src = tmp_path / "photos"
    src.mkdir()
    for i, (h, w) in enumerate([(60, 80), (90, 70), (64, 64)]):
        Image.fromarray(photo(h, w, seed=i)[:, ::-1] if i == 1 else photo(h, w, seed=i)).save(src / f"p{i}.png")
    return tmp_path


def test_eval_colorize_end_to_end(colour_photos):
    out = colour_photos / "report"
    r = CliRunner().invoke(main, ["eval", "--task", "colorize", str(colour_photos / "photos"), "--model",
                                  str(colour_photos / "model.pt"), "-o", str(out), "--long-side", "96",
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    summary = json.loads((out / "summary.json").read_text())
    methods = summary["methods"]
    assert list(methods) == ["model:model", "grey", "mean-chroma"]
    for m in methods.values():
        assert m["n"] == 3 and m["psnr"]["mean"] is not None and m["psnr"]["lo"] is not None
        assert m["time_per_photo"]["n"] == 3
    assert methods["grey"]["colourfulness_ratio"]["median"] == 0.0
    assert methods["grey"]["psnr_over_grey"]["mean"] == 0.0
    assert methods["mean-chroma"]["colourfulness_ratio"]["median"] > 0
    assert summary["settings"]["long_side"] == 96 and "leave-one-out" in summary["settings"]["mean_chroma"]
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert len(rows) == 9 and {r["method"] for r in rows} == set(methods)
    page = (out / "report.html").read_text()
    assert "Gallery" in page and "mean-chroma" in page and "original" in page and "images/full/" in page
    for ref in ("images/full/000_p", "images/000_p"):
        assert ref in page
    assert all((out / p).is_file() for p in
               [a.split('"')[0] for a in page.split('src="')[1:]] + [a.split('"')[0] for a in page.split('href="')[1:]])
    assert "mean-chroma" in r.output and "vs grey" in r.output
    # the full images are the evaluated size
    full = sorted((out / "images" / "full").glob("*original.png"))
    assert full and max(Image.open(full[0]).size) == 96


def test_eval_colorize_refuses_inpainting_options(colour_photos):
    r = CliRunner().invoke(main, ["eval", "--task", "colorize", str(colour_photos / "photos"), "--checkpoint",
                                  str(colour_photos / "model.pt"), "-o", str(colour_photos / "r")])
    assert r.exit_code == 1 and r.output.startswith("Error: --checkpoint is an option of --task inpaint"), r.output
    r = CliRunner().invoke(main, ["eval", str(colour_photos / "photos"), "--model", str(colour_photos / "model.pt"),
                                  "-o", str(colour_photos / "r")])
    assert r.exit_code == 1 and "--model is an option of --task colorize" in r.output
    r = CliRunner().invoke(main, ["eval", "--task", "colorize", str(colour_photos / "photos"),
                                  "-o", str(colour_photos / "r")])
    assert r.exit_code == 1 and "--model is required" in r.output
    assert not (colour_photos / "r").exists()


def test_eval_colorize_refuses_a_folder_of_grey_photos_before_loading_the_model(tmp_path, monkeypatch):
    import inpaint.colorize.model as model_mod

    def never(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(model_mod, "load_task", never)
    (tmp_path / "model.pt").write_bytes(b"stand-in")
    src = tmp_path / "grey"
    src.mkdir()
    for i in range(2):
        Image.fromarray(photo(40, 50, seed=i)[..., 0]).save(src / f"g{i}.png")
    r = CliRunner().invoke(main, ["eval", "--task", "colorize", str(src), "--model", str(tmp_path / "model.pt"),
                                  "-o", str(tmp_path / "r"), "--no-progress"])
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert r.exit_code == 1 and len(errors) == 1 and "Traceback" not in r.output, r.output
    assert "is grey" in errors[0] and "needs colour photos" in errors[0]
    assert not (tmp_path / "r").exists()


def test_eval_colorize_leaves_grey_photos_out_with_a_note(colour_photos):
    # a grey original would give the grey baseline a perfect (capped) PSNR and swamp the means
    grey = np.repeat(photo(50, 60, seed=9)[:, :, :1], 3, axis=2)
    Image.fromarray(grey).save(colour_photos / "photos" / "p9_grey.png")
    out = colour_photos / "report"
    r = CliRunner().invoke(main, ["eval", "--task", "colorize", str(colour_photos / "photos"), "--model",
                                  str(colour_photos / "model.pt"), "-o", str(out), "--long-side", "96",
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "left out 1 grey photo(s)" in r.output and "p9_grey.png" in r.output
    summary = json.loads((out / "summary.json").read_text())
    assert all(m["n"] == 3 for m in summary["methods"].values())
    assert {row["image"] for row in csv.DictReader((out / "metrics.csv").open())} == {"p0.png", "p1.png", "p2.png"}
