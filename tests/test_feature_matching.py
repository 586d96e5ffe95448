"""--fm-weight: feature matching on the discriminator's activations (pix2pixHD): the loss, the
discriminators' feature output, a run that uses it, and the refusals."""

import json

import pytest
import torch
from click.testing import CliRunner
from train_helpers import noise_photos, tiny_gan_config

from cli.main import main
from inpaint.config import DiscriminatorConfig
from inpaint.errors import TrainingError
from inpaint.losses import feature_matching_loss
from inpaint.models.discriminators import DCGANDiscriminator, PatchDiscriminator
from inpaint.train import run_training

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return noise_photos(tmp_path_factory.mktemp("photos"), seed=3)


def test_the_loss_is_the_mean_over_layers_of_the_l1_distance_and_treats_real_as_constant():
    real = [torch.zeros(2, 4, 8, 8), torch.ones(2, 8, 4, 4)]
    fake = [torch.full((2, 4, 8, 8), 0.5, requires_grad=True), torch.full((2, 8, 4, 4), 3.0, requires_grad=True)]
    loss = feature_matching_loss(fake, real)
    assert loss.item() == pytest.approx((0.5 + 2.0) / 2)
    loss.backward()
    assert all(f.grad is not None and f.grad.abs().sum() > 0 for f in fake)
    same = [r.clone() for r in real]
    assert feature_matching_loss(same, real).item() == 0.0
    real_leaf = [torch.zeros(1, 1, 2, 2, requires_grad=True)]
    feature_matching_loss([torch.ones(1, 1, 2, 2, requires_grad=True)], real_leaf).backward()
    assert real_leaf[0].grad is None  # the real side takes no gradient
    with pytest.raises(ValueError, match="same non-zero number of layers"):
        feature_matching_loss(fake[:1], real)
    with pytest.raises(ValueError, match="same non-zero number of layers"):
        feature_matching_loss([], [])


@pytest.mark.parametrize("kind", ["patch", "dcgan"])
def test_discriminators_return_the_same_logits_with_one_activation_per_leaky_relu(kind):
    torch.manual_seed(0)
    dcfg = DiscriminatorConfig(kind=kind, ndf=8, n_layers=3, norm="spectral")
    cls = PatchDiscriminator if kind == "patch" else DCGANDiscriminator
    d = cls(dcfg, 64, 4, center=False).eval()
    x, cond = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 4, 64, 64)
    with torch.no_grad():
        plain = d(x, cond)
        logits, features = d(x, cond, features=True)
    assert torch.equal(plain, logits)
    relus = sum(isinstance(m, torch.nn.LeakyReLU) for m in d.net)
    assert len(features) == relus == (dcfg.n_layers + 1 if kind == "patch" else 4)
    assert [f.shape[0] for f in features] == [2] * relus
    assert features[0].shape[-1] > features[-1].shape[-1]  # coarser as the list goes on


def test_a_run_with_feature_matching_logs_it_and_trains_differently(photos, tmp_path):
    plain = run_training(tiny_gan_config(photos, tmp_path / "plain", sample_every=0))
    matched = run_training(tiny_gan_config(photos, tmp_path / "fm", sample_every=0, fm_weight=10.0))
    rows = [json.loads(line) for line in (tmp_path / "fm" / "metrics.jsonl").read_text().splitlines()]
    fm = [r["fm"] for r in rows if r["kind"] == "train"]
    assert len(fm) == 4 and all(v > 0 for v in fm)
    plain_rows = [json.loads(line) for line in (tmp_path / "plain" / "metrics.jsonl").read_text().splitlines()]
    assert not any("fm" in r for r in plain_rows)
    # the first step is the same draw of data and weights; the extra loss changes the update
    assert any(not torch.equal(v, matched.generator_state[k]) for k, v in plain.generator_state.items())


def test_fm_weight_is_refused_when_negative_non_finite_or_without_a_discriminator(photos, tmp_path):
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(TrainingError, match="--fm-weight must be 0"):
            tiny_gan_config(photos, tmp_path / "bad", fm_weight=bad)
    with pytest.raises(TrainingError, match="needs --adv-weight above 0"):
        tiny_gan_config(photos, tmp_path / "bad", fm_weight=1.0, adv_weight=0.0)
    r = CliRunner().invoke(main, ["train", str(photos), "--out", str(tmp_path / "cli"), "--adv-weight", "0",
                                  "--fm-weight", "2"])
    assert r.exit_code != 0
    assert r.output.strip().splitlines()[-1] == ("Error: --fm-weight matches the discriminator's features: "
                                                 "it needs --adv-weight above 0")
    assert "--fm-weight" in CliRunner().invoke(main, ["train", "--help"]).output
