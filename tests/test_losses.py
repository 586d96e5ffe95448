"""Reconstruction weights and losses, GAN losses, and a few optimisation steps."""

import math

import pytest
import torch

from inpaint.config import GeneratorConfig
from inpaint.losses import (GAN_LOSSES, RECONSTRUCTION_KINDS, ReconstructionWeights, reconstruction_loss,
                            reconstruction_weight_map, rim_band)
from inpaint.models import build_generator
from inpaint.network_input import center_box

torch.set_num_threads(1)


def center_cfg(size=64, overlap=4):
    return GeneratorConfig(kind="ce", mode="center", image_size=size, ngf=8, n_bottleneck=16, overlap=overlap)


def full_cfg(size=64, kind="ce"):
    own = {"n_bottleneck": 16} if kind == "ce" else {}  # the CE's own knob: the U-Net has none
    return GeneratorConfig(kind=kind, mode="full", image_size=size, ngf=8, **own)


def square_mask(size=64, a=20, b=40, batch=1):
    m = torch.zeros(batch, 1, size, size)
    m[..., a:b, a:b] = 1
    return m


@pytest.mark.parametrize("size,overlap", [(64, 4), (128, 4), (128, 7), (256, 0)])
def test_center_band_weighs_exactly_10x(size, overlap):
    w = reconstruction_weight_map(None, center_cfg(size, overlap))
    half = size // 2
    assert w.shape == (1, 1, half, half)
    interior = torch.zeros(half, half, dtype=torch.bool)
    interior[overlap:half - overlap, overlap:half - overlap] = True
    assert torch.all(w[0, 0][interior] == 1.0)
    assert torch.all(w[0, 0][~interior] == 10.0)
    assert int((~interior).sum()) == half * half - (half - 2 * overlap) ** 2


def test_center_band_matches_the_mask_hole():
    # The interior of the weight map is exactly where the CE centre mask's hole is (shrunk by overlap).
    cfg = center_cfg(128, 4)
    a, b = center_box(128)
    mask = torch.zeros(1, 1, 128, 128)
    mask[..., a + 4:b - 4, a + 4:b - 4] = 1
    w = reconstruction_weight_map(mask, cfg)
    assert torch.equal(w[0, 0] == 1.0, mask[0, 0, a:b, a:b] == 1)


def test_center_overlap_weight_configurable():
    w = reconstruction_weight_map(None, center_cfg(), ReconstructionWeights(overlap_weight=3.0))
    assert set(w.unique().tolist()) == {1.0, 3.0}


@pytest.mark.parametrize("kind", sorted(RECONSTRUCTION_KINDS))
@pytest.mark.parametrize("mode", ["center", "full"])
def test_perfect_prediction_has_zero_loss(kind, mode):
    torch.manual_seed(0)
    cfg = center_cfg() if mode == "center" else full_cfg()
    side = 32 if mode == "center" else 64
    target = torch.rand(3, 3, side, side) * 2 - 1
    loss = reconstruction_loss(target.clone(), target, square_mask(batch=3), cfg, kind=kind)
    assert loss.item() == 0.0
    worse = reconstruction_loss(target + 0.1, target, square_mask(batch=3), cfg, kind=kind)
    assert worse.item() > 0


def test_l1_and_l2_values():
    cfg = center_cfg(64, overlap=0)  # all-interior: weight 1 everywhere
    target = torch.zeros(1, 3, 32, 32)
    pred = torch.full_like(target, 0.5)
    assert reconstruction_loss(pred, target, None, cfg, kind="l2").item() == pytest.approx(0.25)
    assert reconstruction_loss(pred, target, None, cfg, kind="l1").item() == pytest.approx(0.5)


