"""PatchMatch as a classical method: a real fill through the optional wheel (skipped without
it), its whole-photo context rule, and the one-line refusal when the wheel cannot be imported."""

import sys

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cli.main import main
from inpaint import Inpainter
from inpaint.classical import CLASSICAL_METHODS, HOLE_BOX, WHOLE_PHOTO, classical_fill
from inpaint.errors import InpaintError
from inpaint.fill.engine import ClassicalFiller

try:
    import patchmatch

    HAVE_PATCHMATCH = bool(patchmatch.patchmatch_available)
except ImportError:
    HAVE_PATCHMATCH = False
needs_patchmatch = pytest.mark.skipif(not HAVE_PATCHMATCH, reason="pypatchmatch is not installed")


def _photo(h=48, w=64):
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = ((xx // 4 + yy // 6) % 2) * 120 + 60  # a repeating texture PatchMatch can copy
    return np.stack([stripes, (xx * 3) % 256, (yy * 5) % 256], -1).astype(np.uint8)


def _mask(h=48, w=64):
    mask = np.zeros((h, w), np.uint8)
    mask[16:30, 20:40] = 255
    return mask


def test_context_rules():
    assert CLASSICAL_METHODS["telea"].context == CLASSICAL_METHODS["ns"].context == HOLE_BOX
    assert CLASSICAL_METHODS["patchmatch"].context == WHOLE_PHOTO
    assert CLASSICAL_METHODS["patchmatch"].default_size == 7
    hole = _mask(200, 300) > 0
    assert CLASSICAL_METHODS["telea"].context_box(hole, 3) == (slice(11, 35), slice(15, 45))
    assert CLASSICAL_METHODS["patchmatch"].context_box(hole, 7) == (slice(0, 200), slice(0, 300))


@needs_patchmatch
def test_real_patchmatch_fill_keeps_known_pixels_and_is_deterministic():
    img, mask = _photo(), _mask()
    painter = Inpainter.classical("patchmatch")
    out = painter.fill_array(img, mask)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(out[mask == 0], img[mask == 0])  # known pixels bit-exact
    assert np.array_equal(out, painter.fill_array(img, mask))  # seeded: same input, same fill
    assert np.array_equal(out, ClassicalFiller("patchmatch").fill(img, mask))
    assert np.array_equal(out, classical_fill(img, mask, "patchmatch"))  # the whole photo is its context
    # copies real patches: more of the stripes' texture than Telea's smooth fill
    from inpaint.metrics import detail_ratio

    assert detail_ratio(out, img, mask) > detail_ratio(classical_fill(img, mask, "telea"), img, mask) + 0.2
    grey = classical_fill(img[..., 1], mask, "patchmatch")
    assert grey.shape == img.shape[:2] and np.array_equal(grey[mask == 0], img[..., 1][mask == 0])


def _hide_patchmatch(monkeypatch):
    monkeypatch.setitem(sys.modules, "patchmatch", None)  # `import patchmatch` now raises ImportError


def test_refused_with_one_line_without_the_wheel(monkeypatch, tmp_path):
    _hide_patchmatch(monkeypatch)
    with pytest.raises(InpaintError, match="patchmatch needs the pypatchmatch package: pip install"):
        Inpainter.classical("patchmatch")
    with pytest.raises(InpaintError, match="pypatchmatch"):
        classical_fill(_photo(), _mask(), "patchmatch")
    Inpainter.classical("telea")  # the other methods are unaffected
    Image.fromarray(_photo()).save(tmp_path / "a.png")
    Image.fromarray(_mask()).save(tmp_path / "m.png")
    for args in (["fill", tmp_path / "a.png", tmp_path / "m.png", "-o", tmp_path / "o.png", "--method", "patchmatch"],
                 ["eval", tmp_path, "--out", tmp_path / "r", "--methods", "telea,patchmatch", "--size", 32,
                  "--no-progress"]):
        res = CliRunner().invoke(main, [str(a) for a in args])
        assert res.exit_code == 1 and "Traceback" not in res.output
        errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
        assert errors == ["Error: patchmatch needs the pypatchmatch package: "
                          'pip install "pypatchmatch>=2.2" (or pip install "inpaint[patchmatch]")'], res.output
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "r").exists()


@needs_patchmatch
def test_fill_cli_with_patchmatch(tmp_path):
    Image.fromarray(_photo()).save(tmp_path / "a.png")
    Image.fromarray(_mask()).save(tmp_path / "m.png")
    res = CliRunner().invoke(main, ["fill", str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-o",
                                    str(tmp_path / "o.png"), "--method", "patchmatch"])
    assert res.exit_code == 0, res.output
    out = np.asarray(Image.open(tmp_path / "o.png"))
    assert np.array_equal(out[_mask() == 0], _photo()[_mask() == 0])
