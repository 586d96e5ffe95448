"""`inpaint train` end to end through click, and its one-line errors."""

import json
import os

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from cli.main import main

torch.set_num_threads(1)
TINY = ["--image-size", "64", "--ngf", "8", "--ndf", "8", "--n-bottleneck", "16", "--batch-size", "2",
        "--val-fraction", "0.2", "--val-max", "2"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    (root / "nested").mkdir()
    rng = np.random.default_rng(2)
    for i in range(8):
        y, x = np.mgrid[0:60 + 4 * i, 0:80]
        img = np.stack([x * 3, y * 4, (x + y + 20 * i) % 256], -1) + rng.integers(0, 10, (60 + 4 * i, 80, 3))
        Image.fromarray((img % 256).astype(np.uint8)).save(root / ("nested" if i % 2 else ".") / f"p{i}.jpg")
    (root / "corrupt.png").write_bytes(b"\x89PNG broken")
    return root


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_train_end_to_end(photos, tmp_path):
    out = tmp_path / "run"
    r = invoke("train", photos, "--out", out, *TINY, "--steps", "3", "--log-every", "1",
               "--sample-every", "2", "--val-every", "3", "--ckpt-every", "2", "--seed", "3")
    assert r.exit_code == 0, r.output
    assert "skipped 1 unreadable image file(s)" in r.output and "corrupt.png" in r.output
    assert "Telea" in r.output and "done: step 3" in r.output
    for name in ("last.pt", "step_000002.pt", "metrics.jsonl", "config.yaml", "samples/step_000002.png",
                 "samples/step_000003.png"):
        assert (out / name).is_file(), name
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert {x["kind"] for x in lines} == {"train", "val"}
    state = torch.load(out / "last.pt", weights_only=True)
    assert state["step"] == 3 and state["generator_config"]["image_size"] == 64
    assert "seed: 3" in (out / "config.yaml").read_text()

    # resume from the folder alone picks up the saved settings; --steps extends the run
    r = invoke("train", "--resume", out, "--steps", "4", "--sample-every", "0")
    assert r.exit_code == 0, r.output
    assert torch.load(out / "last.pt", weights_only=True)["step"] == 4
    # the saved config reproduces the run elsewhere
    r = invoke("train", "--config", out / "config.yaml", "--out", tmp_path / "again", "--steps", "1")
    assert r.exit_code == 0, r.output


def test_config_file_with_flag_override(photos, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'data_dir = "{photos}"\nmask = "block"\ngenerator = "unet"\nimage_size = 64\n'
                   f'ngf = 8\nbatch_size = 2\nsteps = 2\nadv_weight = 0\nval_fraction = 0.2\n')
    r = invoke("train", "--config", cfg, "--out", tmp_path / "u", "--steps", "1", "--prefill", "telea")
    assert r.exit_code == 0, r.output
    state = torch.load(tmp_path / "u" / "last.pt", weights_only=True)
    assert state["step"] == 1 and state["discriminator"] is None
    assert state["generator_config"]["mode"] == "full" and state["generator_config"]["prefill"] == "telea"


@pytest.mark.parametrize("args, message", [
    (["--image-size", "100"], "image size must be one of 64, 128, 256"),
    (["--batch-size", "0"], "batch size must be at least 1"),
    (["--val-fraction", "1.5"], "val fraction must be in [0, 1)"),
    (["--mask", "hexagon"], "unknown mask 'hexagon'"),
    (["--steps", "3", "--epochs", "1"], "not both"),
])
def test_bad_options(photos, tmp_path, args, message):
    r = invoke("train", photos, "--out", tmp_path / "x", *args)
    assert r.exit_code != 0 and message in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x").exists()


def test_bad_data_folders(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.jpg").write_bytes(b"not a jpeg")
    for folder, message in ((tmp_path / "missing", "data folder not found"), (empty, "no images"),
                            (junk, "could be read")):
        r = invoke("train", folder, "--out", tmp_path / "o")
        assert r.exit_code == 1 and "Error: " in r.output and message in r.output, r.output
        assert "Traceback" not in r.output


def test_resume_and_out_folder_errors(photos, tmp_path):
    out = tmp_path / "run"
    assert invoke("train", photos, "--out", out, *TINY, "--steps", "1").exit_code == 0
    r = invoke("train", photos, "--out", out, *TINY, "--steps", "1")
    assert r.exit_code == 1 and "is not empty" in r.output and "--overwrite" in r.output
    r = invoke("train", photos, "--resume", out, "--ngf", "16", "--steps", "2")
    assert r.exit_code == 1 and "another generator architecture" in r.output
    r = invoke("train", photos, "--resume", tmp_path / "nothing", "--out", tmp_path / "n")
    assert r.exit_code == 1 and "does not exist" in r.output
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    r = invoke("train", photos, "--resume", junk, "--out", tmp_path / "n")
    assert r.exit_code == 1 and "not an inpaint checkpoint or corrupt" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: 1\n")
    r = invoke("train", photos, "--out", tmp_path / "b", "--config", bad)
    assert r.exit_code == 1 and "unknown setting 'learning_rate'" in r.output
    r = invoke("train", photos, "--out", out, *TINY, "--steps", "1", "--overwrite")
    assert r.exit_code == 0 and sorted(p.name for p in out.glob("step_*.pt")) == ["step_000001.pt"]
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 1  # the old run's log is gone
    assert "Traceback" not in r.output


def test_resuming_into_another_non_empty_run_folder_is_refused(photos, tmp_path):
    """--resume A --out B used to write B's last.pt/config/metrics over another run held in B."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert invoke("train", photos, "--out", a, *TINY, "--steps", "2").exit_code == 0
    assert invoke("train", photos, "--out", b, *TINY, "--steps", "1", "--ngf", "4").exit_code == 0
    before = {p.name: p.read_bytes() for p in b.iterdir() if p.is_file()}
    r = invoke("train", "--resume", a, "--out", b, "--steps", "3")
    assert r.exit_code == 1 and "is not empty" in r.output and "Traceback" not in r.output
    assert {p.name: p.read_bytes() for p in b.iterdir() if p.is_file()} == before
    # asked for: B becomes the continuation of A, without B's old checkpoints and log
    r = invoke("train", "--resume", a, "--out", b, "--steps", "3", "--overwrite")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in b.glob("step_*.pt")) == ["step_000003.pt"]
    assert [json.loads(x)["step"] for x in (b / "metrics.jsonl").read_text().splitlines()] == [3]  # B's step-1 val line is gone
    # a new, empty folder is fine; continuing in place still needs no flag
    assert invoke("train", "--resume", a, "--out", tmp_path / "c", "--steps", "3").exit_code == 0
    assert invoke("train", "--resume", a / "last.pt", "--steps", "3").exit_code == 0


def test_resume_with_fewer_steps_than_done_is_an_error_that_changes_nothing(photos, tmp_path):
    """It used to report "steps 3→2", rewrite config.yaml with steps 2 and log step 3 twice."""
    out = tmp_path / "run"
    assert invoke("train", photos, "--out", out, *TINY, "--steps", "3").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    r = invoke("train", "--resume", out, "--steps", "2")
    assert r.exit_code == 1 and "at step 3, past the 2 steps asked for" in r.output
    assert "Traceback" not in r.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_run_folder_records_absolute_paths_so_resume_works_from_another_folder(photos, tmp_path, monkeypatch):
    """A relative DATA_DIR was saved as typed: --resume from another working folder then failed
    with "data folder not found"."""
    import shutil

    shutil.copytree(photos, tmp_path / "photos")
    monkeypatch.chdir(tmp_path)
    assert invoke("train", "photos", "--out", "run", *TINY, "--steps", "1").exit_code == 0
    saved = (tmp_path / "run" / "config.yaml").read_text()
    assert f"data_dir: {tmp_path / 'photos'}\n" in saved and f"out: {tmp_path / 'run'}\n" in saved
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = invoke("train", "--resume", tmp_path / "run", "--steps", "2")
    assert r.exit_code == 0 and "done: step 2" in r.output, r.output
    assert os.listdir(elsewhere) == []


def test_resume_reads_the_checkpoint_once(photos, tmp_path, monkeypatch):
    """The command read the resumed checkpoint for its settings, then the trainer read it again."""
    import inpaint.train.checkpoints as ckpt

    out = tmp_path / "run"
    assert invoke("train", photos, "--out", out, *TINY, "--steps", "1", "--sample-every", "0").exit_code == 0
    reads = []
    real = ckpt.load_checkpoint
    monkeypatch.setattr(ckpt, "load_checkpoint", lambda path: reads.append(path) or real(path))
    r = invoke("train", "--resume", out, "--steps", "2", "--sample-every", "0")
    assert r.exit_code == 0, r.output
    assert len(reads) == 1
