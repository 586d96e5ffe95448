"""Class rebalancing of the colourisation loss (--chroma-balance): the weights, the weighted loss,
and a colourisation run that uses them."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from inpaint.errors import TrainingError
from inpaint.losses import mean_reconstruction_loss
from inpaint.train import build_config, run_training
from inpaint.train.chroma_balance import BINS, ChromaBalance, balance_weights, chroma_bins, chroma_histogram

torch.set_num_threads(1)


def test_bins_cover_the_chroma_square():
    c = torch.tensor([[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0], [-1.0, 0.999]]).T.reshape(1, 2, 1, 4)
    assert chroma_bins(c).flatten().tolist() == [0, (BINS // 2) * BINS + BINS // 2, BINS * BINS - 1, BINS - 1]
    assert chroma_histogram(c).sum() == 4


def test_rare_colours_weigh_more_and_the_mean_weight_is_one():
    counts = torch.zeros(BINS * BINS, dtype=torch.float64)
    grey, red = (BINS // 2) * BINS + BINS // 2, 10 * BINS + 28
    counts[grey], counts[red] = 9000, 100
    w = balance_weights(counts, 0.5)
    assert w.shape == (BINS * BINS,) and torch.isfinite(w).all() and (w > 0).all()
    assert w[red] > 3 * w[grey]
    # the mean weight over the pixels the counts came from is 1: the loss keeps its scale
    assert float((counts * w.double()).sum() / counts.sum()) == pytest.approx(1.0, abs=1e-5)
    assert torch.allclose(balance_weights(counts, 1.0), torch.ones(BINS * BINS))  # λ = 1: no rebalancing
    less = balance_weights(counts, 0.8)
    assert w[red] / w[grey] > less[red] / less[grey] > 1  # a larger λ rebalances less
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match=r"\(0, 1\]"):
            balance_weights(counts, bad)


def crop_chromas():
    """The CbCr of 8 crops: grey, with a red square in one of four."""
    from inpaint.color import rgb_to_ycbcr_tensor

    for i in range(8):
        crop = torch.full((1, 3, 16, 16), 120.0)
        if i % 4 == 0:
            crop[:, :, :4, :4] = torch.tensor([220.0, 30.0, 30.0]).view(3, 1, 1)
        yield rgb_to_ycbcr_tensor(crop / 127.5 - 1.0)[1]


def test_measured_weights_favour_the_rare_red_over_the_grey():
    from inpaint.color import rgb_to_ycbcr_tensor

    bal = ChromaBalance.measure(crop_chromas(), 0.5)
    rgb = torch.tensor([[[220, 30, 30]], [[120, 120, 120]]], dtype=torch.float32).permute(2, 0, 1)[None]
    _, chroma = rgb_to_ycbcr_tensor(rgb.reshape(1, 3, 2, 1) / 127.5 - 1.0)
    w = bal.weights(chroma)
    assert w.shape == (1, 1, 2, 1)
    assert w[0, 0, 0, 0] > 3 * w[0, 0, 1, 0]
    assert "lambda 0.5" in bal.describe()


def test_the_weighted_loss_multiplies_each_pixels_error():
    pred, target = torch.zeros(1, 2, 2, 2), torch.ones(1, 2, 2, 2)
    weight = torch.tensor([[[[0.0, 1.0], [2.0, 1.0]]]])
    assert mean_reconstruction_loss(pred, target, "l1").item() == 1.0
    assert mean_reconstruction_loss(pred, target, "l1", weight).item() == pytest.approx(1.0)
    weight[0, 0, 0, 0] = 4.0
    assert mean_reconstruction_loss(pred, target, "l1", weight).item() == pytest.approx(2.0)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    for i in range(6):
        img = np.full((72, 80, 3), 110, np.uint8) + rng.integers(0, 20, (72, 80, 3)).astype(np.uint8)
        img[10:30, 10 + 8 * i:40 + 8 * i] = (200, 40 + 20 * i, 30)  # a saturated patch in a grey photo
        Image.fromarray(img).save(root / f"p{i}.png")
    return root


def small(data, out, **kw):
    settings = {"task": "colorize", "data_dir": str(data), "out": str(out), "image_size": 64, "ngf": 8,
                "ndf": 8, "batch_size": 2, "steps": 3, "log_every": 1, "sample_every": 0, "val_every": 0,
                "ckpt_every": 0, "val_fraction": 0.2, "val_max": 2, "device": "cpu"}
    settings.update(kw)
    return build_config(settings)


def test_a_rebalanced_run_trains_other_weights_and_resumes_exactly(photos, tmp_path, capsys):
    plain = run_training(small(photos, tmp_path / "plain"))
    balanced = run_training(small(photos, tmp_path / "bal", chroma_balance=0.5))
    assert "colorize: chroma rebalancing (lambda 0.5): pixel weights" in capsys.readouterr().err
    assert any(not torch.equal(v, balanced.generator_state[k]) for k, v in plain.generator_state.items())
    for v in balanced.generator_state.values():
        assert torch.isfinite(v.float()).all()
    assert "chroma_balance: 0.5" in (tmp_path / "bal" / "config.yaml").read_text()

    run_training(small(photos, tmp_path / "split", steps=2, chroma_balance=0.5))
    resumed = run_training(small(photos, tmp_path / "split", chroma_balance=0.5), resume=tmp_path / "split")
    for k, v in balanced.generator_state.items():
        assert torch.equal(v, resumed.generator_state[k]), k


def test_chroma_balance_is_refused_outside_colorize_and_out_of_range():
    with pytest.raises(TrainingError, match="only for --task colorize, not inpaint"):
        build_config({"chroma_balance": 0.5})
    with pytest.raises(TrainingError, match=r"must be in \[0, 1\]"):
        build_config({"task": "colorize", "chroma_balance": 1.5})
    assert build_config({"task": "colorize", "chroma_balance": 0.5}).task.chroma_balance == 0.5


def test_the_cli_option_reaches_the_run_and_bad_values_get_one_line(tmp_path):
    from cli.main import main as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["train", str(tmp_path), "--chroma-balance", "0.5", "--out", str(tmp_path / "r")])
    assert result.exit_code != 0 and "Error: --chroma-balance is only for --task colorize" in result.output
    assert "Traceback" not in result.output
    help_text = runner.invoke(cli, ["train", "--help"]).output
    assert "--chroma-balance" in help_text
