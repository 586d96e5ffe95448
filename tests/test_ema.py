"""The moving average of the generator's weights (--ema): its arithmetic, a run that keeps one,
resume, export and inference reading it, and the refusals."""

import pytest
import torch
from click.testing import CliRunner
from train_helpers import noise_photos, tiny_gan_config

from inpaint.checkpoint import export_for_inference, inference_weights, load_checkpoint, load_generator
from inpaint.errors import CheckpointError, TrainingError
from inpaint.train import build_config, run_training
from inpaint.train.ema import WeightAverage

torch.set_num_threads(1)


def test_the_average_warms_up_then_moves_by_one_minus_decay():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 1), torch.nn.BatchNorm2d(1))
    with torch.no_grad():
        model[0].weight.fill_(0.0)
    ema = WeightAverage(model, 0.9)
    assert ema.rate() == pytest.approx(0.1)  # (1 + 0) / (10 + 0): the first update keeps 10 %
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[1].running_mean.fill_(2.0)
        model[1].num_batches_tracked.fill_(7)
    ema.update(model)
    assert ema.model[0].weight.item() == pytest.approx(0.9)
    assert ema.model[1].running_mean.item() == pytest.approx(1.8)  # float buffers are averaged
    assert ema.model[1].num_batches_tracked.item() == 7  # integer buffers are copied
    ema.updates = 1000
    assert ema.rate() == 0.9  # past the warm-up: the decay
    ema.update(model)
    assert ema.model[0].weight.item() == pytest.approx(0.9 * 0.9 + 0.1)
    assert not ema.model.training and not any(p.requires_grad for p in ema.model.parameters())
    assert model[0].weight.item() == 1.0  # the trained model is never touched
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"\(0, 1\)"):
            WeightAverage(model, bad)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return noise_photos(tmp_path_factory.mktemp("photos"), seed=0)


small = tiny_gan_config


def test_a_run_keeps_the_average_and_everything_downstream_uses_it(photos, tmp_path, capsys):
    result = run_training(small(photos, tmp_path / "r", ema=0.5))
    assert "validating the weights' moving average (decay 0.5)" in capsys.readouterr().err
    state = load_checkpoint(tmp_path / "r" / "last.pt")
    raw, avg = state["generator"], state["generator_ema"]
    assert raw.keys() == avg.keys()
    assert any(not torch.equal(raw[k], avg[k]) for k in raw if raw[k].is_floating_point())
    assert inference_weights(state) is avg
    for k, v in avg.items():
        assert torch.equal(result.generator_state[k], v), k  # the API returns the model: the average
    model, _, _ = load_generator(tmp_path / "r" / "last.pt")  # inpaint fill / eval on a training checkpoint
    assert all(torch.equal(model.state_dict()[k], v) for k, v in avg.items())
    slim = export_for_inference(tmp_path / "r" / "last.pt", tmp_path / "model.pt")
    assert "generator_ema" not in slim and all(torch.equal(slim["generator"][k], v) for k, v in avg.items())
    assert "ema: 0.5" in (tmp_path / "r" / "config.yaml").read_text()
    # fine-tuning from the run starts from its model, the average (step 0: nothing trained yet)
    tuned = run_training(small(photos, tmp_path / "ft", init=str(tmp_path / "r" / "last.pt"), steps=1, lr=1e-12))
    assert all(torch.allclose(tuned.generator_state[k].float(), v.float(), atol=1e-6) for k, v in avg.items()
               if "running" not in k and "num_batches" not in k)

    plain = run_training(small(photos, tmp_path / "plain"))  # the trained weights are the same run's
    assert load_checkpoint(tmp_path / "plain" / "last.pt")["generator_ema"] is None
    for k, v in plain.generator_state.items():
        assert torch.equal(v, raw[k]), k


def test_resuming_continues_the_average_exactly(photos, tmp_path, capsys):
    whole = run_training(small(photos, tmp_path / "whole", ema=0.5))
    run_training(small(photos, tmp_path / "split", ema=0.5, steps=2))
    resumed = run_training(small(photos, tmp_path / "split", ema=0.5), resume=tmp_path / "split")
    for k, v in whole.generator_state.items():
        assert torch.equal(v, resumed.generator_state[k]), k
    # a run that kept no average gets one from its resumed weights, with a note
    run_training(small(photos, tmp_path / "late", steps=2))
    capsys.readouterr()
    run_training(small(photos, tmp_path / "late", ema=0.5), resume=tmp_path / "late")
    assert "kept no weight average: --ema starts one" in capsys.readouterr().err
    assert load_checkpoint(tmp_path / "late" / "last.pt")["generator_ema"] is not None


def test_a_non_finite_average_is_never_used(photos, tmp_path):
    run_training(small(photos, tmp_path / "r", ema=0.5, steps=2))
    state = torch.load(tmp_path / "r" / "last.pt", weights_only=True)
    name = next(k for k, v in state["generator_ema"].items() if v.is_floating_point())
    state["generator_ema"][name].fill_(float("nan"))
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="non-finite"):
        load_generator(tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="non-finite"):
        export_for_inference(tmp_path / "bad.pt", tmp_path / "out.pt")
    assert not (tmp_path / "out.pt").exists()


def test_bad_decays_are_refused_in_one_line(tmp_path):
    for bad in (1.0, -0.1):
        with pytest.raises(TrainingError, match=r"--ema must be in \[0, 1\)"):
            build_config({"ema": bad})
    assert build_config({"ema": 0.999}).optim.ema == 0.999
    from cli.main import main as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["train", str(tmp_path), "--ema", "1", "--out", str(tmp_path / "r")])
    assert result.exit_code != 0 and "Error: --ema must be in [0, 1)" in result.output
    assert "Traceback" not in result.output
    assert "--ema" in runner.invoke(cli, ["train", "--help"]).output