def test_full_mode_weight_map_regions():
    weights = ReconstructionWeights(hole=2.0, band=7.0, known=0.25, band_width=3)
    w = reconstruction_weight_map(square_mask(64, 20, 40), full_cfg(), weights)[0, 0]
    assert w.shape == (64, 64)
    assert w[30, 30] == 2.0  # hole interior
    assert w[0, 0] == 0.25 and w[30, 5] == 0.25  # known, far from the hole
    row = w[30]
    assert torch.all(row[17:23] == 7.0)  # 3 px outside and 3 px inside the rim
    assert row[16] == 0.25 and row[23] == 2.0
    assert torch.all(row[37:43] == 7.0) and row[36] == 2.0 and row[43] == 0.25


def test_full_mode_band_width_zero_and_border():
    weights = ReconstructionWeights(hole=1.0, band=10.0, known=0.0, band_width=0)
    m = square_mask(64, 20, 40)
    w = reconstruction_weight_map(m, full_cfg(), weights)
    assert torch.equal(w, m)  # no band: exactly the hole
    # A hole touching the image border: the border is not a rim.
    edge = torch.zeros(1, 1, 64, 64)
    edge[..., :, :10] = 1
    band = rim_band(edge, 2)[0, 0]
    assert torch.all(band[:, 8:12] == 1) and torch.all(band[:, :8] == 0) and torch.all(band[:, 12:] == 0)


def test_full_mode_loss_follows_the_weights():
    cfg = full_cfg()
    mask = square_mask(64, 20, 40)
    weights = ReconstructionWeights(hole=1.0, band=10.0, known=0.1, band_width=4)
    target = torch.zeros(1, 3, 64, 64)
    n = target.numel()

    def loss_with_error_at(r, c):
        pred = target.clone()
        pred[0, 0, r, c] = 1.0
        return reconstruction_loss(pred, target, mask, cfg, weights).item()

    assert loss_with_error_at(30, 30) == pytest.approx(1.0 / n)  # hole interior
    assert loss_with_error_at(20, 30) == pytest.approx(10.0 / n)  # inner rim
    assert loss_with_error_at(17, 30) == pytest.approx(10.0 / n)  # outer rim
    assert loss_with_error_at(2, 2) == pytest.approx(0.1 / n)  # known, far away


def test_zero_weight_gives_zero_gradient():
    cfg = full_cfg()
    mask = square_mask(64, 20, 40)
    pred = torch.zeros(1, 3, 64, 64, requires_grad=True)
    target = torch.ones(1, 3, 64, 64)
    reconstruction_loss(pred, target, mask, cfg, ReconstructionWeights(known=0.0)).backward()
    g = pred.grad[0, 0]
    assert g[2, 2] == 0 and g[30, 30] < 0


def test_reconstruction_loss_errors():
    with pytest.raises(ValueError, match="must be one of"):
        reconstruction_loss(torch.zeros(1, 3, 32, 32), torch.zeros(1, 3, 32, 32), None, center_cfg(), kind="l3")
    with pytest.raises(ValueError, match="differ"):
        reconstruction_loss(torch.zeros(1, 3, 32, 32), torch.zeros(1, 3, 64, 64), None, center_cfg())
    with pytest.raises(ValueError, match="does not fit"):
        reconstruction_loss(torch.zeros(1, 3, 64, 64), torch.zeros(1, 3, 64, 64), None, center_cfg())
    with pytest.raises(ValueError, match="need the mask"):
        reconstruction_loss(torch.zeros(1, 3, 64, 64), torch.zeros(1, 3, 64, 64), None, full_cfg())
    with pytest.raises(ValueError, match=">= 0"):
        reconstruction_weight_map(None, center_cfg(), ReconstructionWeights(overlap_weight=-1))


def test_losses_are_float32_under_autocast():
    cfg = center_cfg()
    pred = torch.rand(2, 3, 32, 32).bfloat16()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        rec = reconstruction_loss(pred, torch.zeros(2, 3, 32, 32), None, cfg)
        adv = GAN_LOSSES["bce"].d_loss(torch.randn(2, 1).bfloat16(), torch.randn(2, 1).bfloat16())
    assert rec.dtype == torch.float32 and adv.dtype == torch.float32


