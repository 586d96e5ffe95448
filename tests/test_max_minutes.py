"""--max-minutes: a run that runs out of time ends like a finished one (validated, saved, its
model returned), and --resume then goes on exactly as if it had never stopped."""

import json

import pytest
import torch
from click.testing import CliRunner
from train_helpers import noise_photos, tiny_gan_config

from cli.main import main
from inpaint.errors import TrainingError
from inpaint.train import run_training
from inpaint.train.checkpoints import load_resume_state

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return noise_photos(tmp_path_factory.mktemp("photos"), seed=1)


def small(data, out, **kw):
    # 6 steps, validated and saved only at the end, so the stop step is the only one
    return tiny_gan_config(data, out, **{"steps": 6, "sample_every": 0, "val_every": 0, "ckpt_every": 0,
                                         "ema": 0.5, **kw})


def test_out_of_time_the_run_ends_saved_and_validated_and_resume_goes_on_exactly(photos, tmp_path, capsys):
    whole = run_training(small(photos, tmp_path / "whole"))
    assert whole.step == 6

    # a budget already spent: the run stops after its first step(s), as a finished run does
    cut = run_training(small(photos, tmp_path / "cut", max_minutes=1e-9))
    assert 1 <= cut.step < 6
    err = capsys.readouterr().err
    assert f"--max-minutes 1e-09 reached at step {cut.step} of 6; --resume {tmp_path / 'cut'} goes on" in err
    assert cut.val is not None  # validated at the step it stopped at
    rows = [json.loads(line) for line in (tmp_path / "cut" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if r["kind"] == "val"] == [cut.step]
    assert int(load_resume_state(tmp_path / "cut")["step"]) == cut.step

    resumed = run_training(small(photos, tmp_path / "cut"), resume=tmp_path / "cut")
    assert resumed.step == 6
    for k, v in whole.generator_state.items():
        assert torch.equal(v, resumed.generator_state[k]), k

    # no limit (0) runs every step
    assert run_training(small(photos, tmp_path / "free", max_minutes=0)).step == 6


def test_max_minutes_must_be_zero_or_more(photos, tmp_path):
    for bad in (-1.0, float("nan")):
        with pytest.raises(TrainingError, match="--max-minutes must be 0"):
            small(photos, tmp_path / "bad", max_minutes=bad)
    r = CliRunner().invoke(main, ["train", str(photos), "--out", str(tmp_path / "cli"), "--max-minutes", "-2"])
    assert r.exit_code != 0
    assert r.output.strip().splitlines()[-1] == "Error: --max-minutes must be 0 (no limit) or more, got -2.0"
    assert "--max-minutes" in CliRunner().invoke(main, ["train", "--help"]).output
