"""Generators and discriminators: shapes, architecture, residual head, norms, init, I/O contract."""

import math

import pytest
import torch
from torch import nn

from inpaint.checkpoint import load_generator, save_checkpoint
from inpaint.config import DiscriminatorConfig, GeneratorConfig
from inpaint.models import (DISCRIMINATORS, GENERATORS, build_discriminator, build_generator,
                            count_generator_flops, count_parameters)
from inpaint.models.bottlenecks import ChannelwiseBottleneck, ChannelwiseFC
from inpaint.models.discriminators import patch_output_size
from inpaint.network_input import center_box, composite

torch.set_num_threads(1)


def tiny(**kw) -> GeneratorConfig:
    base = dict(ngf=8, n_bottleneck=16)
    base.update(kw)
    if base.get("kind", "ce") != "ce":  # the CE's own knobs (parametrised for every kind): the U-Net has none
        base.pop("n_bottleneck")
        base.pop("bottleneck", None)
    return GeneratorConfig(**base)


def rand_input(cfg: GeneratorConfig, batch=2, seed=0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(batch, cfg.in_channels, cfg.image_size, cfg.image_size, generator=g) * 2 - 1


def convs(module):
    return [m for m in module.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]


def test_registries():
    assert set(GENERATORS) == {"ce", "unet"}
    assert set(DISCRIMINATORS) == {"dcgan", "patch"}


@pytest.mark.parametrize("size", [64, 128, 256])
@pytest.mark.parametrize("mode", ["center", "full"])
@pytest.mark.parametrize("bottleneck", ["conv", "channelwise"])
@pytest.mark.parametrize("mask_channel", [False, True])
def test_ce_output_shapes(size, mode, bottleneck, mask_channel):
    torch.manual_seed(0)
    cfg = tiny(kind="ce", mode=mode, image_size=size, bottleneck=bottleneck, mask_channel=mask_channel)
    model = build_generator(cfg)
    out = model(rand_input(cfg))
    side = size // 2 if mode == "center" else size
    assert out.shape == (2, 3, side, side)
    assert out.min() >= -1 and out.max() <= 1


@pytest.mark.parametrize("size", [64, 128, 256])
@pytest.mark.parametrize("mask_channel", [False, True])
@pytest.mark.parametrize("upsample", ["transposed", "bilinear"])
def test_unet_output_shapes(size, mask_channel, upsample):
    torch.manual_seed(0)
    cfg = tiny(kind="unet", mode="full", image_size=size, mask_channel=mask_channel, upsample=upsample)
    model = build_generator(cfg)
    out = model(rand_input(cfg))
    assert out.shape == (2, 3, size, size)
    assert out.min() >= -1 and out.max() <= 1
    # Depth follows the size: log2(S) down convs, the innermost at 1×1.
    downs = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.stride == (2, 2)]
    assert len(downs) == int(math.log2(size))


def test_ce_bilinear_upsampling_has_no_transposed_stride2_convs():
    model = build_generator(tiny(kind="ce", mode="full", image_size=64, upsample="bilinear"))
    assert not [m for m in model.modules() if isinstance(m, nn.ConvTranspose2d) and m.stride == (2, 2)]
    assert model(rand_input(tiny(image_size=64))).shape == (2, 3, 64, 64)


def test_ce_128_is_the_paper_architecture():
    cfg = GeneratorConfig(kind="ce", mode="center", image_size=128, ngf=64, n_bottleneck=4000)
    with torch.device("meta"):  # 71 M parameters: no need to allocate them
        model = build_generator(cfg)
    enc = [(m.in_channels, m.out_channels) for m in convs(model.encoder)]
    assert enc == [(3, 64), (64, 64), (64, 128), (128, 256), (256, 512)]
    neck = [(m.in_channels, m.out_channels, m.kernel_size) for m in convs(model.bottleneck)]
    assert neck == [(512, 4000, (4, 4)), (4000, 512, (4, 4))]
    dec = [(m.in_channels, m.out_channels) for m in convs(model.decoder)]
    assert dec == [(512, 256), (256, 128), (128, 64), (64, 3)]
    norms = [m for m in model.encoder if isinstance(m, nn.BatchNorm2d)]
    assert len(norms) == 4  # after all but the first conv
    acts = [m for m in model.encoder if isinstance(m, nn.LeakyReLU)]
    assert all(a.negative_slope == 0.2 and a.inplace for a in acts)


