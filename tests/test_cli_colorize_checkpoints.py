"""`inpaint colorize` / `translate` / `eval --task colorize` with real checkpoint files, read by
:func:`inpaint.tasks.load_task_model` (tiny U-Nets saved through the checkpoint API, and one made
by a few steps of `inpaint train --task colorize`)."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cli.main import main
from inpaint.color import luminance
from test_fill_helpers import make_checkpoint, photo


def task_checkpoint(path, task: str, seed: int = 0):
    import torch

    from inpaint.checkpoint import save_checkpoint
    from inpaint.config import GeneratorConfig
    from inpaint.models import build_generator

    channels = {"colorize": (1, 2), "paired": (3, 3)}[task]
    settings = {"colorize": {"color_space": "ycbcr"}, "paired": {"direction": "AtoB"}}[task]
    torch.manual_seed(seed)
    cfg = GeneratorConfig(kind="unet", mode="full", image_size=64, ngf=8, upsample="bilinear",
                          image_channels=channels[0], out_channels=channels[1])
    model = build_generator(cfg)
    save_checkpoint(path, {"generator_config": cfg.to_dict(), "generator": model.state_dict(),
                           "discriminator_config": None, "discriminator": None, "step": 0,
                           "task": {"name": task, **settings}})
    return path


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory):
    root = tmp_path_factory.mktemp("task_ckpts")
    return {"colorize": task_checkpoint(root / "colorize.pt", "colorize"),
            "paired": task_checkpoint(root / "paired.pt", "paired"),
            "inpaint": make_checkpoint(root / "inpaint.pt", "full")}


def run(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def test_colorize_with_a_checkpoint(ckpts, tmp_path):
    grey = photo(50, 70)[:, :, 0]
    Image.fromarray(grey).save(tmp_path / "g.png")
    r = run("colorize", tmp_path / "g.png", "-o", tmp_path / "o.png", "--model", ckpts["colorize"], "--device", "cpu")
    assert r.exit_code == 0, r.output
    out = np.asarray(Image.open(tmp_path / "o.png"))
    assert out.shape == (50, 70, 3) and np.abs(luminance(out) - grey).max() <= 1.0


def test_the_loaded_engine_runs_at_the_unets_stride(ckpts):
    from inpaint.api import Colorizer
    from inpaint.errors import InpaintError

    c = Colorizer.from_checkpoint(ckpts["colorize"], device="cpu")
    assert c.engine.stride == 64 and c.engine.size == 64
    assert Colorizer.from_checkpoint(ckpts["colorize"], device="cpu", size=128).colorize(
        photo(40, 90)[:, :, 0]).shape == (40, 90, 3)
    with pytest.raises(InpaintError, match="multiple"):
        Colorizer.from_checkpoint(ckpts["colorize"], device="cpu", size=96)


def test_translate_with_a_checkpoint(ckpts, tmp_path):
    Image.fromarray(photo(45, 80)).save(tmp_path / "a.png")
    r = run("translate", tmp_path / "a.png", "-o", tmp_path / "t.png", "--model", ckpts["paired"], "--device", "cpu")
    assert r.exit_code == 0, r.output
    assert Image.open(tmp_path / "t.png").size == (80, 45)


@pytest.mark.parametrize("command, wrong", [("colorize", "paired"), ("colorize", "inpaint"),
                                            ("translate", "colorize"), ("translate", "inpaint")])
def test_a_checkpoint_of_another_task_is_one_line(ckpts, tmp_path, command, wrong):
    Image.fromarray(photo(30, 40)).save(tmp_path / "a.png")
    r = run(command, tmp_path / "a.png", "-o", tmp_path / "o.png", "--model", ckpts[wrong], "--device", "cpu")
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in r.output
    assert not (tmp_path / "o.png").exists()


def test_a_corrupt_checkpoint_is_one_line(tmp_path):
    Image.fromarray(photo(30, 40)).save(tmp_path / "a.png")
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    r = run("colorize", tmp_path / "a.png", "-o", tmp_path / "o.png", "--model", tmp_path / "bad.pt")
    assert r.exit_code == 1 and r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1


def test_eval_colorize_with_a_checkpoint(ckpts, tmp_path):
    src = tmp_path / "photos"
    src.mkdir()
    for i in range(3):
        Image.fromarray(photo(60, 80, seed=i)).save(src / f"p{i}.png")
    r = run("eval", "--task", "colorize", src, "--model", ckpts["colorize"], "-o", tmp_path / "rep",
            "--long-side", "64", "--device", "cpu", "--no-progress")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "rep" / "summary.json").is_file() and (tmp_path / "rep" / "report.html").is_file()


def test_a_trained_colorize_checkpoint(tmp_path):
    """A few steps of `inpaint train --task colorize`, then `inpaint colorize` with its last.pt."""
    photos = tmp_path / "train"
    photos.mkdir()
    for i in range(6):
        Image.fromarray(photo(70, 90, seed=i)).save(photos / f"p{i}.png")
    r = run("train", "--task", "colorize", photos, "--out", tmp_path / "run", "--image-size", "64",
            "--ngf", "8", "--ndf", "8", "--batch-size", "2", "--steps", "2", "--device", "cpu")
    assert r.exit_code == 0, r.output
    Image.fromarray(photo(40, 50)[:, :, 1]).save(tmp_path / "g.png")
    r = run("colorize", tmp_path / "g.png", "-o", tmp_path / "o.png", "--model", tmp_path / "run" / "last.pt")
    assert r.exit_code == 0, r.output
