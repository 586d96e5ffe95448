"""`inpaint eval` through click's CliRunner, with the real Inpainter (classical and a tiny model)."""

import csv
import importlib.util
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import masks
from cli.main import main


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    yy, xx = np.mgrid[0:40, 0:56]
    for i in range(2):
        img = np.stack([(xx * 4 + 30 * i) % 256, (yy * 5) % 256, (2 * xx + yy) % 256], -1).astype(np.uint8)
        Image.fromarray(img).save(folder / f"img{i}.png")
    return folder


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    import torch

    from inpaint.checkpoint import save_checkpoint
    from inpaint.config import GeneratorConfig
    from inpaint.models import build_generator

    torch.manual_seed(0)
    cfg = GeneratorConfig(kind="ce", mode="full", image_size=64, ngf=8, n_bottleneck=16)
    model = build_generator(cfg)
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    save_checkpoint(path, {"generator_config": cfg.to_dict(), "generator": model.state_dict(),
                           "discriminator_config": None, "discriminator": None, "step": 0})
    return path


def _invoke(*args):
    return CliRunner().invoke(main, ["eval", *map(str, args)])


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_classical_rows_without_checkpoint(photos, tmp_path):
    out = tmp_path / "r"
    res = _invoke(photos, "--out", out, "--size", 32, "--mask-kind", "block", "--count-per-image", 2,
                  "--no-progress")
    assert res.exit_code == 0, res.output
    rows = _csv(out / "metrics.csv")
    assert len(rows) == 2 * 2 * 2  # photos × masks × {telea, ns}
    assert {r["method"] for r in rows} == {"telea", "ns"}
    assert "no --checkpoint given" in res.output
    assert "telea" in res.output and "PSNR" in res.output  # summary table printed
    assert (out / "report.html").is_file() and (out / "summary.json").is_file()


def test_shipped_default_model_is_evaluated_without_checkpoint(photos, tmp_path, tiny_checkpoint, monkeypatch):
    import shutil

    import inpaint.default_model as dm

    shipped = tmp_path / "weights" / "default.pt"
    shipped.parent.mkdir()
    shutil.copy(tiny_checkpoint, shipped)
    monkeypatch.setattr(dm, "DEFAULT_CHECKPOINT", shipped)
    out = tmp_path / "r"
    res = _invoke(photos, "--out", out, "--size", 32, "--mask-kind", "block", "--methods", "model,telea",
                  "--no-progress")
    assert res.exit_code == 0, res.output
    assert {r["method"] for r in _csv(out / "metrics.csv")} == {"model:default", "telea"}
    assert "default model shipped with inpaint" in res.output


