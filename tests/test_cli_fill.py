"""`inpaint fill` through click's CliRunner: single photos, batches, bad input."""

import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cli.main import main
from test_fill_helpers import checkpoints, make_checkpoint, photo, rect_mask  # noqa: F401  (fixture)

MASK = rect_mask(48, 64, (10, 10, 30, 40))


def run(*args):
    return CliRunner().invoke(main, ["fill", *map(str, args)])


@pytest.fixture
def files(tmp_path):
    Image.fromarray(photo(48, 64)).save(tmp_path / "a.png")
    Image.fromarray(MASK).save(tmp_path / "m.png")
    return tmp_path


def _known_equal(out_path, src_path, mask=MASK):
    out, src = np.asarray(Image.open(out_path)), np.asarray(Image.open(src_path))
    return out.shape == src.shape and np.array_equal(out[mask == 0], src[mask == 0])


@pytest.mark.parametrize("refine", [[], ["--refine", "1"]])
@pytest.mark.parametrize("mode", ["center", "full"])
def test_fill_with_a_checkpoint(files, checkpoints, mode, refine):
    r = run(files / "a.png", files / "m.png", "-o", files / "o.png", "--checkpoint", checkpoints[mode],
            "--device", "cpu", "--batch-size", "2", "--threads", "1", *refine)
    assert r.exit_code == 0, r.output
    assert _known_equal(files / "o.png", files / "a.png")


def test_flip_and_no_flip(files):
    from inpaint.fill.engine import FLIP_DEFAULT

    checkpoint = make_checkpoint(files / "gain.pt", "full", gain=5)  # not a near-uniform grey output
    outs = {}
    for name, extra in (("flip", ["--flip"]), ("no-flip", ["--no-flip"]), ("default", [])):
        r = run(files / "a.png", files / "m.png", "-o", files / f"{name}.png", "--checkpoint", checkpoint,
                "--device", "cpu", "--threads", "1", *extra)
        assert r.exit_code == 0, r.output
        assert _known_equal(files / f"{name}.png", files / "a.png")
        outs[name] = np.asarray(Image.open(files / f"{name}.png"))
    assert not np.array_equal(outs["flip"], outs["no-flip"])  # a random network is not mirror-symmetric
    assert np.array_equal(outs["default"], outs["flip" if FLIP_DEFAULT else "no-flip"])
    # ignored by the classical fills, like --refine
    r = run(files / "a.png", files / "m.png", "-o", files / "t.png", "--method", "telea", "--no-flip")
    assert r.exit_code == 0 and _known_equal(files / "t.png", files / "a.png"), r.output
    # the help states the engine's default (the CLI cannot import it without loading torch)
    help_text = " ".join(CliRunner().invoke(main, ["fill", "--help"]).output.split())
    assert "--flip / --no-flip" in help_text and f"Default: {'on' if FLIP_DEFAULT else 'off'}." in help_text


@pytest.mark.parametrize("method", ["telea", "ns"])
def test_classical_default_output_name_and_compare(files, method):
    r = run(files / "a.png", files / "m.png", "--method", method, "--compare", files / "cmp.png")
    assert r.exit_code == 0, r.output
    out = files / "a_filled.png"
    assert _known_equal(out, files / "a.png")
    cmp = Image.open(files / "cmp.png")
    assert cmp.height == 48 and cmp.width > 3 * 64
    assert not np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(files / "a.png")))


def test_refuses_to_overwrite_unless_asked(files):
    (files / "o.png").write_bytes(b"keep me")
    r = run(files / "a.png", files / "m.png", "-o", files / "o.png", "--method", "telea")
    assert r.exit_code == 1 and "already exists" in r.output and "Traceback" not in r.output
    assert (files / "o.png").read_bytes() == b"keep me"
    r = run(files / "a.png", files / "m.png", "-o", files / "a.png", "--method", "telea")
    assert r.exit_code == 1 and "input photo itself" in r.output
    r = run(files / "a.png", files / "m.png", "-o", files / "o.png", "--method", "telea", "--overwrite")
    assert r.exit_code == 0 and _known_equal(files / "o.png", files / "a.png")


def test_model_without_checkpoint_says_checkpoint_is_required(files):
    r = run(files / "a.png", files / "m.png", "-o", files / "o.png")
    assert r.exit_code == 1 and "--checkpoint is required" in r.output
    assert not (files / "o.png").exists()


