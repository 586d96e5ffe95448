"""Optional LPIPS: skipped with a note when weights are absent, wired right when present.

The real ``lpips`` package is not installed here, so the 'present' case uses a small local
stand-in package (same constructor and call signature) and a fake torch hub folder."""

import sys

import numpy as np
import pytest

from inpaint.eval import perceptual

FAKE_LPIPS = '''
import torch

class LPIPS(torch.nn.Module):
    """Stand-in: mean absolute difference of (B, 3, H, W) tensors in [-1, 1]."""
    def __init__(self, net="alex", verbose=True):
        super().__init__()
        assert net == "alex"
        self.seen = []
    def forward(self, a, b):
        assert a.shape == b.shape and a.ndim == 4 and a.shape[1] == 3
        self.seen.append(tuple(a.shape))
        return (a - b).abs().mean(dim=(1, 2, 3), keepdim=True)
'''


def test_skipped_with_note_when_package_missing(monkeypatch):
    monkeypatch.setattr(perceptual.importlib.util, "find_spec", lambda name: None)
    notes = []
    assert perceptual.perceptual_metrics("cpu", notes) == {}
    assert any("LPIPS skipped" in n and "not installed" in n for n in notes)
    assert any("FID is not computed" in n for n in notes)


@pytest.fixture
def fake_lpips(tmp_path, monkeypatch):
    import torch
    from torchvision.models import AlexNet_Weights

    pkg = tmp_path / "site" / "lpips"
    (pkg / "weights" / "v0.1").mkdir(parents=True)
    (pkg / "__init__.py").write_text(FAKE_LPIPS)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "lpips", raising=False)
    hub = tmp_path / "hub"
    (hub / "checkpoints").mkdir(parents=True)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(hub))
    return pkg, hub / "checkpoints" / AlexNet_Weights.IMAGENET1K_V1.url.rsplit("/", 1)[-1]


def test_skipped_when_weights_missing(fake_lpips):
    pkg, backbone = fake_lpips
    notes = []
    assert perceptual.perceptual_metrics("cpu", notes) == {}
    assert any("weights are missing" in n for n in notes)
    (pkg / "weights" / "v0.1" / "alex.pth").write_bytes(b"x")
    notes = []
    assert perceptual.perceptual_metrics("cpu", notes) == {}
    assert any("torch hub cache" in n for n in notes)


def test_lpips_on_the_hole_box_when_weights_present(fake_lpips):
    pkg, backbone = fake_lpips
    (pkg / "weights" / "v0.1" / "alex.pth").write_bytes(b"x")
    backbone.write_bytes(b"x")
    notes = []
    extra = perceptual.perceptual_metrics("cpu", notes)
    assert list(extra) == ["lpips_hole"] and not any("LPIPS" in n for n in notes)
    img = np.full((64, 64, 3), 100, np.uint8)
    mask = np.zeros((64, 64), np.uint8)
    mask[30:34, 30:34] = 255
    assert extra["lpips_hole"](img, img, mask) == 0.0
    pred = img.copy()
    pred[mask > 0] = 227  # +127 grey levels on 16 of the 32×32 box's 1024 pixels
    assert extra["lpips_hole"](pred, img, mask) == pytest.approx((127 / 127.5) * 16 / 1024, rel=1e-5)