def test_model_row_from_tiny_checkpoint(photos, tmp_path, tiny_checkpoint):
    out = tmp_path / "r"
    res = _invoke(photos, "--checkpoint", tiny_checkpoint, "--out", out, "--size", 64, "--mask-kind", "center",
                  "--device", "cpu", "--no-progress")
    assert res.exit_code == 0, res.output
    rows = _csv(out / "metrics.csv")
    assert [r["method"] for r in rows[:3]] == ["model:tiny", "telea", "ns"]
    assert all(0 <= float(r["l1_hole"]) <= 1 and float(r["psnr_hole"]) > 0 for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["checkpoints"] == {"model:tiny": str(tiny_checkpoint)}
    from inpaint.fill.engine import FLIP_DEFAULT

    assert summary["settings"]["flip"] is FLIP_DEFAULT  # as `inpaint fill` without --flip/--no-flip
    margin = next(m for m in summary["margins"] if m["bin"] == "all")
    assert margin["method"] == "model:tiny" and margin["n"] == 2
    # an untrained network loses to Telea on smooth gradients
    assert margin["psnr_hole"]["mean"] < 0
    assert "model:tiny" in res.output and "dB" in res.output


def test_the_oracle_row_is_the_checkpoints_engine_with_the_truth_for_a_network(photos, tmp_path, tiny_checkpoint):
    """--methods oracle: one row per --checkpoint, beside its model, far above Telea where the
    untrained model is below it; the help names it; not among the default methods."""
    out = tmp_path / "r"
    res = _invoke(photos, "--checkpoint", tiny_checkpoint, "--methods", "model,oracle,telea", "--out", out,
                  "--size", 64, "--mask-kind", "block", "--device", "cpu", "--gallery", 0, "--no-progress")
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["checkpoints"] == {"model:tiny": str(tiny_checkpoint), "oracle:tiny": str(tiny_checkpoint)}
    margins = {m["method"]: m["psnr_hole"]["mean"] for m in summary["margins"] if m["bin"] == "all"}
    assert margins["oracle:tiny"] > 10 > 0 > margins["model:tiny"]
    help_text = " ".join(CliRunner().invoke(main, ["eval", "--help"]).output.split())
    assert "oracle (one per --checkpoint" in help_text and "[default: model,telea,ns]" in help_text


def test_flip_reaches_the_model_and_is_recorded(photos, tmp_path):
    from test_fill_helpers import make_checkpoint

    checkpoint = make_checkpoint(tmp_path / "gain.pt", "full", gain=5)  # not a near-uniform grey output
    scores = {}
    for flag, flip in (("--flip", True), ("--no-flip", False)):
        out = tmp_path / flag
        res = _invoke(photos, "--checkpoint", checkpoint, "--methods", "model", "--out", out, "--size", 32,
                      "--mask-kind", "block", "--device", "cpu", "--gallery", 0, "--no-progress", flag)
        assert res.exit_code == 0, res.output
        assert json.loads((out / "summary.json").read_text())["settings"]["flip"] is flip
        scores[flip] = [r["psnr_hole"] for r in _csv(out / "metrics.csv")]
    assert scores[True] != scores[False]  # the setting reaches the filler
    from inpaint.fill.engine import FLIP_DEFAULT

    help_text = " ".join(CliRunner().invoke(main, ["eval", "--help"]).output.split())
    assert f"Default: {'on' if FLIP_DEFAULT else 'off'}." in help_text  # the help states the engine's default


def test_resolve_methods_passes_flip_to_the_inpainter(tiny_checkpoint):
    from inpaint.eval.methods import resolve_methods

    for flip in (True, False):
        (method,) = resolve_methods(["model"], [tiny_checkpoint], "cpu", flip=flip)
        assert method.fill.__self__.filler.flip is flip


def test_model_at_native_resolution_keeps_known_pixels(photos, tmp_path, tiny_checkpoint):
    out = tmp_path / "r"
    res = _invoke(photos, "--checkpoint", tiny_checkpoint, "--methods", "model,telea", "--native", "--out", out,
                  "--mask-kind", "block", "--device", "cpu", "--gallery", 1, "--no-progress")
    assert res.exit_code == 0, res.output
    rows = _csv(out / "metrics.csv")
    assert len(rows) == 4 and {r["method"] for r in rows} == {"model:tiny", "telea"}
    # known pixels are bit-exact, so the whole-image error comes from the hole only:
    # MSE_image = MSE_hole · fraction  →  PSNR_image = PSNR_hole − 10·log10(fraction)
    for r in rows:
        expected = float(r["psnr_hole"]) - 10 * np.log10(float(r["hole_fraction"]))
        assert float(r["psnr_image"]) == pytest.approx(expected, abs=1e-6)
    thumbs = list((out / "images").iterdir())
    assert thumbs and all(Image.open(p).size == (56, 40) for p in thumbs)


def test_mask_folder_matched_by_stem(photos, tmp_path):
    mdir = tmp_path / "m"
    mdir.mkdir()
    for i in range(2):
        m = np.zeros((40, 56), np.uint8)
        m[10:25, 10 + 5 * i:30] = 255
        masks.save_mask(mdir / f"img{i}.png", m)
    out = tmp_path / "r"
    res = _invoke(photos, "--masks", mdir, "--native", "--methods", "telea", "--out", out, "--no-progress")
    assert res.exit_code == 0, res.output
    rows = _csv(out / "metrics.csv")
    assert [(r["image"], r["mask_id"], r["kind"]) for r in rows] == [("img0.png", "img0", "file"),
                                                                     ("img1.png", "img1", "file")]


@pytest.mark.parametrize("case", ["empty", "no_stem", "size", "method", "both", "bad_ckpt", "kind", "not_empty",
                                  "size_native", "setting_size", "setting_masks", "long_side_range", "setting_name"])
def test_bad_inputs_one_line_error(case, photos, tmp_path):
    out = tmp_path / "r"
    args = [photos, "--out", out, "--size", 32, "--no-progress"]
    mdir = tmp_path / "m"
    mdir.mkdir()
    if case == "empty":
        empty = tmp_path / "empty"
        empty.mkdir()
        args[0], expect = empty, "no images"
    elif case == "no_stem":
        masks.save_mask(mdir / "other.png", np.full((32, 32), 255, np.uint8))
        args += ["--masks", mdir]
        expect = "no mask for image 'img0'"
    elif case == "size":
        masks.save_mask(mdir / "img0.png", np.full((40, 56), 255, np.uint8))
        args += ["--masks", mdir]
        expect = "must be --size 32"
    elif case == "method":
        args += ["--methods", "telea,magic"]
        expect = "unknown method 'magic'"
    elif case == "both":
        args += ["--masks", mdir, "--mask-kind", "block"]
        expect = "either --masks or --mask-kind"
    elif case == "bad_ckpt":
        bad = tmp_path / "bad.pt"
        bad.write_bytes(b"not a checkpoint")
        args += ["--checkpoint", bad]
        expect = "bad.pt"
    elif case == "kind":
        args += ["--mask-kind", "blob"]
        expect = "unknown mask kind 'blob'"
    elif case == "not_empty":
        out.mkdir()
        (out / "old.txt").write_text("x")
        expect = "not empty"
    elif case == "size_native":
        args += ["--native"]
        expect = "--size or --native"
    elif case == "setting_size":
        args += ["--setting", "objects"]
        expect = "use only one of --size or --native or --long-side/--setting"
    elif case == "setting_masks":
        args = [photos, "--out", out, "--setting", "objects", "--masks", mdir, "--no-progress"]
        expect = "generates its masks"
    elif case == "long_side_range":
        args = [photos, "--out", out, "--long-side", 10, "--no-progress"]
        expect = "--long-side must be between 64 and 4096"
    else:
        args = [photos, "--out", out, "--setting", "faces", "--no-progress"]
        expect = "unknown --setting 'faces': use objects"
    res = _invoke(*args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1 and expect in lines[0], res.output
    assert not (out / "metrics.csv").exists()


def test_objects_setting_detail_ratio_blind_page_and_times(photos, tmp_path):
    out = tmp_path / "r"
    res = _invoke(photos, "--out", out, "--setting", "objects", "--long-side", 96, "--methods", "telea,ns",
                  "--count-per-image", 2, "--blind", 3, "--seed", 4, "--no-progress")
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    s = summary["settings"]
    assert s["setting"] == "objects" and s["long_side"] == 96 and s["size"] == "native"
    assert "object" in s["setting_description"] and s["mask_params"]["object"]["max_area"] == 0.15
    assert any("scaled to long side 96" in n and "img0.png 56×40 → 96×69" in n for n in summary["notes"])
    rows = _csv(out / "metrics.csv")
    assert len(rows) == 2 * 2 * 2 and {r["kind"] for r in rows} == {"object"}
    assert all(r["detail_ratio"] == "" or float(r["detail_ratio"]) >= 0 for r in rows)
    group = next(g for g in summary["groups"] if g["method"] == "telea" and g["bin"] == "all")
    assert set(group["detail_ratio"]) >= {"mean", "lo", "hi", "median", "undefined", "n"}
    assert set(summary["time_per_fill"]) == {"telea", "ns"} and summary["time_per_fill"]["telea"]["n"] == 4
    assert "median detail ratio" in res.output and "s/fill" in res.output and "blind look test" in res.output
    html = (out / "report.html").read_text()
    assert "detail ratio (median)" in html and "Time per fill" in html and 'href="blind/blind.html"' in html
    key = json.loads((out / "blind_key.json").read_text())
    assert len(key["cases"]) == 3 and all(sorted(c["letters"].values()) == ["ns", "telea"] for c in key["cases"])
    # same seed, same masks, metrics and blind key
    again = tmp_path / "r2"
    assert _invoke(photos, "--out", again, "--setting", "objects", "--long-side", 96, "--methods", "telea,ns",
                   "--count-per-image", 2, "--blind", 3, "--seed", 4, "--no-progress").exit_code == 0
    assert (again / "metrics.csv").read_text() == (out / "metrics.csv").read_text()
    assert (again / "blind_key.json").read_text() == (out / "blind_key.json").read_text()


@pytest.mark.skipif(importlib.util.find_spec("patchmatch") is None, reason="pypatchmatch is not installed")
def test_patchmatch_row(photos, tmp_path):
    out = tmp_path / "r"
    res = _invoke(photos, "--out", out, "--size", 32, "--mask-kind", "block", "--methods", "telea,patchmatch",
                  "--no-progress")
    assert res.exit_code == 0, res.output
    assert {r["method"] for r in _csv(out / "metrics.csv")} == {"telea", "patchmatch"}
    assert "patchmatch" in res.output


def test_help_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from cli.main import main; "
            "r = CliRunner().invoke(main, ['eval', '--help']); assert r.exit_code == 0, r.output; "
            "assert '--mask-kind' in r.output; print('torch' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def test_full_mask_names_the_case_and_failed_run_leaves_no_folder(photos, tmp_path):
    masks.save_mask(tmp_path / "full.png", np.full((32, 32), 255, np.uint8))
    out = tmp_path / "r"
    res = _invoke(photos, "--masks", tmp_path / "full.png", "--size", 32, "--methods", "telea", "--out", out,
                  "--no-progress")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "mask full covers the whole of img0.png" in res.output, res.output
    assert not out.exists()  # regression: an empty report folder was left behind
