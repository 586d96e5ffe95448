"""Each generator's own parameters: the registry, the refusal of another generator's knob, and
the flat generator dicts older versions stored (every generator's knobs for every kind)."""

from dataclasses import fields

import pytest
import torch
from click.testing import CliRunner

from cli.main import main
from conftest import SHIPPED_DEFAULT_CHECKPOINT
from inpaint.config import GeneratorConfig
from inpaint.errors import TrainingError
from inpaint.models import GENERATORS, build_generator
from inpaint.models.bottlenecks import BOTTLENECKS
from inpaint.models.context_encoder_params import BOTTLENECK_KINDS, CEParams
from inpaint.models.unet_params import UNetParams
from inpaint.train.config import build_config

OLD_UNET = {"kind": "unet", "mode": "full", "image_size": 64, "ngf": 8, "bottleneck": "channelwise",
            "n_bottleneck": 16, "mask_channel": False, "prefill": "mean", "residual": False,
            "overlap": 4, "upsample": "bilinear", "dropout": 0.0, "image_channels": 3, "out_channels": 3}


def test_registry_names_each_network_and_its_params():
    assert {k: s.params for k, s in GENERATORS.items()} == {"ce": CEParams, "unet": UNetParams}
    for spec in GENERATORS.values():
        assert issubclass(spec.network_class(), torch.nn.Module)
    assert tuple(BOTTLENECKS) == BOTTLENECK_KINDS


def test_knob_names_never_collide_with_the_common_fields():
    common = {f.name for f in fields(GeneratorConfig)}
    for spec in GENERATORS.values():
        assert not common & set(spec.params.knobs()), spec.params


def test_flat_keywords_fill_the_kinds_params_and_another_kinds_knob_is_refused():
    cfg = GeneratorConfig(kind="ce", ngf=8, n_bottleneck=16, bottleneck="channelwise")
    assert cfg.params == CEParams(bottleneck="channelwise", n_bottleneck=16)
    assert cfg.n_bottleneck == 16  # reads the kind's knob
    assert GeneratorConfig(kind="unet", mode="full", dropout=0.0).params == UNetParams(dropout=0.0)
    with pytest.raises(ValueError, match="n_bottleneck is a setting of the ce generator, not unet"):
        GeneratorConfig(kind="unet", mode="full", n_bottleneck=16)
    with pytest.raises(AttributeError):
        GeneratorConfig(kind="unet").n_bottleneck
    with pytest.raises(AttributeError, match="cfg.params"):
        GeneratorConfig().dropout = 0.1  # would add an attribute nothing reads
    round_trip = GeneratorConfig.from_dict(cfg.to_dict())
    assert round_trip == cfg and round_trip.to_dict() == cfg.to_dict()


def test_old_flat_dicts_with_every_generators_knobs_still_load():
    cfg = GeneratorConfig.from_dict(OLD_UNET)
    assert cfg.params == UNetParams(upsample="bilinear", dropout=0.0)
    assert "bottleneck" not in cfg.to_dict()
    build_generator(cfg)
    with pytest.raises(ValueError, match="unknown generator settings: nope"):
        GeneratorConfig.from_dict({**OLD_UNET, "nope": 1})


def test_the_shipped_default_model_reads_as_before():
    state = torch.load(SHIPPED_DEFAULT_CHECKPOINT, weights_only=True)
    cfg = GeneratorConfig.from_dict(state["generator_config"])
    assert isinstance(cfg.params, GENERATORS[cfg.kind].params)
    stored = dict(state["generator_config"])  # flat, with every generator's knobs
    # every value it reads is the stored one (fields it predates take their defaults)
    assert all(stored[k] == v for k, v in cfg.to_dict().items() if k in stored)
    build_generator(cfg).load_state_dict(state["generator"])


def test_build_config_refuses_a_knob_the_chosen_generator_lacks():
    with pytest.raises(TrainingError, match="^--bottleneck is a setting of the ce generator, not unet$"):
        build_config({"bottleneck": "channelwise", "generator": "unet", "mask": "block"})
    # the colorize task's defaults pick the U-Net; a CE knob given with it is refused too
    with pytest.raises(TrainingError, match="--n-bottleneck is a setting of the ce generator"):
        build_config({"task": "colorize", "n_bottleneck": 8})
    # a task's defaults name knobs of the generator they pick: another generator given wins
    cfg = build_config({"task": "colorize", "generator": "ce", "mode": "full", "bottleneck": "channelwise"})
    assert cfg.generator.params == CEParams(bottleneck="channelwise", upsample="bilinear")


def test_the_cli_says_it_in_one_line(tmp_path):
    r = CliRunner().invoke(main, ["train", str(tmp_path), "--out", str(tmp_path / "o"), "--bottleneck",
                                  "channelwise", "--generator", "unet", "--mask", "block"])
    assert r.exit_code == 1 and r.output.strip() == "Error: --bottleneck is a setting of the ce generator, not unet"


def test_an_old_config_yaml_listing_every_knob_is_still_read(tmp_path):
    from inpaint.train.config import read_config_file

    path = tmp_path / "config.yaml"
    path.write_text("generator: unet\nmask: block\nbottleneck: conv\nn_bottleneck: 4000\ndropout: 0.0\n")
    cfg = build_config(read_config_file(path))
    assert cfg.generator.params == UNetParams(dropout=0.0)
    path.write_text("generator: unet\nmask: block\nbottleneck: channelwise\n")  # not a dump's default
    with pytest.raises(TrainingError, match="--bottleneck is a setting of the ce generator"):
        build_config(read_config_file(path))