def test_unet_256_dropout_in_first_three_decoder_blocks():
    model = build_generator(tiny(kind="unet", mode="full", image_size=256, dropout=0.5))
    per_block = [sum(isinstance(m, nn.Dropout) for m in up.modules()) for up in model.ups]
    assert per_block == [1, 1, 1, 0, 0, 0, 0, 0]
    assert all(m.p == 0.5 for m in model.modules() if isinstance(m, nn.Dropout))
    no_drop = build_generator(tiny(kind="unet", mode="full", image_size=256, dropout=0.0))
    assert not any(isinstance(m, nn.Dropout) for m in no_drop.modules())


def test_channelwise_parameter_count_is_m_n4():
    m, n = 64, 4
    layer = ChannelwiseFC(m, n)
    assert count_parameters(layer) == m * n ** 4 + m * n ** 2  # weights + per-position biases
    dense = nn.Linear(m * n * n, m * n * n, bias=False)
    assert count_parameters(dense) == m * m * n ** 4  # what it replaces


def test_channelwise_keeps_channels_separate():
    torch.manual_seed(0)
    layer = ChannelwiseFC(8, 4)
    x = torch.randn(2, 8, 4, 4)
    y = layer(x)
    x2 = x.clone()
    x2[:, 3] += 5.0  # changing one channel's input...
    y2 = layer(x2)
    changed = (y2 - y).abs().flatten(2).amax(-1)  # (B, C)
    assert (changed[:, 3] > 0).all()
    assert torch.equal(torch.cat([y[:, :3], y[:, 4:]], 1), torch.cat([y2[:, :3], y2[:, 4:]], 1))
    # ...and matches an explicit per-channel dense map
    ref = torch.stack([x[:, c].flatten(1) @ layer.weight[c] + layer.bias[c] for c in range(8)], 1)
    torch.testing.assert_close(y, ref.reshape(2, 8, 4, 4))


def test_channelwise_bottleneck_in_ce_and_dropout():
    model = build_generator(tiny(kind="ce", image_size=64, bottleneck="channelwise", dropout=0.3))
    neck = model.bottleneck
    assert isinstance(neck, ChannelwiseBottleneck)
    assert neck.fc.channels == 64 and neck.fc.spatial == 4  # 8·ngf channels at 4×4
    assert [m.p for m in neck.modules() if isinstance(m, nn.Dropout)] == [0.3]


