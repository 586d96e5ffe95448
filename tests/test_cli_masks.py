"""`inpaint masks …` end to end with CliRunner, bad inputs, and the no-torch promise."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from PIL import Image

import masks
from cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(main, ["masks", *map(str, args)])


def assert_clean_error(result, match):
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and match in errors[0], result.output


def test_generate_stats_preview(tmp_path):
    out, sheet = tmp_path / "ds", tmp_path / "sheet.png"
    r = run("generate", "--kind", "block", "--count", 10, "--width", 64, "--height", 48, "--seed", 5,
            "--out", out, "--param", "coverage=0.2", "--preview", sheet, "--quiet")
    assert r.exit_code == 0, r.output
    assert "wrote 10 block masks (64x48)" in r.output
    files = sorted(os.listdir(out))
    assert files == [f"{i:05d}.png" for i in range(10)] + ["manifest.csv"]
    for name in files[:-1]:
        m = masks.load_mask(out / name)
        assert m.shape == (48, 64) and 0 < masks.hole_fraction(m) <= 0.2
    with open(out / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["params"] == '{"coverage": 0.2}' and rows[0]["seed"] == "5"
    assert Image.open(sheet).size[0] > 64

    r = run("stats", out)
    assert r.exit_code == 0, r.output
    assert "masks: 10" in r.output and "64x48 (10)" in r.output and "0.1-0.2" in r.output

    r = run("preview", out, tmp_path / "p.png", "--limit", 4, "--columns", 2, "--cell", 16)
    assert r.exit_code == 0, r.output
    assert Image.open(tmp_path / "p.png").size == (2 * 18 + 2, 2 * 18 + 2)
    assert_clean_error(run("preview", out, tmp_path / "p.png"), "exists; use --overwrite")

    again = run("generate", "--kind", "block", "--count", 10, "--width", 64, "--height", 48, "--seed", 5,
                "--out", tmp_path / "again", "--param", "coverage=0.2", "--workers", 2, "--quiet")
    assert again.exit_code == 0, again.output
    for name in files:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_generate_bins_preset_and_objects(tmp_path):
    r = run("generate", "--kind", "stroke", "--preset", "medium", "--count", 5, "--size", 64,
            "--bins", "nvidia", "--min-fraction", 0.0, "--out", tmp_path / "s", "--quiet")
    assert_clean_error(r, "impossible hole fraction range (0.5, 0.6]")
    r = run("generate", "--kind", "mixed", "--count", 6, "--size", 64, "--bins", "nvidia",
            "--param", 'kinds={"block": 1, "stroke": 1}', "--param", 'params={"block": {"coverage": 0.1}}',
            "--out", tmp_path / "b", "--quiet")
    assert r.exit_code == 0, r.output
    labels = [masks.area_bin(masks.hole_fraction(masks.load_mask(tmp_path / "b" / f"{i:05d}.png")))
              for i in range(6)]
    assert labels == list(masks.BIN_LABELS)

    seg = tmp_path / "seg"
    seg.mkdir()
    lab = np.zeros((40, 40), np.uint8)
    lab[5:30, 8:20] = 1
    lab[10:35, 25:38] = 2
    Image.fromarray(lab, "P").save(seg / "o.png")
    r = run("generate", "--kind", "region", "--objects-dir", seg, "--count", 4, "--size", 48,
            "--out", tmp_path / "o", "--quiet")
    assert r.exit_code == 0, r.output


def test_kinds_lists_parameters():
    r = run("kinds")
    assert r.exit_code == 0
    for kind in masks.MASK_KINDS:
        assert f"\n{kind}: " in "\n" + r.output
    assert "coverage = 0.25" in r.output and "max_width = 10" in r.output


def test_bad_inputs_are_one_line_errors(tmp_path):
    out = tmp_path / "o"
    cases = [
        (["--kind", "hexagon", "--count", 3], "unknown mask kind 'hexagon'; valid kinds: center"),
        (["--kind", "block", "--count", 0], "--count must be positive"),
        (["--kind", "block", "--count", -2], "--count must be positive"),
        (["--kind", "block", "--count", 3, "--size", 16], "between 32 and 4096"),
        (["--kind", "block", "--count", 3, "--width", 5000], "between 32 and 4096"),
        (["--kind", "center", "--count", 3, "--min-fraction", 0.5], "impossible hole fraction range"),
        (["--kind", "block", "--count", 3, "--param", "radius=2"], "unknown parameter(s) radius"),
        (["--kind", "block", "--count", 3, "--param", "coverage"], "expects key=value"),
        (["--kind", "block", "--count", 3, "--workers", 0], "--workers must be at least 1"),
    ]
    for args, match in cases:
        assert_clean_error(run("generate", *args, "--out", out, "--quiet"), match)
        assert not out.exists()
    afile = tmp_path / "file.txt"
    afile.write_text("keep me")
    assert_clean_error(run("generate", "--kind", "block", "--count", 2, "--out", afile), "is a file")
    assert afile.read_text() == "keep me"
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.png").write_bytes(b"mine")
    assert_clean_error(run("generate", "--kind", "block", "--count", 2, "--out", full), "not empty")
    assert os.listdir(full) == ["x.png"]
    # stats: unreadable mask file, missing folder, folder without masks
    assert_clean_error(run("stats", full), "not an image file")
    assert_clean_error(run("stats", tmp_path / "missing"), "not found")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_clean_error(run("stats", empty), "no mask images")
    assert sorted(os.listdir(tmp_path)) == ["empty", "file.txt", "full"]


def test_masks_cli_never_imports_torch(tmp_path):
    code = (
        "import sys\n"
        "import cli.main, masks\n"
        "assert 'torch' not in sys.modules, 'import'\n"
        "from click.testing import CliRunner\n"
        f"out = {str(tmp_path / 'd')!r}\n"
        "for args in (['--help'], ['masks', 'kinds'], ['masks', 'generate', '--kind', 'mixed', '--count', '3',"
        " '--size', '32', '--out', out, '--quiet'], ['masks', 'stats', out]):\n"
        "    r = CliRunner().invoke(cli.main.main, args)\n"
        "    assert r.exit_code == 0, r.output\n"
        "assert 'torch' not in sys.modules, 'cli'\n"
        "print('no torch')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "no torch" in proc.stdout


def test_preview_inside_the_output_folder_is_refused(tmp_path):
    """It used to be written among the masks, so `masks stats` counted the contact sheet as a mask."""
    out = tmp_path / "o"
    assert_clean_error(run("generate", "--kind", "block", "--count", 2, "--size", 32, "--out", out,
                           "--preview", out / "preview.png", "--quiet"), "must be outside the output folder")
    assert not out.exists()
    sheet = tmp_path / "preview.png"  # beside the folder is fine
    r = run("generate", "--kind", "block", "--count", 2, "--size", 32, "--out", out, "--preview", sheet, "--quiet")
    assert r.exit_code == 0 and sheet.exists()
    assert sorted(os.listdir(out)) == ["00000.png", "00001.png", "manifest.csv"]


def test_max_tries_also_bounds_a_fraction_range(tmp_path):
    """--max-tries used to apply to --bins only: with --min/--max-fraction the error kept saying
    "after 200 tries ... raise max_tries" however large --max-tries was."""
    args = ["generate", "--kind", "block", "--count", 2, "--size", 32, "--min-fraction", 0.2,
            "--max-fraction", 0.25, "--quiet"]
    narrow = ["generate", "--kind", "block", "--count", 2, "--size", 32, "--min-fraction", 0.2,
              "--max-fraction", 0.2005, "--quiet"]  # one 32x32 fraction (205/1024): rarely drawn
    assert_clean_error(run(*narrow, "--out", tmp_path / "a", "--max-tries", 1), "after 1 tries")
    r = run(*args, "--out", tmp_path / "b", "--max-tries", 5000)
    assert r.exit_code == 0, r.output
    with open(tmp_path / "b" / "manifest.csv") as fh:
        assert all('"max_tries": 5000' in row["params"] for row in csv.DictReader(fh))
    assert_clean_error(run(*args, "--out", tmp_path / "c", "--max-tries", 5, "--param", "max_tries=3"),
                       "max_tries given twice")
