"""Training loop: learning, checkpoints, exact resume, non-finite stop."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

import inpaint.train.step as step_module
from inpaint.checkpoint import load_generator
from inpaint.errors import TrainingError
from inpaint.models import build_generator
from inpaint.train import build_config, run_training
from inpaint.train.distributed import DistInfo
from inpaint.train.step import StepRunner

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    for i in range(10):
        h, w = 70 + 5 * i, 90 - 3 * i
        y, x = np.mgrid[0:h, 0:w]
        img = np.stack([x * 3 + 10 * i, y * 2, (x * y) // 30], -1) + rng.integers(0, 15, (h, w, 3))
        Image.fromarray((img % 256).astype(np.uint8)).save(root / f"p{i}.png")
    return root


def tiny(photos, out, **kw):
    settings = {"data_dir": str(photos), "out": str(out), "image_size": 64, "ngf": 8, "ndf": 8,
                "n_bottleneck": 16, "batch_size": 2, "steps": 4, "log_every": 1, "sample_every": 0,
                "val_every": 0, "ckpt_every": 0, "val_fraction": 0.2, "val_max": 2}
    settings.update(kw)
    if settings.get("generator", "ce") != "ce":  # n_bottleneck is the CE's own knob
        del settings["n_bottleneck"]
    return build_config(settings)


def test_a_few_steps_lower_the_reconstruction_loss_on_a_fixed_batch(photos, tmp_path):
    from inpaint.train.samples import InpaintDataset
    from inpaint.train.data import list_images

    cfg = tiny(photos, tmp_path, adv_weight=0.0, lr=2e-3)
    torch.manual_seed(0)
    g = build_generator(cfg.generator)
    ds = InpaintDataset(list_images(photos)[:4], cfg.generator, "center", cfg.scale_range())
    batch = {k: torch.stack([ds[i][k] for i in range(4)]) for k in ("image", "mask", "input")}
    runner = StepRunner(cfg, g, None, torch.optim.Adam(g.parameters(), lr=2e-3, betas=(0.5, 0.999)),
                        None, torch.device("cpu"), DistInfo())
    losses = [runner.step(batch)["rec"] for _ in range(12)]
    assert all(np.isfinite(losses))
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3])


def test_run_writes_checkpoints_metrics_and_keeps_n(photos, tmp_path):
    cfg = tiny(photos, tmp_path / "run", steps=6, ckpt_every=2, keep=2, sample_every=3, val_every=3)
    result = run_training(cfg)
    out = tmp_path / "run"
    assert result.step == 6 and result.checkpoint == out / "last.pt"
    assert sorted(p.name for p in out.glob("step_*.pt")) == ["step_000004.pt", "step_000006.pt"]
    assert sorted(p.name for p in (out / "samples").glob("*.png")) == ["step_000003.png", "step_000006.png"]
    grid = np.asarray(Image.open(out / "samples" / "step_000003.png"))
    assert grid.shape[1] == 3 * (64 + 2) and grid.shape[0] % (64 + 2) == 0
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in records if r["kind"] == "train"]
    val = [r for r in records if r["kind"] == "val"]
    assert [r["step"] for r in train] == [1, 2, 3, 4, 5, 6] and all(r["images_per_s"] > 0 for r in train)
    assert [r["step"] for r in val] == [3, 6]
    assert 0 < val[-1]["psnr_hole"] < 100 and 0 < val[-1]["telea_psnr_hole"] < 100

    state = torch.load(out / "last.pt", weights_only=True)  # plain data only
    assert state["step"] == 6 and state["discriminator"] is not None
    assert {"optimizer_g", "optimizer_d", "scaler", "rng", "train_config"} <= set(state)
    model, gcfg, _ = load_generator(out / "last.pt")
    assert gcfg == cfg.generator
    for k, v in model.state_dict().items():
        assert torch.equal(v, result.generator_state[k])


@pytest.mark.parametrize("extra", [
    {},  # CE, centre masks, adversarial (BCE)
    {"mask": "block", "generator": "unet", "adv_weight": 0.01, "discriminator": "patch",
     "gan_loss": "hinge", "conditional": True, "mask_channel": True},  # dropout + random masks
    {"mask": "mixed", "mask_mix": "center=1,stroke=1", "generator": "unet", "adv_weight": 0.0,
     "prefill": "telea", "residual": True, "mask_channel": True},
])
def test_resume_is_exact(photos, tmp_path, extra):
    whole = run_training(tiny(photos, tmp_path / "whole", **extra))
    run_training(tiny(photos, tmp_path / "split", steps=2, **extra))
    resumed = run_training(tiny(photos, tmp_path / "split", **extra), resume=tmp_path / "split")
    assert resumed.step == whole.step == 4
    for k, v in whole.generator_state.items():
        assert torch.equal(v, resumed.generator_state[k]), k
    a = torch.load(tmp_path / "whole" / "last.pt", weights_only=True)
    b = torch.load(tmp_path / "split" / "last.pt", weights_only=True)
    for k, v in (a["discriminator"] or {}).items():
        assert torch.equal(v, b["discriminator"][k]), k
    steps = [json.loads(x)["step"] for x in (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
             if json.loads(x)["kind"] == "train"]
    assert steps == [1, 2, 3, 4]


def test_cosine_schedule_reaches_the_optimisers(photos, tmp_path):
    from inpaint.train.step import lr_factor

    run_training(tiny(photos, tmp_path / "run", steps=5, lr=1e-3, adv_weight=0.01, lr_schedule="cosine"))
    state = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    last = lr_factor("cosine", 4, 5)  # the factor of the fifth (last) step
    assert 0 < last < 0.2
    assert state["optimizer_g"]["param_groups"][0]["lr"] == pytest.approx(1e-3 * last)
    assert state["optimizer_d"]["param_groups"][0]["lr"] == pytest.approx(1e-4 * last)


def test_resume_refuses_another_architecture(photos, tmp_path):
    run_training(tiny(photos, tmp_path / "r", steps=1))
    with pytest.raises(TrainingError, match="another generator architecture.*ngf 8 vs 16"):
        run_training(tiny(photos, tmp_path / "r", ngf=16), resume=tmp_path / "r")
    with pytest.raises(TrainingError, match="discriminator"):
        run_training(tiny(photos, tmp_path / "r", adv_weight=0.0), resume=tmp_path / "r" / "last.pt")
    with pytest.raises(TrainingError, match="not empty"):
        run_training(tiny(photos, tmp_path / "r"))


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(photos, tmp_path, monkeypatch):
    real = step_module.reconstruction_loss
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        loss = real(*args, **kwargs)
        return loss * float("nan") if calls["n"] == 3 else loss

    monkeypatch.setattr(step_module, "reconstruction_loss", flaky)
    out = tmp_path / "nan"
    with pytest.raises(TrainingError, match="non-finite loss at step 3.*last good checkpoint"):
        run_training(tiny(photos, out, steps=6, ckpt_every=2))
    state = torch.load(out / "last.pt", weights_only=True)
    assert state["step"] == 2
    assert all(torch.isfinite(v).all() for v in state["generator"].values() if v.is_floating_point())
    assert sorted(p.name for p in out.glob("step_*.pt")) == ["step_000002.pt"]


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_resume_from_an_older_numbered_checkpoint_replays_and_rewrites_the_log(photos, tmp_path, schedule):
    """Also what an interrupted run does: the cosine curve is a function of (step, --steps), so
    resuming with the same --steps continues it exactly."""
    out = tmp_path / "run"
    first = run_training(tiny(photos, out, ckpt_every=2, keep=5, lr_schedule=schedule))
    again = run_training(tiny(photos, out, ckpt_every=2, keep=5, lr_schedule=schedule),
                         resume=out / "step_000002.pt")
    for k, v in first.generator_state.items():
        assert torch.equal(v, again.generator_state[k]), k
    records = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    # steps 3-4 of the first pass (train lines and the final validation) were dropped, then re-logged
    assert [(r["kind"], r["step"]) for r in records] == [("train", 1), ("train", 2), ("train", 3),
                                                         ("train", 4), ("val", 4)]


def test_sample_grid_rows_show_masked_input_output_and_truth():
    from inpaint.train.logging import sample_grid

    target = torch.full((2, 3, 8, 8), 1.0)
    mask = torch.zeros(2, 1, 8, 8)
    mask[..., 2:5, 2:5] = 1
    out = torch.full((2, 3, 8, 8), -1.0)
    grid = sample_grid(target, mask, out)
    assert grid.shape == (20, 30, 3) and grid.dtype == np.uint8
    assert (grid[3, 3] == 128).all() and (grid[0, 0] == 255).all()  # hole grey, known kept
    assert (grid[0, 10] == 0).all() and (grid[10, 20] == 255).all()  # output | truth columns


def test_amp_bf16_and_channels_last_on_cpu(photos, tmp_path):
    result = run_training(tiny(photos, tmp_path / "amp", steps=2, amp=True, channels_last=True,
                               mask="region", mask_channel=True))
    assert result.step == 2
    assert all(torch.isfinite(v).all() for v in result.generator_state.values() if v.is_floating_point())
    assert all(v.dtype != torch.bfloat16 for v in result.generator_state.values())  # weights stay fp32


def test_sync_bn_on_cpu_fails_before_the_run_folder_is_created(photos, tmp_path, monkeypatch):
    """The CPU --sync-bn error used to come after config.yaml was written, so the corrected
    command then failed with "--out is not empty"."""
    import inpaint.train.distributed as dist_utils

    monkeypatch.setattr(dist_utils, "env_info", lambda: DistInfo(rank=0, world_size=2))
    monkeypatch.setattr(dist_utils, "setup", lambda info, device: device)  # no process group
    out = tmp_path / "run"
    with pytest.raises(TrainingError, match="--sync-bn needs CUDA"):
        run_training(tiny(photos, out, sync_bn=True, device="cpu"))
    assert not out.exists()
