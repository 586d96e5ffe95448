"""The README's promise, case by case, through the command line as a user meets it.

Every case is one bad (or merely unusual) input. Each must give either a correct result, or
exactly one ``Error: …`` line and a non-zero exit with no traceback; in both cases nothing the
user had is lost (every file that existed before is byte-identical after, unless the case
asked for ``--overwrite``), and no temporary file is left behind.

Images are tiny and "huge" is simulated, so the whole table runs in a few seconds.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from cli.main import main
from faults import fill_disk, killed_write_leftover
from test_fill_helpers import make_checkpoint, photo, rect_mask

torch.set_num_threads(1)
H, W = 48, 64
MASK = rect_mask(H, W, (10, 10, 30, 40))
RGB = photo(H, W)


# -- building blocks -----------------------------------------------------------------------------
def png(path: Path, array_or_image, **kw) -> Path:
    img = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    img.save(path, **kw)
    return path


def mode_image(mode: str) -> Image.Image:
    base = Image.fromarray(RGB)
    if mode == "I;16":
        return Image.fromarray(np.asarray(base.convert("L")).astype(np.uint16) * 257)
    if mode == "I":
        return Image.fromarray(np.asarray(base.convert("L")).astype(np.int32) * 200)
    if mode == "P+tRNS":
        img = base.convert("P")
        img.info["transparency"] = 0
        return img
    return base.convert(mode)


MODE_FILES = {"1": "png", "L": "png", "LA": "png", "P": "png", "P+tRNS": "png", "RGB": "png",
              "RGBA": "png", "I;16": "png", "I": "tif", "F": "tif", "CMYK": "jpg", "YCbCr": "jpg",
              "LAB": "tif"}


def foreign_checkpoint(path: Path) -> Path:
    torch.save({"state_dict": {"w": torch.zeros(3)}}, path)  # another project's file
    return path


def pickled_checkpoint(path: Path) -> Path:
    path.write_bytes(pickle.dumps({"format": "inpaint-checkpoint", "obj": object.__class__}, protocol=2))
    return path


def wrong_weights_checkpoint(path: Path) -> Path:
    from inpaint.checkpoint import load_checkpoint, save_checkpoint

    make_checkpoint(path, "full")
    state = load_checkpoint(path)
    state["generator"].pop(next(iter(state["generator"])))
    save_checkpoint(path, {k: v for k, v in state.items() if k not in ("format", "version")})
    return path


def nan_checkpoint(path: Path) -> Path:
    from inpaint.checkpoint import load_checkpoint, save_checkpoint

    make_checkpoint(path, "full")
    state = load_checkpoint(path)
    for t in state["generator"].values():
        if t.is_floating_point():
            t.fill_(float("inf"))
    save_checkpoint(path, {k: v for k, v in state.items() if k not in ("format", "version")})
    return path


def exif_photo(path: Path, orientation: int = 6) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation  # stored W×H, displayed H×W
    Image.fromarray(RGB).save(path, exif=exif.tobytes())
    return path


def training_photos(folder: Path) -> Path:
    folder.mkdir()
    for i in range(3):
        png(folder / f"p{i}.png", photo(70, 90, seed=i))
    return folder


TRAIN_TINY = ["--image-size", "64", "--ngf", "8", "--ndf", "8", "--n-bottleneck", "16", "--batch-size", "2",
              "--val-fraction", "0", "--sample-every", "0", "--val-every", "0", "--steps", "1"]


# -- the cases -----------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    setup: Callable[[Path], list]          # builds files under tmp, returns the argv
    error: str | None = None                # None: must succeed; else a piece of the one Error line
    check: Callable[[Path], None] | None = None  # extra checks of a success
    changes: tuple[str, ...] = ()           # files the case may legitimately change (--overwrite)
    patch: Callable | None = None           # (monkeypatch, tmp) -> None: a fault to inject
    skip_root: bool = False


def fill(photo_name="a.png", mask_name="m.png", out="o.png", *extra):
    return lambda t: ["fill", t / photo_name, t / mask_name, "-o", t / out, "--method", "telea", *extra]


def with_files(builder, argv):
    def setup(t):
        builder(t)
        return argv(t)
    return setup


def std(t: Path) -> None:
    png(t / "a.png", RGB)
    png(t / "m.png", MASK)


def known_pixels_kept(out="o.png", src="a.png"):
    def check(t: Path):
        with Image.open(t / src) as s, Image.open(t / out) as o:
            if s.mode in ("CMYK", "YCbCr", "LAB"):
                s = s.convert("RGB")
            a, b = np.asarray(s), np.asarray(o)
        assert a.shape[:2] == b.shape[:2]
        if o.format == "JPEG":
            return  # lossy: the note says so (tests/test_faults.py)
        assert np.array_equal(a[MASK == 0], b[MASK == 0]), "known pixels changed"
    return check


def _grey_kept(src: Path, out: Path) -> None:
    a, b = np.asarray(Image.open(src)), np.asarray(Image.open(out))
    assert b.ndim == 3 and np.array_equal(b[..., 0][MASK == 0], a[MASK == 0])


def mode_case(mode: str) -> Case:
    ext = MODE_FILES[mode]

    def setup(t):
        img = mode_image(mode)
        kw = {"transparency": 0} if mode == "P+tRNS" else {}
        img.save(t / f"a.{ext}", **kw)
        png(t / "m.png", MASK)
        return ["fill", t / f"a.{ext}", t / "m.png", "-o", t / ("o.tif" if mode == "I" else "o.png"),
                "--method", "telea"]

    if mode == "F":
        return Case(f"mode {mode}", setup, error="unsupported image mode")
    return Case(f"mode {mode}", setup, check=known_pixels_kept("o.tif" if mode == "I" else "o.png", f"a.{ext}"))


def ckpt_case(name, make, error):
    def setup(t):
        std(t)
        path = make(t / "c.pt")
        return ["fill", t / "a.png", t / "m.png", "-o", t / "o.png", "--checkpoint", path, "--device", "cpu"]
    return Case(f"checkpoint: {name}", setup, error=error)


def read_only(monkeypatch, t):
    import errno

    import masks.atomic

    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(masks.atomic.tempfile, "mkstemp", refuse)


def real_read_only(t):
    std(t)
    (t / "ro").mkdir()
    os.chmod(t / "ro", 0o500)
    return ["fill", t / "a.png", t / "m.png", "-o", t / "ro" / "o.png", "--method", "telea"]


CASES = [
    # photos
    Case("photo missing", lambda t: (png(t / "m.png", MASK), fill()(t))[1], error="photo not found"),
    Case("photo zero bytes", with_files(lambda t: ((t / "a.png").write_bytes(b""), png(t / "m.png", MASK)), fill()),
         error="cannot read photo"),
    Case("photo corrupt", with_files(lambda t: ((t / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200)),
                                                png(t / "m.png", MASK)), fill()), error="cannot read photo"),
    Case("photo truncated", with_files(lambda t: (png(t / "full.png", RGB), (t / "a.png").write_bytes(
        (t / "full.png").read_bytes()[:300]), png(t / "m.png", MASK)), fill()), error="cannot read photo"),
    Case("photo is text named .png", with_files(lambda t: ((t / "a.png").write_text("hello"), png(t / "m.png", MASK)),
                                                fill()), error="cannot read photo"),
    Case("photo is a PNG named .jpg", with_files(lambda t: (png(t / "a.jpg", RGB, format="PNG"), png(t / "m.png", MASK)),
                                                 fill("a.jpg")), check=known_pixels_kept(src="a.jpg")),
    *[mode_case(m) for m in MODE_FILES],
    Case("photo beyond Pillow's pixel limit (simulated huge)", with_files(std, fill()), error="too large",
         patch=lambda m, t: m.setattr(Image, "MAX_IMAGE_PIXELS", 1000)),
    Case("mask beyond Pillow's pixel limit (simulated huge)", with_files(
        lambda t: (png(t / "a.png", RGB), png(t / "m.png", rect_mask(2 * H, 2 * W, (20, 20, 60, 80)))),
        fill("a.png", "m.png", "o.png", "--resize-mask")), error="too large",
         patch=lambda m, t: m.setattr(Image, "MAX_IMAGE_PIXELS", H * W + 10)),
    Case("mode I written as PNG", with_files(lambda t: (mode_image("I").save(t / "a.tif"), png(t / "m.png", MASK)),
                                             fill("a.tif")), check=known_pixels_kept(src="a.tif")),
    Case("EXIF-rotated photo, mask as displayed", with_files(
        lambda t: (exif_photo(t / "a.png"), png(t / "m.png", MASK.T.copy())), fill())),
    Case("EXIF-rotated photo, mask as stored", with_files(
        lambda t: (exif_photo(t / "a.png"), png(t / "m.png", MASK)), fill()), error="EXIF orientation 6"),
    # masks
    Case("mask missing", lambda t: (png(t / "a.png", RGB), fill()(t))[1], error="mask file not found"),
    Case("mask zero bytes", with_files(lambda t: (png(t / "a.png", RGB), (t / "m.png").write_bytes(b"")), fill()),
         error="mask"),
    Case("mask corrupt", with_files(lambda t: (png(t / "a.png", RGB), (t / "m.png").write_bytes(os.urandom(300))),
                                    fill()), error="mask"),
    Case("mask is a JPEG named .png", with_files(lambda t: (png(t / "a.png", RGB), png(t / "m.png", MASK, format="JPEG")),
                                                 fill())),
    Case("mask RGBA with transparent hole", with_files(lambda t: (png(t / "a.png", RGB), png(
        t / "m.png", np.dstack([np.zeros((H, W, 3), np.uint8), 255 - MASK]))), fill()), check=known_pixels_kept()),
    Case("mask of another size", with_files(lambda t: (png(t / "a.png", RGB), png(t / "m.png", MASK[:40])), fill()),
         error="--resize-mask"),
    Case("mask of another size, --resize-mask", with_files(
        lambda t: (png(t / "a.png", RGB), png(t / "m.png", rect_mask(24, 32, (5, 5, 15, 20)))),
        fill("a.png", "m.png", "o.png", "--resize-mask"))),
    Case("mask empty", with_files(lambda t: (png(t / "a.png", RGB), png(t / "m.png", np.zeros((H, W), np.uint8))),
                                  fill()), check=known_pixels_kept()),
    Case("mask covers everything", with_files(lambda t: (png(t / "a.png", RGB), png(t / "m.png", np.full((H, W), 255,
                                                                                                      np.uint8))),
                                              fill()), error="whole photo"),
    Case("mask is a folder", with_files(lambda t: (png(t / "a.png", RGB), (t / "m.png").mkdir()), fill()),
         error="folder"),
    # checkpoints
    ckpt_case("missing", lambda p: p, "checkpoint not found"),
    ckpt_case("zero bytes", lambda p: (p.write_bytes(b""), p)[1], "cannot read checkpoint"),
    ckpt_case("corrupt", lambda p: (p.write_bytes(os.urandom(500)), p)[1], "cannot read checkpoint"),
    ckpt_case("a photo named .pt", lambda p: (png(p, RGB, format="PNG"), p)[1], "cannot read checkpoint"),
    ckpt_case("another project's", foreign_checkpoint, "not an inpaint checkpoint"),
    ckpt_case("pickled objects", pickled_checkpoint, "cannot read checkpoint"),
    ckpt_case("weights of another architecture", wrong_weights_checkpoint, "do not match"),
    ckpt_case("non-finite weights", nan_checkpoint, "non-finite"),
    ckpt_case("a folder", lambda p: (p.mkdir(), p)[1], "is a folder"),
    # outputs
    Case("output exists, no --overwrite", with_files(lambda t: (std(t), png(t / "o.png", RGB[::-1].copy())), fill()),
         error="already exists"),
    Case("output exists, --overwrite", with_files(lambda t: (std(t), png(t / "o.png", RGB[::-1].copy())),
                                                  fill("a.png", "m.png", "o.png", "--overwrite")),
         check=known_pixels_kept(), changes=("o.png",)),
    Case("output is the photo", with_files(std, fill("a.png", "m.png", "a.png")), error="input photo itself"),
    Case("output is the mask", with_files(std, fill("a.png", "m.png", "m.png")), error="mask itself"),
    Case("output has an unknown extension", with_files(std, fill("a.png", "m.png", "o.xyz")),
         error="unknown extension"),
    Case("output folder missing", with_files(std, fill("a.png", "m.png", "nope/o.png")), error="does not exist"),
    Case("output RGBA as JPEG", with_files(lambda t: (png(t / "a.png", np.dstack([RGB, 255 - MASK])),
                                                      png(t / "m.png", MASK)), fill("a.png", "m.png", "o.jpg")),
         error="alpha"),
    Case("output 16-bit as JPEG", with_files(lambda t: (mode_image("I;16").save(t / "a.png"), png(t / "m.png", MASK)),
                                             fill("a.png", "m.png", "o.jpg")), error="16-bit"),
    Case("output 16-bit as WebP", with_files(lambda t: (mode_image("I;16").save(t / "a.png"), png(t / "m.png", MASK)),
                                             fill("a.png", "m.png", "o.webp")), error="16-bit"),
    Case("output greyscale as WebP (RGB, same values)", with_files(
        lambda t: (mode_image("L").save(t / "a.png"), png(t / "m.png", MASK)), fill("a.png", "m.png", "o.webp")),
         check=lambda t: _grey_kept(t / "a.png", t / "o.webp")),
    Case("output as JPEG (lossy: noted)", with_files(std, fill("a.png", "m.png", "o.jpg"))),
    Case("output as WebP (lossless)", with_files(std, fill("a.png", "m.png", "o.webp")),
         check=known_pixels_kept("o.webp")),
    Case("output into the current folder name", with_files(std, lambda t: ["fill", t / "a.png", t / "m.png", "-o", t,
                                                                          "--method", "telea"]),
         check=known_pixels_kept("a_filled.png")),
    Case("output folder read-only", with_files(std, fill()), error="Permission denied", patch=read_only),
    Case("output folder read-only (chmod)", real_read_only, error="not writable", skip_root=True),
    Case("full disk", with_files(std, fill()), error="disk is full", patch=lambda m, t: fill_disk(m, room=64)),
    Case("killed earlier write left a temp file", with_files(lambda t: (std(t), killed_write_leftover(t / "o.png")),
                                                             fill()),
         check=known_pixels_kept(), changes=(".o.png.k1ll3d_x.png",)),
    # training
    *[Case(f"train --lr {lr}", lambda t, lr=lr: ["train", training_photos(t / "ph"), "--out", t / "r", *TRAIN_TINY,
                                                 "--lr", lr], error="lr")
      for lr in ("inf", "-inf", "nan", "0", "-0.1")],
    Case("train data folder missing", lambda t: ["train", t / "none", "--out", t / "r", *TRAIN_TINY],
         error="none"),
    Case("train data folder without photos", lambda t: ((t / "ph").mkdir(), ["train", t / "ph", "--out", t / "r",
                                                                             *TRAIN_TINY])[1], error="ph"),
    Case("train --out is a file", lambda t: ((t / "r").write_text("x"), ["train", training_photos(t / "ph"), "--out",
                                                                        t / "r", *TRAIN_TINY])[1],
         error="not a folder"),
    Case("train --out not empty", lambda t: ((t / "r").mkdir(), (t / "r" / "x.txt").write_text("x"),
                                             ["train", training_photos(t / "ph"), "--out", t / "r", *TRAIN_TINY])[2],
         error="not empty"),
    Case("train --resume missing", lambda t: ["train", "--resume", t / "none.pt", "--steps", "2"],
         error="does not exist"),
    Case("train --resume a fill-only checkpoint", lambda t: ["train", "--resume", make_checkpoint(t / "c.pt", "full"),
                                                             "--steps", "2"], error="no training state"),
    Case("train --resume corrupt", lambda t: ((t / "c.pt").write_bytes(os.urandom(100)),
                                              ["train", "--resume", t / "c.pt", "--steps", "2"])[1],
         error="cannot read checkpoint"),
    Case("train --config missing", lambda t: ["train", "--config", t / "none.yaml", "--out", t / "r"],
         error="none.yaml"),
    Case("train --config broken", lambda t: ((t / "c.yaml").write_text("lr: [unclosed"),
                                             ["train", "--config", t / "c.yaml", "--out", t / "r"])[1],
         error="cannot parse config"),
    # mask datasets
    Case("masks generate --out is a file", lambda t: ((t / "d").write_text("x"), [
        "masks", "generate", "--kind", "center", "--count", "2", "--size", "32", "--out", t / "d", "--quiet"])[1],
         error="is a file"),
    Case("masks generate --out not empty", lambda t: ((t / "d").mkdir(), (t / "d" / "x.txt").write_text("x"), [
        "masks", "generate", "--kind", "center", "--count", "2", "--size", "32", "--out", t / "d", "--quiet"])[2],
         error="not empty"),
    Case("masks generate --overwrite over user files", lambda t: ((t / "d").mkdir(), (t / "d" / "x.txt").write_text("x"), [
        "masks", "generate", "--kind", "center", "--count", "2", "--size", "32", "--out", t / "d", "--overwrite",
        "--quiet"])[2], error="did not write"),
    Case("masks generate unknown kind", lambda t: ["masks", "generate", "--kind", "nope", "--count", "2",
                                                   "--out", t / "d"], error="unknown mask kind"),
    Case("masks generate bad parameter", lambda t: ["masks", "generate", "--kind", "block", "--count", "2",
                                                    "--param", "coverage=lots", "--out", t / "d"], error="coverage"),
    Case("masks generate full disk", lambda t: ["masks", "generate", "--kind", "center", "--count", "2", "--size", "32",
                                                "--out", t / "d", "--quiet"], error="disk is full",
         patch=lambda m, t: m.setattr("masks.dataset.encode_png", _enospc)),
    Case("masks stats missing folder", lambda t: ["masks", "stats", t / "none"], error="none"),
    Case("masks stats corrupt mask", lambda t: ((t / "d").mkdir(), (t / "d" / "a.png").write_bytes(b"junk"),
                                                ["masks", "stats", t / "d"])[2], error="a.png"),
]


def _enospc(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- the promise ---------------------------------------------------------------------------------
def snapshot(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch):
    if case.skip_root and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders (the simulated case covers it)")
    argv = [str(a) for a in case.setup(tmp_path)]
    before = snapshot(tmp_path)
    if case.patch is not None:
        case.patch(monkeypatch, tmp_path)
    result = CliRunner().invoke(main, argv)
    monkeypatch.undo()
    output = result.output
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    if case.error is None:
        assert result.exit_code == 0 and not errors, output
        if case.check is not None:
            case.check(tmp_path)
    else:
        assert result.exit_code != 0, output
        assert len(errors) == 1, output
        assert case.error in errors[0], errors[0]
    after = snapshot(tmp_path)
    for name, digest in before.items():  # nothing the user had is lost or changed
        if name not in case.changes:
            assert after.get(name) == digest, f"{name} was changed or removed"
    leftovers = [name for name in after if Path(name).name.startswith(".") and name not in before]
    assert not leftovers, f"temporary files left: {leftovers}"
    for dirpath, dirs, _ in os.walk(tmp_path):  # nor temporary folders
        assert not [d for d in dirs if d.startswith(".")], dirs
