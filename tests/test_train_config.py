"""Training configuration: defaults, layering, YAML/TOML files, validation messages."""

import pytest

from inpaint.errors import TrainingError
from inpaint.train.config import build_config, config_from_dict, dump_yaml, normalise, read_config_file


def test_defaults_follow_the_context_encoder_recipe():
    cfg = build_config({"data_dir": "d", "out": "o"})
    assert cfg.generator.mode == "center" and cfg.generator.image_size == 128
    assert cfg.loss.adv_weight == 0.001 and cfg.loss.rec_weight == 0.999 and cfg.adversarial
    assert cfg.optim.lr == 2e-4 and cfg.optim.beta1 == 0.5 and cfg.optim.d_lr_ratio == 0.1
    assert cfg.schedule.batch_size == 64 and cfg.scale_range() == (350, 350)
    assert build_config({"image_size": 64}).scale_range() == (175, 175)
    assert cfg.total_steps(100) == 10000


def test_mode_follows_mask_unless_given():
    assert build_config({"mask": "block"}).generator.mode == "full"
    assert build_config({"mask": "center", "mode": "full"}).generator.mode == "full"
    with pytest.raises(TrainingError, match="needs --mask center"):
        build_config({"mask": "block", "mode": "center"})


def test_yaml_file_and_flag_override(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("image-size: 64\nngf: 16\nmask: stroke\nadv_weight: 0\nsteps: 50\n")
    file_layer = read_config_file(path)
    cfg = build_config(file_layer, normalise({"ngf": 8}, "options"))
    assert cfg.generator.image_size == 64 and cfg.generator.ngf == 8  # flag wins
    assert cfg.data.mask == "stroke" and cfg.generator.mode == "full" and not cfg.adversarial
    assert cfg.schedule.steps == 50
    assert build_config(file_layer, {"epochs": 3}).schedule.steps is None  # epochs replaces steps


def test_toml_file(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('generator = "unet"\nmask = "mixed"\nlr = 1e-3\nresidual = true\nprefill = "telea"\n')
    cfg = build_config(read_config_file(path))
    assert cfg.generator.kind == "unet" and cfg.generator.residual and cfg.optim.lr == 1e-3


@pytest.mark.parametrize("text, message", [
    ("bogus_key: 3\n", "unknown setting 'bogus_key'"),
    ("ngf: many\n", "'ngf' must be an integer"),
    ("amp: 3\n", "'amp' must be true or false"),
    ("- a list\n", "must hold a mapping"),
    ("ngf: [1\n", "cannot parse config file"),
])
def test_bad_config_files(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TrainingError, match=message.replace("[", r"\[")):
        read_config_file(path)
    with pytest.raises(TrainingError, match="not found"):
        read_config_file(tmp_path / "missing.yaml")


@pytest.mark.parametrize("settings, message", [
    ({"image_size": 100}, "image size must be one of"),
    ({"batch_size": 0}, "batch size must be at least 1"),
    ({"val_fraction": 1.5}, r"val fraction must be in \[0, 1\)"),
    ({"steps": 5, "epochs": 2}, "not both"),
    ({"mask": "triangle"}, "unknown mask 'triangle'"),
    ({"lr": 0.0}, "learning rates must be positive"),
    ({"scale_min": 300, "scale_max": 200}, "scale range"),
    ({"device": "tpu"}, "device must be"),
])
def test_out_of_range_settings(settings, message):
    with pytest.raises(TrainingError, match=message):
        build_config(settings)


def test_saved_yaml_and_nested_dict_round_trip(tmp_path):
    cfg = build_config({"data_dir": "d", "out": "o", "mask": "thin", "ngf": 8, "epochs": 2,
                        "conditional": True, "d_norm": "spectral"})
    path = tmp_path / "config.yaml"
    path.write_text(dump_yaml(cfg))
    assert build_config(read_config_file(path)) == cfg
    assert config_from_dict(cfg.to_dict()) == cfg


def test_every_config_field_is_a_setting():
    from dataclasses import fields

    from inpaint.train.config import SETTINGS, TrainConfig

    reachable = {(sec, attr) for sec, attr in SETTINGS.values()}
    cfg = TrainConfig()
    for section in (f.name for f in fields(TrainConfig)):
        for f in fields(getattr(cfg, section)):
            assert (section, f.name) in reachable, f"{section}.{f.name} has no flat setting"
    cfg = build_config({"upsample": "bilinear", "dropout": 0.0})
    assert cfg.generator.upsample == "bilinear" and cfg.generator.dropout == 0.0
    with pytest.raises(TrainingError, match="dropout"):
        build_config({"dropout": 1.5})


def test_patch_discriminator_depth_is_checked_against_what_it_judges():
    """A too-deep PatchGAN used to crash with a traceback after the run folder was created."""
    from inpaint.models.discriminators import patch_output_size

    for size, mask, deepest in ((64, "center", 3), (64, "block", 4), (128, "block", 5)):
        judged = size // 2 if mask == "center" else size
        assert patch_output_size(judged, deepest) >= 1 > patch_output_size(judged, deepest + 1)
        build_config({"image_size": size, "mask": mask, "discriminator": "patch", "d_layers": deepest})
        with pytest.raises(TrainingError, match=f"d_layers {deepest + 1} is too deep .*at most {deepest}\\)"):
            build_config({"image_size": size, "mask": mask, "discriminator": "patch",
                          "d_layers": deepest + 1})
    # no discriminator is built without the adversarial loss
    build_config({"image_size": 64, "discriminator": "patch", "d_layers": 9, "adv_weight": 0})


def test_mask_mix_is_parsed_checked_and_needs_mixed():
    from inpaint.train.config import parse_mask_mix

    cfg = build_config({"mask": "mixed", "mask_mix": "center=2, block=1,stroke"})
    assert parse_mask_mix(cfg.data.mask_mix) == {"center": 2.0, "block": 1.0, "stroke": 1.0}
    with pytest.raises(TrainingError, match="needs --mask mixed"):
        build_config({"mask": "block", "mask_mix": "block=1"})
    with pytest.raises(TrainingError, match="mask mix: .*unknown mask kind 'triangle'"):
        build_config({"mask": "mixed", "mask_mix": "triangle=1"})
    with pytest.raises(TrainingError, match="weight of 'block' must be a number"):
        build_config({"mask": "mixed", "mask_mix": "block=lots"})
    with pytest.raises(TrainingError, match="at least one weight must be positive"):
        build_config({"mask": "mixed", "mask_mix": "block=0"})


def test_mask_mix_reaches_the_training_masks():
    """Only centre holes in the mix → every training mask is the centre square."""
    import numpy as np

    from inpaint.config import GeneratorConfig
    from inpaint.train.samples import mask_generator

    gen = mask_generator("mixed", GeneratorConfig(mode="full"), {"center": 1.0, "block": 0.0})
    first = gen.generate(64, 64, np.random.default_rng(0))
    for seed in range(1, 6):
        assert np.array_equal(gen.generate(64, 64, np.random.default_rng(seed)), first)
    assert 0 < (first == 255).mean() < 0.5


def test_lr_schedules():
    from inpaint.train.step import lr_factor

    assert [lr_factor("constant", s, 100) for s in (0, 50, 99)] == [1.0, 1.0, 1.0]
    cos = [lr_factor("cosine", s, 100) for s in range(100)]
    assert cos[0] == 1.0 and abs(cos[50] - 0.5) < 1e-12 and 0 < cos[-1] < 0.001
    assert all(a > b for a, b in zip(cos, cos[1:]))  # strictly decreasing
    with pytest.raises(TrainingError, match="lr schedule must be one of"):
        build_config({"lr_schedule": "step"})