@pytest.mark.parametrize("name", sorted(GAN_LOSSES))
def test_gan_losses_move_the_right_way(name):
    loss = GAN_LOSSES[name]
    real_good = torch.ones(4, 1)
    fake_good = torch.full((4, 1), 0.0 if name == "lsgan" else -1.0)  # LSGAN's fake target is 0
    mid = torch.full((4, 1), 0.5)
    good_d = loss.d_loss(real_good, fake_good)
    assert good_d < loss.d_loss(mid, mid) < loss.d_loss(-real_good, real_good)
    assert good_d.ndim == 0
    # G wants D fooled: lower loss when D calls the fake real.
    assert loss.g_loss(real_good) < loss.g_loss(mid) < loss.g_loss(-real_good)
    # Gradients push D's logits the right way: real up, fake down.
    real = torch.full((4, 1), 0.5, requires_grad=True)
    fake = torch.full((4, 1), 0.5, requires_grad=True)
    loss.d_loss(real, fake).backward()
    assert torch.all(real.grad < 0) and torch.all(fake.grad > 0)
    fake_g = torch.full((4, 1), 0.5, requires_grad=True)
    loss.g_loss(fake_g).backward()
    assert torch.all(fake_g.grad < 0)
    # Patch logits (B, 1, h, w) work too.
    assert loss.d_loss(torch.zeros(2, 1, 5, 5), torch.zeros(2, 1, 5, 5)).ndim == 0


def test_gan_loss_values():
    zeros = torch.zeros(3, 1)
    assert GAN_LOSSES["bce"].d_loss(zeros, zeros).item() == pytest.approx(2 * math.log(2))
    assert GAN_LOSSES["bce"].g_loss(zeros).item() == pytest.approx(math.log(2))
    hinge = GAN_LOSSES["hinge"]
    assert hinge.d_loss(torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])).item() == pytest.approx(0.25 + 0.5)
    assert hinge.g_loss(torch.tensor([1.0, 3.0])).item() == pytest.approx(-2.0)
    assert GAN_LOSSES["lsgan"].d_loss(torch.ones(2), torch.zeros(2)).item() == 0.0
    assert GAN_LOSSES["lsgan"].g_loss(torch.ones(2)).item() == 0.0


@pytest.mark.parametrize("cfg", [center_cfg(64), full_cfg(64, kind="unet")], ids=["ce-center", "unet-full"])
def test_adam_steps_lower_the_reconstruction_loss(cfg):
    torch.manual_seed(0)
    model = build_generator(cfg)
    # Smooth images, so the hole is predictable from its surroundings.
    coarse = torch.rand(4, 3, 4, 4) * 2 - 1
    images = torch.nn.functional.interpolate(coarse, size=64, mode="bilinear", align_corners=False)
    mask = torch.zeros(4, 1, 64, 64)
    a, b = center_box(64)
    mask[..., a + 4:b - 4, a + 4:b - 4] = 1
    x = torch.where(mask > 0, torch.zeros_like(images), images)
    target = images[..., a:b, a:b] if cfg.mode == "center" else images
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, betas=(0.5, 0.999))
    losses = []
    for _ in range(15):
        loss = reconstruction_loss(model(x), target, mask, cfg, kind="l2")
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(math.isfinite(v) for v in losses)
    assert losses[-1] < 0.5 * losses[0]


def test_torch_free_loss_names_match_the_registries():
    # inpaint.train.config (and the CLI choices) list the loss names without importing torch.
    from inpaint.train.config import GAN_LOSS_NAMES, REC_LOSSES

    assert set(GAN_LOSS_NAMES) == set(GAN_LOSSES)
    assert set(REC_LOSSES) == set(RECONSTRUCTION_KINDS)
