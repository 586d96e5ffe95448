"""inpaint.eval.pipeline: a whole run with local stand-in fillers (no checkpoint needed)."""

import csv
import json
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from inpaint.classical import classical_fill
from inpaint.errors import InpaintError
from inpaint.eval import EvalSettings, run


class Classical:
    def __init__(self, name):
        self.name = name

    def fill_array(self, image, mask):
        return classical_fill(image, mask, self.name)


class GreyModel:
    """A stand-in 'model': holes become mid-grey (known pixels kept)."""

    def __init__(self, path, device):
        self.path = path

    def fill_array(self, image, mask):
        out = image.copy()
        out[mask > 0] = 128
        return out


class PerfectModel(GreyModel):
    def fill_array(self, image, mask):
        return image.copy()


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    yy, xx = np.mgrid[0:48, 0:64]
    for i in range(3):
        img = np.stack([(xx * 3 + i * 20) % 256, (yy * 4) % 256, (xx + yy + 40 * i) % 256], -1).astype(np.uint8)
        Image.fromarray(img).save(folder / f"p{i}.png")
    return folder


def _run(photos, out, **kw):
    settings = dict(images_dir=str(photos), report_dir=str(out), checkpoints=[str(photos.parent / "grey.pt")],
                    mask_kinds=["center", "block"], count_per_image=2, seed=1, size=32, gallery=2)
    settings.update(kw)
    return run(EvalSettings(**settings), progress=False, loader=GreyModel, classical=Classical)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.srcs, self.tables = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.srcs.append(dict(attrs)["src"])
            return
        if tag == "meta":
            return
        if tag == "table":
            self.tables += 1
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> after {self.stack[-3:]}"
        self.stack.pop()


def test_outputs_consistent_and_report_well_formed(photos, tmp_path):
    out = tmp_path / "report"
    result = _run(photos, out)
    assert sorted(p.name for p in out.iterdir()) == ["blind", "blind_key.json", "images", "metrics.csv",
                                                     "report.html", "summary.json"]
    with open(out / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    summary = json.loads((out / "summary.json").read_text())
    # 3 photos × (1 centre + 2 blocks) cases × 3 methods
    assert len(rows) == summary["counts"]["rows"] == 27 == len(result.rows)
    assert summary["counts"]["cases"] == 9 and summary["counts"]["images"] == 3
    assert summary["counts"]["per_method"] == {"model:grey": 9, "telea": 9, "ns": 9}
    assert {r["method"] for r in rows} == {"model:grey", "telea", "ns"}
    from inpaint.fill.engine import FLIP_DEFAULT

    assert summary["settings"]["flip"] is FLIP_DEFAULT
    assert _run(photos, tmp_path / "noflip", flip=False).summary["settings"]["flip"] is False
    for r in rows:
        assert r["bin"] in ("0.01-0.1", "0.1-0.2", "0.2-0.3", "0.3-0.4", "0.4-0.5", "0.5-0.6", "")
        assert 0 < float(r["hole_fraction"]) <= 1 and 0 <= float(r["l1_hole"]) <= 1
    total = {(g["method"], g["kind"], g["bin"]): g for g in summary["groups"]}
    for method in ("model:grey", "telea", "ns"):
        assert total[(method, "all", "all")]["n"] == 9
        assert total[(method, "center", "all")]["n"] == 3
        mean = np.mean([float(r["psnr_hole"]) for r in rows if r["method"] == method])
        assert total[(method, "all", "all")]["psnr_hole"]["mean"] == pytest.approx(mean)
    margin = next(m for m in summary["margins"] if m["kind"] == "all" and m["bin"] == "all")
    assert margin["method"] == "model:grey" and margin["n"] == 9
    # grey holes lose to Telea on smooth gradients
    assert margin["psnr_hole"]["mean"] < 0 and margin["win_rate"] < 0.5
    assert any("LPIPS" in n for n in summary["notes"])

    parser = _Collector()
    parser.feed((out / "report.html").read_text())
    parser.close()
    assert parser.stack == [] and parser.tables == 3  # results, margins, time per fill
    assert parser.srcs, "gallery has images"
    for src in parser.srcs:
        assert not src.startswith("/") and src.startswith("images/")
        assert (out / src).is_file()
        assert Image.open(out / src).size == (32, 32)
    html = (out / "report.html").read_text()
    assert "best for model:grey" in html and "worst for model:grey" in html
    # each gallery case: masked input + 3 methods + ground truth
    assert len(parser.srcs) % 5 == 0


def test_same_seed_same_csv_other_seed_differs(photos, tmp_path):
    _run(photos, tmp_path / "a")
    _run(photos, tmp_path / "b")
    _run(photos, tmp_path / "c", seed=2)
    a = (tmp_path / "a" / "metrics.csv").read_text()
    assert a == (tmp_path / "b" / "metrics.csv").read_text()
    assert a != (tmp_path / "c" / "metrics.csv").read_text()


def test_perfect_model_scores_the_cap_and_wins(photos, tmp_path):
    result = run(EvalSettings(str(photos), str(tmp_path / "r"), checkpoints=["perfect.pt"], methods="model,telea",
                              mask_kinds=["block"], size=32), progress=False, loader=PerfectModel, classical=Classical)
    model_rows = [r for r in result.rows if r["method"] == "model:perfect"]
    assert all(r["psnr_hole"] == 100.0 and r["ssim_hole"] == pytest.approx(1.0) for r in model_rows)
    margin = next(m for m in result.summary["margins"] if m["kind"] == "block" and m["bin"] == "all")
    assert margin["win_rate"] == 1.0 and margin["psnr_hole"]["mean"] > 50


def test_no_checkpoint_gives_classical_rows_with_a_note(photos, tmp_path):
    result = run(EvalSettings(str(photos), str(tmp_path / "r"), size=32), progress=False,
                 loader=GreyModel, classical=Classical)
    assert {r["method"] for r in result.rows} == {"telea", "ns"}
    assert {r["kind"] for r in result.rows} == {"center"}
    assert any("no --checkpoint" in n for n in result.notes)
    assert result.summary["margins"] == []


def test_refuses_non_empty_report_dir_unless_overwrite(photos, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(InpaintError, match="not empty"):
        _run(photos, out)
    assert not (out / "metrics.csv").exists()
    _run(photos, out, overwrite=True)
    assert (out / "metrics.csv").is_file() and (out / "mine.txt").read_text() == "keep me"


def test_native_resolution_keeps_photo_sizes(photos, tmp_path):
    result = _run(photos, tmp_path / "r", size=None, mask_kinds=["stroke"], count_per_image=1)
    assert len(result.rows) == 9
    assert result.summary["settings"]["size"] == "native"
    assert all(Image.open(p).size == (64, 48) for p in (tmp_path / "r" / "images").iterdir())


def test_model_only_without_checkpoint_is_an_error(photos, tmp_path):
    with pytest.raises(InpaintError, match="needs at least one --checkpoint"):
        run(EvalSettings(str(photos), str(tmp_path / "r"), methods="model"), progress=False,
            loader=GreyModel, classical=Classical)
    with pytest.raises(InpaintError, match="unknown method 'lama'"):
        run(EvalSettings(str(photos), str(tmp_path / "r"), methods="telea,lama"), progress=False)