@pytest.mark.parametrize("args, message", [
    (["missing.png", "m.png"], "photo not found"),
    (["a.png", "missing.png"], "mask file not found"),
    (["a.png", "m.png", "--checkpoint", "m.png"], "not an inpaint checkpoint or corrupt"),
    (["a.png", "m.png", "--checkpoint", "nope.pt"], "checkpoint not found"),
    (["a.png", "m.png", "-o", "nodir/o.png", "--method", "telea"], "does not exist"),
    (["a.png", "m.png", "-o", "o.xyz", "--method", "telea"], "unknown extension"),
    (["a.png", "small.png", "--method", "telea"], "use --resize-mask"),
    (["a.png", "full.png", "--method", "telea"], "nothing to fill from"),
    (["bad.png", "m.png", "--method", "telea"], "cannot read photo"),
    (["a.png", "bad.png", "--method", "telea"], "mask"),
])
def test_bad_input_is_one_line_error(files, monkeypatch, args, message):
    Image.fromarray(rect_mask(24, 32, (1, 1, 5, 5))).save(files / "small.png")
    Image.fromarray(np.full((48, 64), 255, np.uint8)).save(files / "full.png")
    (files / "bad.png").write_bytes(b"\x89PNG broken")
    monkeypatch.chdir(files)
    before = sorted(p.name for p in files.iterdir())
    r = run(*args)
    assert r.exit_code == 1, r.output
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert sorted(p.name for p in files.iterdir()) == before  # nothing written half-way


def test_resize_invert_dilate_and_empty_mask(files):
    Image.fromarray(rect_mask(24, 32, (5, 5, 15, 20))).save(files / "small.png")
    r = run(files / "a.png", files / "small.png", "--resize-mask", "--dilate", "2", "--method", "telea",
            "-o", files / "r.png")
    assert r.exit_code == 0, r.output
    big = np.kron(rect_mask(24, 32, (5, 5, 15, 20)), np.ones((2, 2), np.uint8))
    assert _known_equal(files / "r.png", files / "a.png", (big > 0) | _grown(big))
    src, out = np.asarray(Image.open(files / "a.png")), np.asarray(Image.open(files / "r.png"))
    assert not np.array_equal(out[9, 12], src[9, 12])  # the dilated rim was filled too
    Image.fromarray(255 - MASK).save(files / "inv.png")
    r = run(files / "a.png", files / "inv.png", "--invert", "--method", "telea", "-o", files / "i.png")
    assert r.exit_code == 0 and _known_equal(files / "i.png", files / "a.png")
    Image.fromarray(np.zeros((48, 64), np.uint8)).save(files / "empty.png")
    r = run(files / "a.png", files / "empty.png", "--method", "telea", "-o", files / "e.png")
    assert r.exit_code == 0 and "empty" in r.output
    assert np.array_equal(np.asarray(Image.open(files / "e.png")), np.asarray(Image.open(files / "a.png")))


def _grown(mask):
    import cv2

    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))) > 0


def test_rgba_grey_and_exif_rotated_photos(files, checkpoints):
    rgba = Image.fromarray(photo(48, 64)).convert("RGBA")
    rgba.putalpha(Image.fromarray(np.full((48, 64), 77, np.uint8)))
    rgba.save(files / "rgba.png")
    Image.fromarray(photo(48, 64)).convert("L").save(files / "grey.png")
    exif = Image.Exif()
    exif[0x0112] = 8  # rotate 90° CCW for display: stored 64 high × 48 wide
    Image.fromarray(photo(64, 48)).save(files / "rot.png", exif=exif.tobytes())
    Image.fromarray(photo(48, 64)).convert("P").save(files / "pal.png")
    Image.fromarray(photo(48, 64)[..., 0].astype(np.uint16) * 251).save(files / "deep.png")
    for name, mode in (("rgba", "RGBA"), ("grey", "L"), ("rot", "RGB"), ("pal", "P"), ("deep", "I;16")):
        r = run(files / f"{name}.png", files / "m.png", "--checkpoint", checkpoints["full"], "--device", "cpu")
        assert r.exit_code == 0, r.output
        out = Image.open(files / f"{name}_filled.png")
        assert out.mode == mode and out.size == (64, 48)
        if name in ("pal", "deep", "grey", "rgba"):
            assert _known_equal(files / f"{name}_filled.png", files / f"{name}.png")
    assert (np.asarray(Image.open(files / "rgba_filled.png"))[..., 3] == 77).all()
    shown = np.asarray(Image.open(files / "rot.png").transpose(Image.Transpose.ROTATE_90))
    assert np.array_equal(np.asarray(Image.open(files / "rot_filled.png"))[MASK == 0], shown[MASK == 0])


def test_batch_with_matching_masks_a_failure_and_a_skip(files, checkpoints):
    photos, masks, out = files / "photos", files / "masks", files / "out"
    photos.mkdir(), masks.mkdir()
    for stem in ("p1", "p2", "p3"):
        Image.fromarray(photo(48, 64, seed=len(stem))).save(photos / f"{stem}.jpg", quality=95)
    (photos / "broken.png").write_bytes(b"not a png")
    Image.fromarray(MASK).save(masks / "p1.png")
    Image.fromarray(MASK).save(masks / "p2.png")
    Image.fromarray(MASK).save(masks / "broken.png")
    r = run(photos, masks, "-o", out, "--checkpoint", checkpoints["center"], "--device", "cpu",
            "--compare", files / "cmp")
    assert r.exit_code == 1
    assert "filled 2, skipped 1, failed 1" in r.output
    assert "failed broken.png" in r.output and "skipped p3.jpg" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["p1.png", "p2.png"]
    assert sorted(p.name for p in (files / "cmp").iterdir()) == ["p1.png", "p2.png"]
    assert _known_equal(out / "p1.png", photos / "p1.jpg")
    # a second run does not overwrite: every photo is reported, nothing replaced
    r = run(photos, masks, "-o", out, "--method", "telea")
    assert r.exit_code == 1 and "already exists" in r.output


