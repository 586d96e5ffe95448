"""Metrics against hand-computed values, and the interval / margin arithmetic of inpaint.eval."""

import math

import numpy as np
import pytest

from inpaint.eval.summary import ALL, case_margins, group_stats, json_safe, mean_interval, paired_margins, summarize
from inpaint.metrics import PSNR_CAP, fill_metrics

T_975_DF4 = 2.7764451051977987  # Student t quantile 0.975 with 4 degrees of freedom (tables)


def _image(seed=0, size=16):
    rng = np.random.default_rng(seed)
    return rng.integers(40, 200, size=(size, size, 3), dtype=np.uint8)


def _mask(size=16):
    mask = np.zeros((size, size), np.uint8)
    mask[4:12, 4:12] = 255
    return mask


def test_perfect_fill_is_capped_psnr_and_ssim_one():
    img, mask = _image(), _mask()
    m = fill_metrics(img.copy(), img, mask)
    assert m["psnr_hole"] == PSNR_CAP == 100.0
    assert m["psnr_image"] == PSNR_CAP
    assert m["l1_hole"] == 0.0
    assert m["ssim_hole"] == pytest.approx(1.0)


@pytest.mark.parametrize("d", [1, 5, 17])
def test_constant_offset_in_the_hole(d):
    img, mask = _image(1), _mask()
    pred = img.copy()
    pred[mask > 0] += d  # values ≤ 200 + 17: no overflow
    m = fill_metrics(pred, img, mask)
    assert m["psnr_hole"] == pytest.approx(20 * math.log10(255 / d), abs=1e-9)
    assert m["l1_hole"] == pytest.approx(d / 255, abs=1e-12)
    # whole image: the same squared error spread over 4× as many pixels (64 of 256 in the hole)
    assert m["psnr_image"] == pytest.approx(20 * math.log10(255 / d) + 10 * math.log10(4), abs=1e-9)
    assert m["ssim_hole"] < 1.0


def test_mean_interval_by_hand():
    s = mean_interval([1, 2, 3, 4, 5])
    half = T_975_DF4 * math.sqrt(2.5) / math.sqrt(5)
    assert s["n"] == 5 and s["mean"] == pytest.approx(3.0)
    assert s["lo"] == pytest.approx(3.0 - half, rel=1e-9)
    assert s["hi"] == pytest.approx(3.0 + half, rel=1e-9)


def test_mean_interval_edge_cases():
    assert mean_interval([]) == {"mean": None, "lo": None, "hi": None, "n": 0, "median": None, "undefined": 0}
    one = mean_interval([7.0, float("nan")])  # NaN left out, and counted
    assert one == {"mean": 7.0, "lo": None, "hi": None, "n": 1, "median": 7.0, "undefined": 1}
    skewed = mean_interval([1.0, 2.0, 30.0, float("nan"), None])
    assert skewed["median"] == 2.0 and skewed["mean"] == pytest.approx(11.0) and skewed["undefined"] == 2
    flat = mean_interval([2.0, 2.0, 2.0])
    assert flat["lo"] == flat["hi"] == flat["mean"] == 2.0


def _row(image, method, psnr, ssim, kind="center", bin_="0.1-0.2", mask_id="m0"):
    return {"image": image, "mask_id": mask_id, "kind": kind, "hole_fraction": 0.15, "bin": bin_,
            "method": method, "psnr_hole": psnr, "ssim_hole": ssim, "l1_hole": 0.1, "psnr_image": 30.0}


def _rows():
    model = [20.0, 22.0, 25.0, 21.0]
    telea = [21.0, 21.0, 21.0, 21.0]  # the last case is a tie: not a win
    model_ssim = [0.5, 0.6, 0.7, 0.5]
    telea_ssim = [0.6, 0.6, 0.6, 0.5]
    rows = []
    for i in range(4):
        kind = "center" if i < 2 else "block"
        rows.append(_row(f"im{i}", "model:x", model[i], model_ssim[i], kind))
        rows.append(_row(f"im{i}", "telea", telea[i], telea_ssim[i], kind))
    return rows


def test_paired_margin_and_win_rate_by_hand():
    margins = paired_margins(_rows(), ["model:x"])
    overall = next(m for m in margins if m["kind"] == ALL and m["bin"] == ALL)
    assert overall["n"] == 4
    assert overall["psnr_hole"]["mean"] == pytest.approx((-1 + 1 + 4 + 0) / 4)
    assert overall["ssim_hole"]["mean"] == pytest.approx((-0.1 + 0 + 0.1 + 0) / 4)
    assert overall["win_rate"] == pytest.approx(2 / 4)
    diffs = np.array([-1.0, 1.0, 4.0, 0.0])
    half = 3.182446305284263 * diffs.std(ddof=1) / 2  # t(0.975, 3), sqrt(4) = 2
    assert overall["psnr_hole"]["lo"] == pytest.approx(diffs.mean() - half, rel=1e-9)
    center = next(m for m in margins if m["kind"] == "center" and m["bin"] == ALL)
    assert center["n"] == 2 and center["psnr_hole"]["mean"] == pytest.approx(0.0)
    assert center["win_rate"] == pytest.approx(0.5)
    assert case_margins(_rows(), "model:x")[("im2", "m0")] == pytest.approx(4.0)


def test_margins_only_for_paired_cases_and_need_baseline():
    rows = _rows() + [_row("extra", "model:x", 50.0, 0.9)]  # no Telea row for this case
    overall = next(m for m in paired_margins(rows, ["model:x"]) if m["kind"] == ALL and m["bin"] == ALL)
    assert overall["n"] == 4
    assert paired_margins([r for r in rows if r["method"] != "telea"], ["model:x"]) == []


def test_groups_per_kind_and_bin_with_all():
    rows = _rows()
    rows[0]["bin"] = rows[1]["bin"] = "0.5-0.6"
    groups = group_stats(rows, ("psnr_hole",))
    keys = [(g["method"], g["kind"], g["bin"]) for g in groups]
    assert ("telea", "center", "0.1-0.2") in keys and ("telea", "center", "0.5-0.6") in keys
    assert ("telea", ALL, ALL) in keys
    # bins ordered from small holes to large, "all" last
    center_bins = [b for m, k, b in keys if m == "telea" and k == "center"]
    assert center_bins == ["0.1-0.2", "0.5-0.6", ALL]
    total = next(g for g in groups if g["method"] == "model:x" and g["kind"] == ALL and g["bin"] == ALL)
    assert total["n"] == 4 and total["psnr_hole"]["mean"] == pytest.approx(22.0)


def test_summary_counts_and_json_safety():
    summary = summarize(_rows(), ["model:x"], ("psnr_hole", "ssim_hole"))
    assert summary["counts"] == {"images": 4, "cases": 4, "rows": 8, "per_method": {"model:x": 4, "telea": 4}}
    assert json_safe({"a": [float("nan"), 1.5, float("inf")]}) == {"a": [None, 1.5, None]}
