"""Mask datasets on disk: determinism across workers, area bins, manifest, folder safety."""

import csv
import os

import numpy as np
import pytest

import masks
from masks import MaskError
from masks.dataset import DatasetSpec, generate_dataset, mask_at
from masks.preview import contact_sheet
from masks.stats import folder_stats


def read_all(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def manifest(folder):
    with open(folder / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_bytes_whatever_the_worker_count(tmp_path):
    spec = dict(kind="mixed", count=40, height=48, width=40, seed=3)
    generate_dataset(DatasetSpec(**spec), tmp_path / "one", workers=1, progress=False)
    generate_dataset(DatasetSpec(**spec), tmp_path / "two", workers=2, progress=False)
    one, two = read_all(tmp_path / "one"), read_all(tmp_path / "two")
    assert one == two and len(one) == 41
    generate_dataset(DatasetSpec(**{**spec, "seed": 4}), tmp_path / "x", progress=False)
    other = read_all(tmp_path / "x")
    assert other["00000.png"] != one["00000.png"] or other["00001.png"] != one["00001.png"]
    assert sorted(os.listdir(tmp_path)) == ["one", "two", "x"]  # no temporary folders left


def test_mask_i_depends_only_on_seed_and_index(tmp_path):
    spec = DatasetSpec(kind="block", count=5, height=64, width=64, seed=9)
    generate_dataset(spec, tmp_path / "d", progress=False)
    gen = masks.make_generator("block")
    assert np.array_equal(masks.load_mask(tmp_path / "d" / "00003.png"), mask_at(gen, spec, 3))
    rows = manifest(tmp_path / "d")
    assert [r["file"] for r in rows] == [f"{i:05d}.png" for i in range(5)]
    row = rows[3]
    assert row["kind"] == "block" and row["seed"] == "9" and row["index"] == "3"
    f = masks.hole_fraction(masks.load_mask(tmp_path / "d" / "00003.png"))
    assert float(row["hole_fraction"]) == pytest.approx(f, abs=1e-6)
    assert row["area_bin"] == (masks.area_bin(f) or "")


@pytest.mark.parametrize("count", [12, 8])
def test_nvidia_bins_are_stratified(tmp_path, count):
    spec = DatasetSpec(kind="mixed", count=count, height=64, width=64, seed=1, bins="nvidia")
    generate_dataset(spec, tmp_path / "b", progress=False)
    rows = manifest(tmp_path / "b")
    assert all(r["area_bin"] == r["target_bin"] for r in rows)
    counts = [sum(r["area_bin"] == label for r in rows) for label in masks.BIN_LABELS]
    assert sum(counts) == count and max(counts) - min(counts) <= 1
    assert min(counts) >= count // 6


def test_impossible_bins_fail_before_writing(tmp_path):
    spec = DatasetSpec(kind="thin", count=6, height=64, width=64, bins="nvidia")
    with pytest.raises(MaskError, match="impossible hole fraction range \\(0.5, 0.6\\]"):
        generate_dataset(spec, tmp_path / "b", progress=False)
    assert os.listdir(tmp_path) == []


def test_bad_specs(tmp_path):
    for bad, match in [(dict(count=0), "count"), (dict(height=16), "between 32 and 4096"),
                       (dict(width=5000), "between 32 and 4096"), (dict(kind="nope"), "unknown mask kind"),
                       (dict(seed=-1), "seed"), (dict(bins="lama"), "unknown bins")]:
        spec = DatasetSpec(**{**dict(kind="block", count=3), **bad})
        with pytest.raises(MaskError, match=match):
            generate_dataset(spec, tmp_path / "o", progress=False)
    assert os.listdir(tmp_path) == []


def test_output_folder_safety(tmp_path):
    spec = DatasetSpec(kind="center", count=2, height=32, width=32)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("user data")
    with pytest.raises(MaskError, match="not empty; use --overwrite"):
        generate_dataset(spec, out, progress=False)
    assert os.listdir(out) == ["keep.txt"]
    # regression: --overwrite deleted the whole folder, the user's files included
    with pytest.raises(MaskError, match="holds keep.txt, which `masks generate` did not write"):
        generate_dataset(spec, out, overwrite=True, progress=False)
    assert os.listdir(out) == ["keep.txt"]
    (out / "keep.txt").unlink()
    generate_dataset(DatasetSpec(kind="center", count=3, height=32, width=32), out, progress=False)
    generate_dataset(spec, out, overwrite=True, progress=False)  # an old dataset is replaced whole
    assert sorted(os.listdir(out)) == ["00000.png", "00001.png", "manifest.csv"]
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(MaskError, match="is a file"):
        generate_dataset(spec, afile, progress=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    generate_dataset(spec, empty, progress=False)  # an empty folder is fine
    assert len(os.listdir(empty)) == 3
    assert sorted(os.listdir(tmp_path)) == ["empty", "file", "out"]


def test_worker_error_leaves_nothing(tmp_path):
    # One block of at most 30 % x 30 % fits the first bin (mask 0 is fine) but never reaches
    # the (0.1, 0.2] bin: the failure happens inside a worker process.
    spec = DatasetSpec(kind="block", count=70, height=32, width=32, bins="nvidia", max_tries=50,
                       params={"min_blocks": 1, "max_blocks": 1, "max_size": 0.3, "coverage": 1.0})
    with pytest.raises(MaskError, match="after 50 tries"):
        generate_dataset(spec, tmp_path / "o", workers=2, progress=False)
    assert os.listdir(tmp_path) == []


def test_stats_and_contact_sheet(tmp_path):
    generate_dataset(DatasetSpec(kind="center", count=3, height=64, width=32), tmp_path / "c", progress=False)
    st = folder_stats(tmp_path / "c")
    assert st.count == 3 and dict(st.sizes) == {(32, 64): 3}
    assert st.histogram["0.2-0.3"] == 3 and sum(st.histogram.values()) == 3
    assert "masks: 3" in st.format()
    sheet = contact_sheet([np.full((64, 32), 255, np.uint8)] * 3, columns=2, cell=16, gap=2)
    assert sheet.shape == (2 * 18 + 2, 2 * 18 + 2) and sheet.dtype == np.uint8
    assert (sheet == 255).sum() == 3 * 16 * 8