def test_batch_with_one_mask_for_every_photo(files):
    photos = files / "photos"
    photos.mkdir()
    for stem in ("x", "y"):
        Image.fromarray(photo(48, 64)).save(photos / f"{stem}.png")
    r = run(photos, files / "m.png", "--method", "ns")
    assert r.exit_code == 0, r.output
    assert "filled 2, skipped 0, failed 0" in r.output
    assert sorted(p.name for p in (files / "photos_filled").iterdir()) == ["x.png", "y.png"]


def test_fill_help_and_import_do_not_load_torch():
    code = ("import sys; from click.testing import CliRunner; from cli.main import main; "
            "r = CliRunner().invoke(main, ['fill', '--help']); assert r.exit_code == 0, r.output; "
            "assert '--checkpoint' in r.output; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_compare_on_the_output_itself_is_refused(files):
    # regression: `-o x.png --compare x.png --overwrite` replaced the fill by the comparison
    for extra in ([], ["--overwrite"]):
        r = run(files / "a.png", files / "m.png", "--method", "telea", "-o", files / "o.png",
                "--compare", files / "o.png", *extra)
        assert r.exit_code == 1 and "output file itself" in r.output, r.output
        assert not (files / "o.png").exists()


def test_batch_compare_folder_must_differ_from_output_folder(files):
    photos = files / "photos"
    photos.mkdir()
    Image.fromarray(photo(48, 64)).save(photos / "x.png")
    r = run(photos, files / "m.png", "--method", "telea", "-o", files / "out", "--compare", files / "out",
            "--overwrite")
    assert r.exit_code == 1 and "another folder" in r.output, r.output
    assert not (files / "out").exists()
    (files / "afile.png").write_bytes(b"keep")
    r = run(photos, files / "m.png", "--method", "telea", "-o", files / "afile.png")
    assert r.exit_code == 1 and "must be a folder" in r.output and "Traceback" not in r.output
    assert (files / "afile.png").read_bytes() == b"keep"


def test_batch_photos_sharing_a_stem_do_not_overwrite_each_other(files):
    # regression: a.jpg and a.png both wrote out/a.png; with --overwrite the second replaced the first
    photos = files / "photos"
    photos.mkdir()
    Image.fromarray(photo(48, 64, seed=1)).save(photos / "a.jpg", quality=95)
    Image.fromarray(photo(48, 64, seed=2)).save(photos / "a.png")
    r = run(photos, files / "m.png", "--method", "telea", "-o", files / "out", "--overwrite")
    assert r.exit_code == 1
    assert "filled 1, skipped 0, failed 1" in r.output and "two photos named a.*" in r.output
    assert _known_equal(files / "out" / "a.png", photos / "a.jpg")


def test_checkpoint_folder_is_a_clear_error(files, checkpoints):
    run_dir = files / "run"
    run_dir.mkdir()
    (run_dir / "last.pt").write_bytes(checkpoints["full"].read_bytes())
    r = run(files / "a.png", files / "m.png", "--checkpoint", run_dir, "-o", files / "o.png")
    assert r.exit_code == 1 and "is a folder" in r.output and "last.pt" in r.output, r.output


def test_batch_with_one_unreadable_mask_fails_once_before_writing(files):
    photos = files / "photos"
    photos.mkdir()
    Image.fromarray(photo(48, 64)).save(photos / "x.png")
    (files / "bad.png").write_bytes(b"\x89PNG broken")
    r = run(photos, files / "bad.png", "--method", "telea", "-o", files / "out")
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    assert r.output.startswith("Error: cannot read mask") and len(r.output.strip().splitlines()) == 1
    assert not (files / "out").exists()


def test_outputs_never_replace_the_masks(files):
    r = run(files / "a.png", files / "m.png", "--method", "telea", "-o", files / "m.png", "--overwrite")
    assert r.exit_code == 1 and "is the mask itself" in r.output, r.output
    assert np.array_equal(np.asarray(Image.open(files / "m.png")), MASK)
    photos, masks = files / "photos", files / "masks"
    photos.mkdir(), masks.mkdir()
    Image.fromarray(photo(48, 64)).save(photos / "x.jpg")
    Image.fromarray(MASK).save(masks / "x.png")
    r = run(photos, masks, "--method", "telea", "-o", masks, "--overwrite")
    assert r.exit_code == 1 and "is the mask folder" in r.output, r.output
    assert np.array_equal(np.asarray(Image.open(masks / "x.png")), MASK)