@pytest.mark.parametrize("kind,mode", [("ce", "center"), ("ce", "full"), ("unet", "full")])
@pytest.mark.parametrize("mask_channel", [False, True])
def test_residual_zero_correction_returns_input(kind, mode, mask_channel):
    torch.manual_seed(0)
    cfg = tiny(kind=kind, mode=mode, image_size=64, residual=True, mask_channel=mask_channel)
    model = build_generator(cfg).eval()
    last = convs(model)[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    x = rand_input(cfg)
    out = model(x)
    expected = x[:, :3]
    if mode == "center":
        a, b = center_box(64)
        expected = expected[..., a:b, a:b]
    assert torch.equal(out, expected)


def test_residual_output_is_clamped_pixels():
    torch.manual_seed(0)
    cfg = tiny(kind="ce", mode="full", image_size=64, residual=True)
    model = build_generator(cfg).eval()
    with torch.no_grad():
        convs(model)[-1].bias.fill_(3.0)  # a large positive correction everywhere
    x = rand_input(cfg)
    out = model(x)
    assert out.min() >= -1 and out.max() <= 1
    assert torch.all(out >= x[:, :3] - 1e-6)  # the correction pushed every pixel up
    assert (out == 1.0).float().mean() > 0.3  # and clamped the bright ones at 1


def test_dcgan_init():
    torch.manual_seed(0)
    model = build_generator(tiny(kind="ce", image_size=128, ngf=32))
    w = torch.cat([m.weight.flatten() for m in convs(model)])
    assert abs(w.mean().item()) < 2e-3 and abs(w.std().item() - 0.02) < 2e-3
    bn = torch.cat([m.weight for m in model.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(bn.mean().item() - 1.0) < 5e-3 and abs(bn.std().item() - 0.02) < 5e-3


@pytest.mark.parametrize("mode,size", [("center", 64), ("center", 128), ("full", 64), ("full", 128)])
@pytest.mark.parametrize("norm", ["batch", "instance", "spectral"])
def test_dcgan_discriminator_shapes(mode, size, norm):
    torch.manual_seed(0)
    gcfg = tiny(mode=mode, image_size=size)
    d = build_discriminator(DiscriminatorConfig(kind="dcgan", ndf=8, norm=norm), gcfg)
    side = size // 2 if mode == "center" else size
    assert d(torch.randn(3, 3, side, side)).shape == (3, 1)


def test_dcgan_discriminator_is_ce_architecture():
    d = build_discriminator(DiscriminatorConfig(kind="dcgan", ndf=64), GeneratorConfig(image_size=128))
    assert [(m.in_channels, m.out_channels, m.stride) for m in convs(d)] == [
        (3, 64, (2, 2)), (64, 128, (2, 2)), (128, 256, (2, 2)), (256, 512, (2, 2)), (512, 1, (1, 1))]
    assert sum(isinstance(m, nn.BatchNorm2d) for m in d.modules()) == 3


@pytest.mark.parametrize("norm", ["batch", "instance", "spectral"])
def test_patch_discriminator_30x30_at_256(norm):
    torch.manual_seed(0)
    gcfg = tiny(kind="unet", mode="full", image_size=256)
    d = build_discriminator(DiscriminatorConfig(kind="patch", ndf=8, n_layers=3, norm=norm), gcfg)
    assert d(torch.randn(1, 3, 256, 256)).shape == (1, 1, 30, 30)
    assert patch_output_size(256, 3) == 30


def test_norm_options_build_the_right_layers():
    gcfg = tiny(mode="full", image_size=64)
    kinds = {}
    for norm in ("batch", "instance", "spectral"):
        d = build_discriminator(DiscriminatorConfig(kind="patch", ndf=8, norm=norm), gcfg)
        kinds[norm] = {type(m).__name__ for m in d.modules()}
        sn = [m for m in convs(d) if torch.nn.utils.parametrize.is_parametrized(m, "weight")]
        assert len(sn) == (len(convs(d)) if norm == "spectral" else 0)
    assert "BatchNorm2d" in kinds["batch"] and "InstanceNorm2d" not in kinds["batch"]
    assert "InstanceNorm2d" in kinds["instance"] and "BatchNorm2d" not in kinds["instance"]
    assert not {"BatchNorm2d", "InstanceNorm2d"} & kinds["spectral"]


def test_patch_receptive_field_is_70():
    torch.manual_seed(0)
    gcfg = tiny(kind="unet", mode="full", image_size=256)
    # spectral: no norm layer, whose statistics would spread the gradient image-wide
    d = build_discriminator(DiscriminatorConfig(kind="patch", ndf=4, norm="spectral"), gcfg)
    x = torch.randn(1, 3, 256, 256, requires_grad=True)
    d(x)[0, 0, 15, 15].backward()
    rows = torch.nonzero(x.grad.abs().sum(dim=(0, 1, 3)))
    cols = torch.nonzero(x.grad.abs().sum(dim=(0, 1, 2)))
    assert rows.max() - rows.min() + 1 == 70 and cols.max() - cols.min() + 1 == 70


def test_patch_too_deep_for_input_is_rejected():
    with pytest.raises(ValueError, match="too deep"):
        build_discriminator(DiscriminatorConfig(kind="patch", n_layers=6), tiny(mode="center", image_size=64))


@pytest.mark.parametrize("kind", ["dcgan", "patch"])
@pytest.mark.parametrize("mode", ["center", "full"])
def test_conditional_discriminators(kind, mode):
    torch.manual_seed(0)
    gcfg = tiny(mode=mode, image_size=64, mask_channel=True)
    d = build_discriminator(DiscriminatorConfig(kind=kind, ndf=8, conditional=True), gcfg)
    assert convs(d)[0].in_channels == 3 + gcfg.in_channels
    side = 32 if mode == "center" else 64
    x = torch.randn(2, 3, side, side)
    cond = rand_input(gcfg)
    out = d(x, cond)
    assert out.shape[0] == 2 and out.shape[1] == 1
    with pytest.raises(ValueError, match="conditional"):
        d(x)
    if mode == "center":
        # Only the condition's centre crop is seen: changing its outside leaves logits unchanged.
        d.eval()
        cond2 = cond.clone()
        cond2[..., :16, :] = 0.7
        assert torch.equal(d(x, cond), d(x, cond2))
        cond2[..., 20, 20] = -0.9
        assert not torch.equal(d(x, cond), d(x, cond2))


def test_discriminator_rejects_wrong_patch_size():
    d = build_discriminator(DiscriminatorConfig(ndf=8), tiny(mode="center", image_size=64))
    with pytest.raises(ValueError, match="expects"):
        d(torch.randn(1, 3, 64, 64))


def test_build_validates_configs():
    with pytest.raises(ValueError):
        build_generator(tiny(kind="unet", mode="center"))
    with pytest.raises(ValueError):
        build_generator(tiny(upsample="nearest"))
    with pytest.raises(ValueError):
        build_generator(tiny(dropout=1.0))
    with pytest.raises(ValueError):
        build_discriminator(DiscriminatorConfig(norm="group"), tiny())


@pytest.mark.parametrize("kind,mode,bottleneck", [("ce", "center", "conv"), ("ce", "full", "channelwise"),
                                                  ("unet", "full", "conv")])
def test_channels_last_and_autocast(kind, mode, bottleneck):
    torch.manual_seed(0)
    cfg = tiny(kind=kind, mode=mode, image_size=64, bottleneck=bottleneck, dropout=0.0)
    model = build_generator(cfg).eval()
    x = rand_input(cfg)
    ref = model(x)
    cl_model = model.to(memory_format=torch.channels_last)
    out = cl_model(x.to(memory_format=torch.channels_last))
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = model(x)
    assert low.shape == ref.shape and torch.isfinite(low).all()
    assert (low.float() - ref).abs().mean() < 0.05


def test_composited_output_keeps_known_pixels_exactly():
    torch.manual_seed(0)
    for cfg in (tiny(mode="center", image_size=64), tiny(kind="unet", mode="full", image_size=64)):
        model = build_generator(cfg).eval()
        image = rand_input(cfg, batch=2)
        mask = torch.zeros(2, 1, 64, 64)
        a, b = center_box(64)
        mask[..., a + cfg.overlap:b - cfg.overlap, a + cfg.overlap:b - cfg.overlap] = 1
        mask[1, :, 2:6, 40:60] = 1 if cfg.mode == "full" else 0
        with torch.no_grad():
            out = composite(model(image), image, mask)
        known = mask.expand_as(image) < 0.5
        assert torch.equal(out[known], image[known])
        assert not torch.equal(out[~known], image[~known])


def test_checkpoint_round_trip_with_weights_only(tmp_path):
    torch.manual_seed(0)
    gcfg = tiny(kind="ce", mode="center", image_size=64, bottleneck="channelwise", residual=True)
    dcfg = DiscriminatorConfig(kind="patch", ndf=8, norm="spectral")
    g = build_generator(gcfg)
    d = build_discriminator(dcfg, gcfg)
    path = tmp_path / "m.pt"
    save_checkpoint(path, {"generator_config": gcfg.to_dict(), "generator": g.state_dict(),
                           "discriminator_config": dcfg.to_dict(), "discriminator": d.state_dict(),
                           "step": 0})
    loaded, cfg2, state = load_generator(path)
    assert cfg2 == gcfg
    x = rand_input(gcfg)
    with torch.no_grad():
        assert torch.equal(loaded(x), g.eval()(x))
    d2 = build_discriminator(DiscriminatorConfig.from_dict(state["discriminator_config"]), gcfg)
    d2.load_state_dict(state["discriminator"])


def test_half_export_is_half_the_file_and_loads_back_as_float32(tmp_path):
    from inpaint.checkpoint import export_for_inference
    from inpaint.errors import CheckpointError

    torch.manual_seed(0)
    gcfg = tiny(kind="unet", mode="full", image_size=64, residual=True, mask_channel=True)
    g = build_generator(gcfg).eval()
    src = tmp_path / "train.pt"
    save_checkpoint(src, {"generator_config": gcfg.to_dict(), "generator": g.state_dict(), "step": 5})
    export_for_inference(src, tmp_path / "full.pt")
    slim = export_for_inference(src, tmp_path / "half.pt", half=True)
    assert slim["generator"]["downs.0.0.weight"].dtype == torch.float16
    ratio = (tmp_path / "half.pt").stat().st_size / (tmp_path / "full.pt").stat().st_size
    assert 0.4 < ratio < 0.6
    loaded, _, _ = load_generator(tmp_path / "half.pt")
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    x = rand_input(gcfg)
    with torch.no_grad():
        diff = (loaded(x) - g(x)).abs().max().item()
    assert 0 < diff < 1e-2
    state = g.state_dict()
    state["downs.0.0.weight"][0, 0, 0, 0] = 1e6  # beyond float16's 65504
    save_checkpoint(src, {"generator_config": gcfg.to_dict(), "generator": state, "step": 5})
    with pytest.raises(CheckpointError, match="too large for float16"):
        export_for_inference(src, tmp_path / "big.pt", half=True)
    assert not (tmp_path / "big.pt").exists()


@pytest.mark.parametrize("cfg", [
    tiny(kind="ce", mode="center", image_size=64, bottleneck="channelwise", residual=True),
    tiny(kind="ce", mode="full", image_size=64, upsample="bilinear", mask_channel=True),
    tiny(kind="unet", mode="full", image_size=64, residual=True, upsample="bilinear"),
], ids=["ce-channelwise-residual", "ce-bilinear-mask", "unet-residual-bilinear"])
def test_every_parameter_gets_a_finite_gradient(cfg):
    # Also catches in-place activations clobbering tensors autograd still needs.
    torch.manual_seed(0)
    model = build_generator(cfg)
    model(rand_input(cfg)).square().mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert any(p.grad.abs().sum() > 0 for p in model.parameters())


@pytest.mark.parametrize("kind,bottleneck,upsample", [("ce", "conv", "transposed"),
                                                      ("ce", "channelwise", "bilinear"),
                                                      ("unet", "conv", "bilinear")])
def test_flop_counter(kind, bottleneck, upsample):
    base = dict(kind=kind, mode="full", image_size=64, bottleneck=bottleneck, upsample=upsample)
    small = count_generator_flops(tiny(**base))
    wide = count_generator_flops(tiny(**{**base, "ngf": 16}))
    assert small > 0 and 2.5 * small < wide < 4.5 * small  # conv FLOPs grow ~quadratically in width
    assert count_generator_flops(tiny(**base), batch=3) == 3 * small
