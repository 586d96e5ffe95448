"""`inpaint colorize` / `inpaint translate` through click's CliRunner, with tiny networks put in
place of checkpoint loading (:func:`inpaint.colorize.model.load_task`, the one place that reads
checkpoints; the checkpoint files themselves are tested in test_cli_colorize_checkpoints.py)."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cli.main import main
from colorize_helpers import TinyChroma, TinyPaired
from inpaint.color import luminance
from inpaint.errors import CheckpointError
from test_fill_helpers import photo

SIZE = 32


@pytest.fixture
def models(monkeypatch, tmp_path):
    """``colorize.pt`` / ``paired.pt`` files the fake loader accepts (anything else: the real
    wording of a missing or wrong checkpoint)."""
    import inpaint.colorize.model as model_mod

    def fake_load(path, device, task):
        if not path.is_file():
            raise CheckpointError(f"checkpoint not found: {path}")
        kind = path.read_text()
        if kind != task:
            raise CheckpointError(f"{path} is a {kind} model; this command needs a {task} one")
        net = TinyChroma(gain=3.0) if task == "colorize" else TinyPaired()
        return net.eval(), SIZE, SIZE, {}

    monkeypatch.setattr(model_mod, "load_task", fake_load)
    (tmp_path / "colorize.pt").write_text("colorize")
    (tmp_path / "paired.pt").write_text("paired")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def _lum(path):
    return luminance(np.asarray(Image.open(path).convert("RGB")))


def test_colorize_a_grey_photo_keeps_its_luminance(models):
    grey = photo(48, 64)[:, :, 1]
    Image.fromarray(grey).save(models / "g.png")
    r = run("colorize", models / "g.png", "-o", models / "o.png", "--model", models / "colorize.pt")
    assert r.exit_code == 0, r.output
    out = Image.open(models / "o.png")
    assert out.mode == "RGB" and out.size == (64, 48)
    assert np.abs(_lum(models / "o.png") - grey).max() <= 1.0
    assert "wrote" in r.output


def test_colorize_an_rgb_photo_takes_its_luminance(models):
    rgb = photo(40, 50)
    Image.fromarray(rgb).save(models / "c.png")
    r = run("colorize", models / "c.png", "--model", models / "colorize.pt")
    assert r.exit_code == 0, r.output
    assert "its own colours are not used" in r.output
    assert np.abs(_lum(models / "c_colorized.png") - luminance(rgb)).max() <= 1.0


def test_16_bit_grey_and_rgba(models):
    rng = np.random.default_rng(0)
    g16 = rng.integers(0, 65536, (30, 41), dtype=np.uint16)
    Image.fromarray(g16).save(models / "g16.png")
    r = run("colorize", models / "g16.png", "-o", models / "o16.png", "--model", models / "colorize.pt")
    assert r.exit_code == 0, r.output
    assert "16-bit" in r.output and Image.open(models / "o16.png").mode == "RGB"
    assert np.abs(_lum(models / "o16.png") - np.round(g16 / 257.0)).max() <= 1.0
    rgba = np.dstack([photo(30, 40), rng.integers(0, 256, (30, 40), dtype=np.uint8)])
    Image.fromarray(rgba, "RGBA").save(models / "a.png")
    r = run("colorize", models / "a.png", "-o", models / "oa.png", "--model", models / "colorize.pt")
    assert r.exit_code == 0, r.output
    out = np.asarray(Image.open(models / "oa.png"))
    assert out.shape == (30, 40, 4) and np.array_equal(out[:, :, 3], rgba[:, :, 3])


def test_exif_rotated_photo_comes_back_as_displayed(models):
    stored = photo(40, 64)[:, :, 0]  # stored 64 wide, 40 high; orientation 6: displayed 40×64
    img = Image.fromarray(stored)
    exif = img.getexif()
    exif[0x0112] = 6
    img.save(models / "rot.png", exif=exif.tobytes())
    r = run("colorize", models / "rot.png", "-o", models / "o.png", "--model", models / "colorize.pt")
    assert r.exit_code == 0, r.output
    out = Image.open(models / "o.png")
    assert out.size == (40, 64)
    assert out.getexif().get(0x0112, 1) == 1
    displayed = np.asarray(Image.open(models / "rot.png").transpose(Image.Transpose.ROTATE_270))
    assert np.abs(_lum(models / "o.png") - displayed).max() <= 1.0


def test_folders_in_and_out_and_overwrite(models):
    src = models / "photos"
    src.mkdir()
    Image.fromarray(photo(30, 40)).save(src / "a.png")
    Image.fromarray(photo(20, 25)[:, :, 0]).save(src / "b.jpg")
    (src / "notes.txt").write_text("not a photo")
    r = run("colorize", src, "-o", models / "out", "--model", models / "colorize.pt")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (models / "out").iterdir()) == ["a.png", "b.png"]
    assert "colorized 2, failed 0" in r.output
    before = (models / "out" / "a.png").read_bytes()
    r = run("colorize", src, "-o", models / "out", "--model", models / "colorize.pt")
    assert r.exit_code == 1 and "already exists" in r.output and "failed 2" in r.output
    assert (models / "out" / "a.png").read_bytes() == before
    r = run("colorize", src, "-o", models / "out", "--model", models / "colorize.pt", "--overwrite", "--strength", "0")
    assert r.exit_code == 0, r.output
    assert (models / "out" / "a.png").read_bytes() != before


def test_single_output_is_not_overwritten(models):
    Image.fromarray(photo(30, 40)).save(models / "a.png")
    (models / "o.png").write_bytes(b"keep me")
    r = run("colorize", models / "a.png", "-o", models / "o.png", "--model", models / "colorize.pt")
    assert r.exit_code == 1 and "already exists" in r.output and "Traceback" not in r.output
    assert (models / "o.png").read_bytes() == b"keep me"
    r = run("colorize", models / "a.png", "-o", models / "a.png", "--model", models / "colorize.pt")
    assert r.exit_code == 1 and "input photo itself" in r.output


def test_jpeg_output_is_noted(models):
    Image.fromarray(photo(30, 40)).save(models / "a.png")
    r = run("colorize", models / "a.png", "-o", models / "o.jpg", "--model", models / "colorize.pt")
    assert r.exit_code == 0 and "lossy" in r.output, r.output


@pytest.mark.parametrize("case", ["missing photo", "not an image", "bad extension", "no default model",
                                  "missing model", "wrong task", "bad size", "empty folder"])
def test_bad_input_is_one_line(models, case):
    Image.fromarray(photo(30, 40)).save(models / "a.png")
    (models / "fake.png").write_text("hello")
    (models / "empty").mkdir()
    args = {
        "missing photo": [models / "nope.png", "--model", models / "colorize.pt"],
        "not an image": [models / "fake.png", "-o", models / "o.png", "--model", models / "colorize.pt"],
        "bad extension": [models / "a.png", "-o", models / "o.xyz", "--model", models / "colorize.pt"],
        "no default model": [models / "a.png", "-o", models / "o.png"],
        "missing model": [models / "a.png", "-o", models / "o.png", "--model", models / "nope.pt"],
        "wrong task": [models / "a.png", "-o", models / "o.png", "--model", models / "paired.pt"],
        "bad size": [models / "a.png", "-o", models / "o.png", "--model", models / "colorize.pt", "--size", "48"],
        "empty folder": [models / "empty", "--model", models / "colorize.pt"],
    }[case]
    r = run("colorize", *args)
    assert r.exit_code != 0
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    if case == "no default model":
        assert "--model is required" in lines[0]
    assert not (models / "o.png").exists()


def test_translate_one_photo_and_a_folder(models):
    Image.fromarray(photo(45, 70)).save(models / "a.png")
    r = run("translate", models / "a.png", "-o", models / "t.png", "--model", models / "paired.pt")
    assert r.exit_code == 0, r.output
    assert Image.open(models / "t.png").size == (70, 45)
    src = models / "photos"
    src.mkdir()
    Image.fromarray(photo(30, 40)).save(src / "x.png")
    r = run("translate", src, "--model", models / "paired.pt", "--fit", "stretch")
    assert r.exit_code == 0, r.output
    assert (models / "photos_translated" / "x.png").is_file()
    r = run("translate", models / "a.png", "-o", models / "t2.png", "--model", models / "colorize.pt")
    assert r.exit_code == 1 and r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1
    r = run("translate", models / "a.png")
    assert r.exit_code != 0 and "--model" in r.output


def test_help_lists_the_commands():
    r = run("--help")
    assert "colorize" in r.output and "translate" in r.output


def test_the_cli_choices_are_the_engines():
    import cli.colorize_cmd as cmd
    from inpaint.colorize import engine, translate

    assert (cmd.UPSAMPLERS, cmd.FITS, cmd.MAX_STRENGTH) == (engine.UPSAMPLERS, translate.FITS, engine.MAX_STRENGTH)
    assert (cmd.UPSAMPLERS[0], cmd.FITS[0]) == (engine.DEFAULT_UPSAMPLER, translate.DEFAULT_FIT)
