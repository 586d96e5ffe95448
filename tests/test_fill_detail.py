"""Native-resolution detail (contextual residual aggregation): texture comes back, nothing else changes."""

import cv2
import numpy as np
import pytest

from inpaint.fill.detail import DEFAULT_DETAIL, DetailSettings, add_detail, band_sigma
from inpaint.fill.engine import ModelFiller
from test_fill_helpers import tiny_config


def _gradient_energy(image, region):
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1)
    return float(np.sqrt(gx * gx + gy * gy)[region].mean())


def _textured(height=320, width=320, seed=0):
    """A smooth colour ramp plus fine random texture (a stand-in for grass or fur)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([80 + 0.3 * xx, 100 + 0.2 * yy, 140 - 0.1 * xx], -1)
    noise = cv2.GaussianBlur(rng.normal(0, 30, (height, width)).astype(np.float32), (0, 0), 1.0)
    return np.clip(base + noise[..., None], 0, 255).astype(np.uint8)


def _disk(height=320, width=320, radius=70):
    hole = np.zeros((height, width), np.uint8)
    cv2.circle(hole, (width // 2, height // 2), radius, 1, -1)
    return hole > 0


def _blurry_fill(image, hole, sigma=8.0):
    smooth = cv2.GaussianBlur(image, (0, 0), sigma)
    return np.where(hole[..., None], smooth, image)


@pytest.mark.parametrize("local, candidates", [(False, 8), (True, 8), (True, 12)])
def test_texture_returns_to_a_blurred_hole_and_known_pixels_stay(local, candidates):
    image, hole = _textured(), _disk()
    fill = _blurry_fill(image, hole)
    out = add_detail(image, fill, hole, ~hole, scale=8.0,
                     settings=DetailSettings(local=local, candidates=candidates))
    inner = cv2.erode(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    before = _gradient_energy(fill, inner) / _gradient_energy(image, inner)
    after = _gradient_energy(out, inner) / _gradient_energy(image, inner)
    assert before < 0.3
    assert 0.6 < after < 1.5
    assert np.array_equal(out[~hole], fill[~hole])
    # the coarse layout is the fill's: the low band hardly moves
    low_out = cv2.GaussianBlur(out, (0, 0), 10.0).astype(np.float32)
    low_fill = cv2.GaussianBlur(fill, (0, 0), 10.0).astype(np.float32)
    assert np.abs(low_out - low_fill)[inner].mean() < 6.0


def test_deterministic():
    image, hole = _textured(seed=1), _disk(radius=50)
    fill = _blurry_fill(image, hole)
    a = add_detail(image, fill, hole, ~hole, scale=6.0)
    b = add_detail(image, fill, hole, ~hole, scale=6.0)
    assert np.array_equal(a, b)


def test_native_scale_and_no_context_leave_the_fill_alone():
    image, hole = _textured(), _disk()
    fill = _blurry_fill(image, hole)
    assert np.array_equal(add_detail(image, fill, hole, ~hole, scale=DEFAULT_DETAIL.min_scale / 2), fill)
    nothing_known = np.zeros_like(hole)
    assert np.array_equal(add_detail(image, fill, hole, nothing_known, scale=8.0), fill)
    assert np.array_equal(add_detail(image, fill, np.zeros_like(hole), ~hole, scale=8.0), fill)


@pytest.mark.parametrize("local", [False, True])
def test_sources_never_come_from_other_holes(local):
    """Pixels marked unknown must not be copied: paint them a colour the photo never has."""
    image, hole = _textured(), _disk(radius=40)
    other = np.zeros_like(hole)
    other[:, :60] = True
    image = image.copy()
    image[other] = (255, 0, 255)
    fill = _blurry_fill(image, hole)
    out = add_detail(image, fill, hole, ~(hole | other), scale=8.0, settings=DetailSettings(local=local))
    magenta = (out[..., 0] > 200) & (out[..., 1] < 60) & (out[..., 2] > 200)
    assert not magenta[hole].any()


def test_band_sigma_grows_with_the_scale_and_is_bounded():
    s = DetailSettings()
    assert band_sigma(1.0, s) == s.min_sigma
    assert band_sigma(4.0, s) == pytest.approx(4.0 * s.sigma_per_scale)
    assert band_sigma(1000.0, s) == s.max_sigma


class _Blur:
    """A stand-in model: returns its prefilled input (a smooth Telea fill) at 64 px."""

    def __init__(self):
        import torch

        self.torch = torch

    def eval(self):
        return self

    def __call__(self, x):
        return x[:, :3]


def test_engine_adds_texture_to_a_coarse_window_only():
    cfg = tiny_config("full", prefill="telea")
    image = _textured(320, 320)
    big, small = _disk(radius=70), np.zeros((320, 320), bool)
    small[10:16, 10:16] = True
    sharp = ModelFiller(_Blur(), cfg, "cpu", layout=None)
    plain = ModelFiller(_Blur(), cfg, "cpu", detail=None, layout=None)
    # a 140 px hole in a 64 px model: its window is scaled down ~4.5×
    a, b = sharp.fill(image, big.astype(np.uint8) * 255), plain.fill(image, big.astype(np.uint8) * 255)
    assert np.array_equal(a[~big], image[~big]) and np.array_equal(b[~big], image[~big])
    inner = cv2.erode(big.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert _gradient_energy(a, inner) > 2 * _gradient_energy(b, inner)
    # a 6 px hole is predicted at native scale: detail leaves it as the model made it
    m = small.astype(np.uint8) * 255
    assert np.array_equal(sharp.fill(image, m), plain.fill(image, m))


def test_fill_cli_detail_flags(tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from cli.main import main
    from inpaint.fill.engine import DETAIL_DEFAULT
    from test_fill_helpers import make_checkpoint

    checkpoint = make_checkpoint(tmp_path / "m.pt", "full", gain=5)
    image, hole = _textured(256, 256), _disk(256, 256, radius=60)
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(hole.astype(np.uint8) * 255).save(tmp_path / "m.png")
    outs = {}
    for name, extra in (("on", ["--detail"]), ("off", ["--no-detail"]), ("default", [])):
        r = CliRunner().invoke(main, ["fill", str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-o",
                                      str(tmp_path / f"{name}.png"), "--checkpoint", str(checkpoint),
                                      "--device", "cpu", "--threads", "1", "--no-layout", *extra])
        assert r.exit_code == 0, r.output
        outs[name] = np.asarray(Image.open(tmp_path / f"{name}.png"))
        assert np.array_equal(outs[name][~hole], image[~hole])
    # (--no-layout: with the layout this 256-px window is PatchMatch-filled at native size and
    # so never scaled; test_fill_layout.py covers that flag)
    assert not np.array_equal(outs["on"], outs["off"])
    assert np.array_equal(outs["default"], outs["on" if DETAIL_DEFAULT else "off"])


def test_eval_passes_detail_to_the_inpainter(tmp_path):
    from inpaint.eval.methods import resolve_methods
    from test_fill_helpers import make_checkpoint

    checkpoint = make_checkpoint(tmp_path / "m.pt", "full")
    for detail in (True, False):
        (method,) = resolve_methods(["model"], [checkpoint], "cpu", detail=detail)
        assert (method.fill.__self__.filler.detail is not None) is detail


@pytest.mark.parametrize("n, k", [(64, 8), (640, 8), (576, 3), (128, 9)])
def test_block_selection_finds_the_k_smallest_of_each_row(n, k):
    import torch

    from inpaint.fill.detail import SELECT_BLOCK, _smallest

    d = torch.from_numpy(np.random.default_rng(n + k).normal(size=(37, n)).astype(np.float32))
    d[:, n - SELECT_BLOCK // 2:] = float("inf")              # padding is never picked
    got = _smallest(d, k)
    want = d.topk(k, 1, largest=False).indices
    assert torch.equal(got, want)


def test_blend_equals_the_patch_by_patch_sum():
    from inpaint.fill.detail import _blend, _window

    rng = np.random.default_rng(3)
    step, height, width = 4, 30, 37
    residual = rng.normal(size=(height, width, 3)).astype(np.float32)
    gh, gw = height // step + 2, width // step + 2
    cells = rng.choice(gh * gw, 40, replace=False)               # targets, incl. cells past the photo
    ty, tx = np.divmod(cells, gw)
    sy = rng.integers(1, height // step, len(cells))             # whole source patches inside the photo
    sx = rng.integers(1, width // step, len(cells))
    acc, wsum, (y0, x0, y1, x1) = _blend(residual, ty, tx, sy, sx, step, (height, width))
    want = np.zeros((height + 4 * step, width + 4 * step, 3), np.float32)   # 2-step margin all round
    want_w = np.zeros(want.shape[:2], np.float32)
    win = _window(2 * step)
    for a, b, c, e in zip(ty, tx, sy, sx):
        py, px = (a + 1) * step, (b + 1) * step                    # (a − 1)·step in margin coords
        want[py:py + 2 * step, px:px + 2 * step] += win[..., None] * residual[(c - 1) * step:(c + 1) * step, (e - 1) * step:(e + 1) * step]
        want_w[py:py + 2 * step, px:px + 2 * step] += win
    m = 2 * step
    assert (y0, x0) == (max(0, int(ty.min()) * step - step), max(0, int(tx.min()) * step - step))
    assert (y1, x1) == (min(height, int(ty.max()) * step + step), min(width, int(tx.max()) * step + step))
    np.testing.assert_allclose(acc, want[m + y0:m + y1, m + x0:m + x1], atol=1e-5)
    np.testing.assert_allclose(wsum, want_w[m + y0:m + y1, m + x0:m + x1], atol=1e-6)


def test_local_candidates_stay_on_sources_around_the_coarse_choice():
    from inpaint.fill.detail import _local_candidates

    valid = np.ones(5 * 6, bool)
    valid[1 * 6 + 2] = False                       # cell (1, 2) is no source
    cand = _local_candidates(np.array([0, 2 * 6 + 2]), 5, 6, valid)
    assert cand.shape == (2, 9)
    # (0, 0): neighbours off the grid fall back to the choice itself
    assert set(cand[0]) == {0, 1, 6, 7}
    # (2, 2): all 8 neighbours but the non-source (1, 2)
    assert set(cand[1]) == {r * 6 + c for r in (1, 2, 3) for c in (1, 2, 3)} - {1 * 6 + 2}


@pytest.mark.parametrize("height, width, step", [(30, 37, 4), (40, 36, 4), (7, 5, 12), (24, 24, 6)])
def test_cell_means_are_zero_padded_block_means(height, width, step):
    from inpaint.fill.detail import _cell_means, _inside_means

    rng = np.random.default_rng(height * width)
    for a in (rng.normal(size=(height, width, 3)).astype(np.float32), rng.random((height, width)) > 0.5):
        got = _cell_means(a, step).numpy()
        chans = a.reshape(height, width, -1).astype(np.float64)
        ny, nx = -(-height // step) + 2, -(-width // step) + 2
        want = np.zeros((ny * step, nx * step, chans.shape[2]))
        want[step:step + height, step:step + width] = chans        # cell 0 and cells past the photo: 0
        want = want.reshape(ny, step, nx, step, -1).mean((1, 3)).transpose(2, 0, 1)
        np.testing.assert_allclose(got, want, atol=1e-5)
    ones = np.ones((height, width), np.float32)
    np.testing.assert_allclose(_inside_means(height, width, step).numpy(), _cell_means(ones, step).numpy(), atol=1e-6)
