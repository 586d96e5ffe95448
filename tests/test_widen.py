"""Net2Wider for the U-Net: a wider network that computes what the trained one computes."""

import pytest
import torch

from inpaint.config import GeneratorConfig
from inpaint.models import build_generator
from inpaint.models.widen import can_widen, widen_unet_state


def unet(ngf, **kw):
    settings = {"kind": "unet", "mode": "full", "image_size": 64, "ngf": ngf, "mask_channel": True,
                "prefill": "telea", "residual": True,
                "dropout": 0.0}  # dropout is random in training mode: no two networks would agree
    settings.update(kw)
    return GeneratorConfig(**settings)


def trained_like(cfg, seed=0):
    """A generator with non-trivial weights and BatchNorm statistics (as after training)."""
    torch.manual_seed(seed)
    g = build_generator(cfg)
    with torch.no_grad():
        for m in g.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.normal_(1, 0.2)
                m.bias.normal_(0, 0.1)
            elif isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                m.weight.normal_(0, 0.1)
    return g


@pytest.mark.parametrize("upsample", ["transposed", "bilinear"])
@pytest.mark.parametrize("new_ngf", [8, 12])
def test_the_widened_unet_computes_the_same_outputs(upsample, new_ngf):
    old, new = unet(4, upsample=upsample), unet(new_ngf, upsample=upsample)
    g_old = trained_like(old)
    g_new = build_generator(new)
    g_new.load_state_dict(widen_unet_state(g_old.state_dict(), old, new))
    x = torch.rand(8, 4, 64, 64) * 2 - 1
    for mode in ("eval", "train"):  # running statistics, then batch statistics
        getattr(g_old, mode)(), getattr(g_new, mode)()
        with torch.no_grad():
            torch.testing.assert_close(g_new(x), g_old(x), atol=2e-5, rtol=0)
    assert sum(p.numel() for p in g_new.parameters()) > 2 * sum(p.numel() for p in g_old.parameters())


def test_copies_get_unequal_shares_and_the_seed_fixes_them():
    old, new = unet(4), unet(8)
    state = trained_like(old).state_dict()
    a, b = widen_unet_state(state, old, new, seed=1), widen_unet_state(state, old, new, seed=1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    w = a["downs.2.0.weight"]  # input channels 8..15 copy 0..7
    assert not torch.allclose(w[:, 8:], w[:, :8])
    torch.testing.assert_close(w[:, 8:] + w[:, :8], state["downs.2.0.weight"].repeat(2, 1, 1, 1))
    equal = widen_unet_state(state, old, new, spread=0.0)["downs.2.0.weight"]
    torch.testing.assert_close(equal[:, 8:], equal[:, :8])


def test_only_a_larger_ngf_of_the_same_unet_is_widened():
    assert can_widen(unet(4), unet(6))
    assert not can_widen(unet(8), unet(4))
    assert not can_widen(unet(4), unet(4))
    assert not can_widen(unet(4), unet(8, image_size=128))
    assert not can_widen(unet(4), unet(8, residual=False))
    assert not can_widen(GeneratorConfig(kind="ce", mode="center", image_size=64, ngf=4), unet(8))
    with pytest.raises(ValueError, match="cannot widen"):
        widen_unet_state({}, unet(8), unet(4))
