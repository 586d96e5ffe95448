"""The defects of issue 12, one test each: what a full disk, a kill, a diverged model, a lossy
format or Ctrl-C did, and what must happen instead."""

import json
import os
import signal

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import inpaint.train.step as step_module
from cli.main import main
from faults import fill_disk, killed_write_leftover, torn_appends
from inpaint.checkpoint import load_checkpoint, save_checkpoint
from inpaint.errors import CheckpointError, TrainingError
from inpaint.train import build_config, run_training
from inpaint.train.checkpoints import load_resume_state
from test_fill_helpers import make_checkpoint, photo, rect_mask

torch.set_num_threads(1)
MASK = rect_mask(48, 64, (10, 10, 30, 40))
TINY = ["--image-size", "64", "--ngf", "8", "--ndf", "8", "--n-bottleneck", "16", "--batch-size", "2",
        "--val-fraction", "0", "--sample-every", "0", "--val-every", "0", "--log-every", "1"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error(result, *needles):
    """The promise for a refused input: exit non-zero, one `Error:` line, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    for i in range(4):
        Image.fromarray(photo(70, 90, seed=i)).save(root / f"p{i}.png")
    return root


def tiny(photos, out, **kw):
    settings = {"data_dir": str(photos), "out": str(out), "image_size": 64, "ngf": 8, "ndf": 8,
                "n_bottleneck": 16, "batch_size": 2, "steps": 3, "log_every": 1, "sample_every": 0,
                "val_every": 0, "ckpt_every": 1, "val_fraction": 0.0, "keep": 3}
    settings.update(kw)
    return build_config(settings)


# -- 1. masks generate --overwrite --------------------------------------------------------
def test_masks_overwrite_keeps_what_the_user_had(tmp_path):
    out = tmp_path / "d"
    assert invoke("masks", "generate", "--kind", "center", "--count", "3", "--size", "32", "--out", out,
                  "--quiet").exit_code == 0
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (out / "sub" / "x.png").write_bytes(b"mine too")
    one_error(invoke("masks", "generate", "--kind", "block", "--count", "2", "--size", "32", "--out", out,
                     "--overwrite", "--quiet"), "did not write")
    assert (out / "notes.txt").read_text() == "mine" and (out / "sub" / "x.png").read_bytes() == b"mine too"
    assert sorted(p.name for p in out.glob("0*.png")) == ["00000.png", "00001.png", "00002.png"]


def test_masks_overwrite_replaces_an_old_dataset_whole_and_works_in_the_current_folder(tmp_path, monkeypatch):
    out = tmp_path / "d"
    out.mkdir()
    monkeypatch.chdir(out)
    # `--out .` renamed the folder itself away: "Device or resource busy"
    assert invoke("masks", "generate", "--kind", "center", "--count", "3", "--size", "32", "--out", ".",
                  "--quiet").exit_code == 0
    r = invoke("masks", "generate", "--kind", "block", "--count", "2", "--size", "32", "--out", ".",
               "--overwrite", "--quiet")
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir(out)) == ["00000.png", "00001.png", "manifest.csv"]
    assert "block" in (out / "manifest.csv").read_text()


def test_masks_generate_removes_the_temporary_folders_of_a_killed_run(tmp_path):
    out = tmp_path / "d"
    (tmp_path / ".d.tmp-k1ll3dxx").mkdir()
    (tmp_path / ".d.tmp-k1ll3dxx" / "00000.png").write_bytes(b"x")
    (tmp_path / ".other.tmp-k1ll3dxx").mkdir()  # another target's: not ours to remove
    assert invoke("masks", "generate", "--kind", "center", "--count", "2", "--size", "32", "--out", out,
                  "--quiet").exit_code == 0
    assert sorted(os.listdir(tmp_path)) == [".other.tmp-k1ll3dxx", "d"]
    (out / ".masks-generate-k1ll3dxx").mkdir()  # killed while overwriting in place
    assert invoke("masks", "generate", "--kind", "center", "--count", "2", "--size", "32", "--out", out,
                  "--overwrite", "--quiet").exit_code == 0
    assert sorted(os.listdir(out)) == ["00000.png", "00001.png", "manifest.csv"]


# -- 2. non-finite weights after a finite loss; absurd learning rates -----------------------
@pytest.mark.parametrize("lr", ["inf", "nan", "-inf", "0", "-1"])
def test_non_finite_and_non_positive_learning_rates_are_refused(photos, tmp_path, lr):
    one_error(invoke("train", photos, "--out", tmp_path / "r", *TINY, "--steps", "1", "--lr", lr), "lr")
    assert not (tmp_path / "r").exists()


def test_a_step_that_breaks_the_weights_stops_the_run_and_saves_nothing_broken(photos, tmp_path):
    out = tmp_path / "r"
    run_training(tiny(photos, out, steps=2, adv_weight=0.0))
    # finite, but an Adam step of 1e39 overflows float32: the loss at step 3 is still finite
    with pytest.raises(TrainingError, match="step 3 diverged: the weights became non-finite") as info:
        run_training(tiny(photos, out, steps=4, adv_weight=0.0, lr=1e39), resume=out)
    assert "intact" in str(info.value)
    state = load_resume_state(out)  # the message's promise: it resumes
    assert state["step"] == 2
    assert all(torch.isfinite(t).all() for t in state["generator"].values())


# -- 3. fill with a non-finite checkpoint ------------------------------------------------------
def _nan_checkpoint(path, everywhere=True):
    make_checkpoint(path, "full")
    state = load_checkpoint(path)
    for name, t in state["generator"].items():
        if t.is_floating_point():
            t.fill_(float("nan"))
            if not everywhere:
                break
    save_checkpoint(path, {k: v for k, v in state.items() if k not in ("format", "version")})
    return path


def test_fill_refuses_a_non_finite_checkpoint(tmp_path):
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    ckpt = _nan_checkpoint(tmp_path / "nan.pt")
    one_error(invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png",
                     "--checkpoint", ckpt, "--device", "cpu"), "non-finite")
    assert not (tmp_path / "o.png").exists()


def test_fill_refuses_non_finite_predictions(tmp_path, monkeypatch):
    from inpaint.fill.engine import ModelFiller

    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    ckpt = make_checkpoint(tmp_path / "ok.pt", "full")
    real = ModelFiller.__init__

    def poisoned(self, model, *args, **kwargs):  # finite weights, an output that overflows
        real(self, _Overflow(model), *args, **kwargs)

    monkeypatch.setattr(ModelFiller, "__init__", poisoned)
    one_error(invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png",
                     "--checkpoint", ckpt, "--device", "cpu"), "non-finite")
    assert not (tmp_path / "o.png").exists()


class _Overflow(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x) * float("inf")


# -- 4. a full disk while writing: one line naming the file ------------------------------------
def test_full_disk_while_saving_a_checkpoint(photos, tmp_path, monkeypatch):
    out = tmp_path / "r"
    fill_disk(monkeypatch, room=1000, only=".pt")
    line = one_error(invoke("train", photos, "--out", out, *TINY, "--steps", "1"), "disk is full", "ENOSPC")
    assert ".pt" in line
    assert not [p for p in out.iterdir() if p.name.endswith(".pt")]  # no half checkpoint, no temp file


def test_full_disk_while_writing_a_fill_names_the_file(tmp_path, monkeypatch):
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    fill_disk(monkeypatch, room=50)
    one_error(invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png", "--method", "telea"),
              str(tmp_path / "o.png"), "disk is full")
    assert sorted(os.listdir(tmp_path)) == ["a.png", "m.png"]


def test_full_disk_on_the_comparison_still_reports_the_written_fill(tmp_path, monkeypatch):
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    fill_disk(monkeypatch, room=50, only="c.png")
    r = invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png", "--method", "telea",
               "--compare", tmp_path / "c.png")
    one_error(r, "c.png", "disk is full")
    assert f"wrote {tmp_path / 'o.png'}" in r.output and (tmp_path / "o.png").is_file()


def test_full_disk_while_generating_masks(tmp_path, monkeypatch):
    import masks.dataset

    def full(*args, **kwargs):
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(masks.dataset, "encode_png", full)
    one_error(invoke("masks", "generate", "--kind", "center", "--count", "2", "--size", "32",
                     "--out", tmp_path / "d", "--quiet"), str(tmp_path / "d"), "disk is full")
    assert os.listdir(tmp_path) == []


# -- 5. last.pt is a real spare; a damaged last.pt falls back ---------------------------------
def test_last_is_an_independent_copy_and_resume_falls_back(photos, tmp_path):
    out = tmp_path / "r"
    run_training(tiny(photos, out, steps=2))
    last, newest = out / "last.pt", out / "step_000002.pt"
    assert last.read_bytes() == newest.read_bytes()
    assert os.stat(last).st_ino != os.stat(newest).st_ino and os.stat(newest).st_nlink == 1
    last.write_bytes(last.read_bytes()[:500])  # damaged: the numbered file must not be
    assert load_checkpoint(newest)["step"] == 2
    r = invoke("train", "--resume", out, "--steps", "3")
    assert r.exit_code == 0, r.output
    assert f"resuming from {newest}" in r.output
    assert load_checkpoint(last)["step"] == 3


def test_resume_with_no_intact_checkpoint_is_one_line(photos, tmp_path):
    out = tmp_path / "r"
    run_training(tiny(photos, out, steps=1))
    for p in out.glob("*.pt"):
        p.write_bytes(b"garbage")
    one_error(invoke("train", "--resume", out, "--steps", "2"), "no intact step_*.pt")


# -- 6. metrics.jsonl: whole lines or nothing; resume repairs a torn tail ----------------------
def test_a_failed_append_leaves_no_torn_line(tmp_path, monkeypatch):
    from inpaint.train.logging import RunLog

    log = RunLog(tmp_path, 10, 0)
    log.record("train", 1, {"loss": 1.0})
    with monkeypatch.context() as m:
        torn_appends(m)
        with pytest.raises(OSError) as info:
            log.record("train", 2, {"loss": 0.5})
    log.close()
    assert info.value.filename == str(tmp_path / "metrics.jsonl")
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines(keepends=True)
    assert len(lines) == 1 and json.loads(lines[0])["step"] == 1 and lines[0].endswith("\n")


def test_resume_repairs_a_torn_metrics_tail(photos, tmp_path):
    out = tmp_path / "r"
    run_training(tiny(photos, out, steps=2))
    with open(out / "metrics.jsonl", "a") as fh:
        fh.write('{"kind": "train", "st')  # what a full disk or a kill mid-append left
    run_training(tiny(photos, out, steps=3), resume=out)
    records = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2, 3]


# -- 7. temporary files of killed writes are removed by the next write of the same target -----
def test_killed_checkpoint_writes_are_cleaned_on_resume(photos, tmp_path):
    out = tmp_path / "r"
    run_training(tiny(photos, out, steps=1))
    (out / "samples").mkdir(exist_ok=True)
    leftovers = [killed_write_leftover(out / "last.pt"), killed_write_leftover(out / "step_000007.pt"),
                 killed_write_leftover(out / "samples" / "step_000001.png")]
    mine = out / ".last.pt.notes"  # not the toolkit's pattern
    mine.write_text("keep")
    run_training(tiny(photos, out, steps=2), resume=out)
    assert not any(p.exists() for p in leftovers) and mine.read_text() == "keep"


def test_killed_fill_writes_are_cleaned_on_overwrite(tmp_path):
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    leftover = killed_write_leftover(tmp_path / "h.png")
    other = killed_write_leftover(tmp_path / "other.png")
    r = invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "h.png", "--method", "telea")
    assert r.exit_code == 0, r.output
    assert not leftover.exists() and other.exists()


# -- 8. lossy outputs say so; WebP is lossless -------------------------------------------------
def test_jpeg_output_notes_that_known_pixels_change_and_webp_is_exact(tmp_path):
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    r = invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.jpg", "--method", "telea")
    assert r.exit_code == 0, r.output
    notes = [line for line in r.output.splitlines() if "lossy" in line]
    assert len(notes) == 1 and ".png" in notes[0] and "webp" in notes[0].lower()
    r = invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.webp", "--method", "telea")
    assert r.exit_code == 0 and "lossy" not in r.output, r.output
    out, src = np.asarray(Image.open(tmp_path / "o.webp").convert("RGB")), np.asarray(Image.open(tmp_path / "a.png"))
    assert np.array_equal(out[MASK == 0], src[MASK == 0])


def test_lossless_webp_keeps_transparent_pixels_exact(tmp_path):
    rgba = np.dstack([photo(48, 64), np.where(np.arange(64) < 20, 0, 255).astype(np.uint8)[None].repeat(48, 0)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    assert invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.webp",
                  "--method", "telea").exit_code == 0
    out = np.asarray(Image.open(tmp_path / "o.webp"))
    assert np.array_equal(out[MASK == 0], rgba[MASK == 0])


# -- smaller ones --------------------------------------------------------------------------------
def test_ctrl_c_saves_the_finished_steps_and_says_how_to_resume(photos, tmp_path, monkeypatch):
    out = tmp_path / "r"
    real = step_module.StepRunner.step
    calls = {"n": 0}

    def step(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            signal.raise_signal(signal.SIGINT)  # arrives during step 2: that step still completes
        return real(self, batch)

    monkeypatch.setattr(step_module.StepRunner, "step", step)
    line = one_error(invoke("train", photos, "--out", out, *TINY, "--steps", "5", "--ckpt-every", "0"),
                     "interrupted at step 2", "--resume")
    assert str(out / "last.pt") in line and load_checkpoint(out / "last.pt")["step"] == 2


def test_cli_gives_the_exif_hint_for_a_mask_in_the_stored_orientation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 64 wide × 48 high, displayed 48 × 64
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png", exif=exif.tobytes())
    Image.fromarray(MASK).save(tmp_path / "m.png")  # 64 × 48: the stored pixels
    one_error(invoke("fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png", "--method", "telea"),
              "EXIF orientation 6", "as displayed")


def test_mixed_generator_reports_its_parameters():
    import masks

    gen = masks.make_generator("mixed", kinds={"center": 1, "thin": 2}, params={"center": {"overlap": 2}})
    assert gen.params() == {"kinds": {"center": 1, "thin": 2}, "params": {"center": {"overlap": 2}}}
    again = masks.make_generator("mixed", **gen.params())
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    assert np.array_equal(gen(64, 64, rng_a), again(64, 64, rng_b))
    assert masks.make_generator("mixed", min_fraction=0.01).params()["min_fraction"] == 0.01


def test_non_finite_resume_state_is_refused(tmp_path):
    path = _nan_checkpoint(tmp_path / "nan.pt")
    state = load_checkpoint(path)
    state.update(step=1, optimizer_g={}, train_config={})
    save_checkpoint(tmp_path / "t.pt", {k: v for k, v in state.items() if k not in ("format", "version")})
    with pytest.raises(CheckpointError, match="non-finite"):
        load_resume_state(tmp_path / "t.pt")


def test_finiteness_check_sees_nan_and_inf_and_ignores_integer_buffers():
    from inpaint.finite import all_finite

    ok = [torch.ones(3), torch.full((2, 2), -3e37), torch.tensor([7], dtype=torch.long)]
    assert all_finite(ok) and all_finite([])
    for bad in (float("nan"), float("inf"), float("-inf")):
        assert not all_finite(ok + [torch.tensor([1.0, bad])])


def test_a_real_sigkill_mid_write_leaves_a_temp_file_that_the_next_write_removes(tmp_path):
    import subprocess
    import sys

    from masks.atomic import write_bytes_atomic

    target = tmp_path / "h.png"
    child = ("import sys, time\nfrom masks.atomic import atomic_open\n"
             f"with atomic_open({str(target)!r}) as fh:\n"
             "    fh.write(b'half'); fh.flush(); print('writing', flush=True); time.sleep(60)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.kill()
    finally:
        proc.wait()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".h.png.") and not target.exists()
    write_bytes_atomic(target, b"whole")
    assert [p.name for p in tmp_path.iterdir()] == ["h.png"] and target.read_bytes() == b"whole"
