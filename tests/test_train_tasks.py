"""The task seam: colourisation and paired translation train, resume exactly, checkpoint their
task; --d-every, --lr-d and --init; other tasks' checkpoints are refused where they do not fit."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from inpaint.config import GeneratorConfig
from inpaint.errors import CheckpointError, TrainingError
from inpaint.models import build_generator
from inpaint.tasks import TASKS, load_task_model
from inpaint.train import build_config, run_training
from inpaint.train.config import TASK_NAMES

torch.set_num_threads(1)


def colour_photo(h, w, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x + y + 40 * seed) % 256], -1) + rng.integers(0, 12, (h, w, 3))
    return (img % 256).astype(np.uint8)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    for i in range(8):
        Image.fromarray(colour_photo(70 + 4 * i, 90, i)).save(root / f"p{i}.png")
    grey = colour_photo(80, 80, 9)[..., 0]
    Image.fromarray(np.stack([grey] * 3, -1)).save(root / "grey_rgb.png")  # RGB file, grey pixels
    Image.fromarray(grey).save(root / "grey_l.png")
    return root


@pytest.fixture(scope="module")
def ab_dir(tmp_path_factory):
    """pix2pix format: A|B side by side, 128×64 (two 64-px squares)."""
    root = tmp_path_factory.mktemp("ab")
    for i in range(6):
        a = colour_photo(64, 64, i)
        b = 255 - a  # B: the negative of A
        Image.fromarray(np.concatenate([a, b], axis=1)).save(root / f"{i}.png")
    return root


def small(task, data, out, **kw):
    settings = {"task": task, "data_dir": str(data), "out": str(out), "image_size": 64, "ngf": 8,
                "ndf": 8, "batch_size": 2, "steps": 4, "log_every": 1, "sample_every": 0, "val_every": 0,
                "ckpt_every": 0, "val_fraction": 0.2, "val_max": 2, "device": "cpu"}
    settings.update(kw)
    return build_config(settings)


def test_the_registry_and_the_torch_free_names_agree():
    assert tuple(TASKS) == TASK_NAMES


def test_task_defaults_leave_inpainting_alone_and_given_settings_win():
    inpaint = build_config({})
    assert (inpaint.generator.kind, inpaint.loss.gan_loss, inpaint.optim.d_lr()) == ("ce", "bce", 2e-5)
    col = build_config({"task": "colorize"})
    g, d = col.generator, col.discriminator
    assert (g.kind, g.mode, g.image_channels, g.out_channels) == ("unet", "full", 1, 2)
    assert (d.kind, d.conditional, d.norm, col.loss.gan_loss, col.loss.rec_loss) == ("patch", True, "instance", "hinge", "l1")
    assert col.loss.rec_weight / col.loss.adv_weight == pytest.approx(99)  # pix2pix: L1 x100 : GAN x1
    assert col.optim.d_lr() == col.optim.lr
    assert build_config({"task": "colorize", "gan_loss": "lsgan", "lr_d": 1e-5}).optim.d_lr() == 1e-5
    assert build_config({"task": "colorize", "gan_loss": "lsgan"}).loss.gan_loss == "lsgan"
    with pytest.raises(TrainingError, match="1 luminance channel"):
        build_config({"task": "colorize", "out_channels": 3})
    with pytest.raises(TrainingError, match="--mode full"):
        build_config({"task": "paired", "generator": "ce", "mode": "center"})
    with pytest.raises(TrainingError, match="only for --task paired"):
        build_config({"data_dir_b": "b"})
    with pytest.raises(TrainingError, match="unknown task 'sketch'"):
        build_config({"task": "sketch"})
    with pytest.raises(TrainingError, match="d-every must be at least 1"):
        build_config({"d_every": 0})


def test_colorize_trains_checkpoints_its_task_and_loads_for_inference(photos, tmp_path, capsys):
    out = tmp_path / "col"
    result = run_training(small("colorize", photos, out, val_every=4, sample_every=4))
    err = capsys.readouterr().err
    assert "skipped 2 grey photo(s)" in err and "validation baseline, grey photo: PSNR" in err
    assert result.step == 4 and "grey photo" in result.val_summary
    state = torch.load(out / "last.pt", weights_only=True)
    assert state["task"] == {"name": "colorize", "color_space": "ycbcr"}
    assert state["generator_config"]["image_channels"] == 1 and state["generator_config"]["out_channels"] == 2
    val = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines() if '"val"' in x]
    assert val and 0 < val[-1]["psnr"] <= 100 and 0 < val[-1]["baseline_psnr"] <= 100
    grid = np.asarray(Image.open(out / "samples" / "step_000004.png"))
    assert grid.shape[1] == 3 * (64 + 2)
    left = grid[:64, :64].astype(int)  # the grey input column
    assert np.abs(left[..., 0] - left[..., 1]).max() <= 1

    tm = load_task_model(out / "last.pt", expect="colorize")
    assert tm.task == "colorize" and tm.image_size == 64 and tm.settings == {"color_space": "ycbcr"}
    assert not tm.model.training and tm.state["step"] == 4
    with torch.no_grad():
        chroma = tm.model(torch.zeros(2, 1, 64, 64))
    assert chroma.shape == (2, 2, 64, 64) and chroma.abs().max() <= 1


def test_colorize_resume_is_exact(photos, tmp_path):
    whole = run_training(small("colorize", photos, tmp_path / "whole", d_every=2))
    run_training(small("colorize", photos, tmp_path / "split", steps=3, d_every=2))
    resumed = run_training(small("colorize", photos, tmp_path / "split", d_every=2), resume=tmp_path / "split")
    assert resumed.step == whole.step == 4
    for k, v in whole.generator_state.items():
        assert torch.equal(v, resumed.generator_state[k]), k
    a = torch.load(tmp_path / "whole" / "last.pt", weights_only=True)
    b = torch.load(tmp_path / "split" / "last.pt", weights_only=True)
    for k, v in a["discriminator"].items():
        assert torch.equal(v, b["discriminator"][k]), k


def test_a_resume_with_another_task_is_refused(photos, tmp_path):
    run_training(small("colorize", photos, tmp_path / "r", steps=1))
    with pytest.raises(TrainingError, match="another (task|generator architecture)"):
        run_training(small("inpaint", photos, tmp_path / "r", steps=2, n_bottleneck=16), resume=tmp_path / "r")


def test_d_every_skips_the_discriminator_updates(photos, tmp_path):
    from inpaint.models import build_discriminator, build_generator
    from inpaint.train.crops import PhotoCrops
    from inpaint.train.data import list_images
    from inpaint.train.distributed import DistInfo
    from inpaint.train.step import StepRunner, adam
    from torch.utils.data import default_collate

    cfg = small("colorize", photos, tmp_path, d_every=2)
    torch.manual_seed(0)
    g, d = build_generator(cfg.generator), build_discriminator(cfg.discriminator, cfg.generator)
    opt_g, opt_d = adam(g.parameters(), 1e-3, (0.5, 0.999)), adam(d.parameters(), 1e-3, (0.5, 0.999))
    runner = StepRunner(cfg, g, d, opt_g, opt_d, torch.device("cpu"), DistInfo())
    crops = PhotoCrops(list_images(photos)[:2], [0, 1], 64, cfg.scale_range(), train=False)
    batch = default_collate([crops[0], crops[1]])
    for step in range(4):
        before = {k: v.clone() for k, v in d.state_dict().items()}
        stats = runner.step(batch, step=step)
        moved = any(not torch.equal(before[k], v) for k, v in d.state_dict().items())
        assert moved == (step % 2 == 0), step
        assert ("loss_d" in stats.keys()) == (step % 2 == 0)


def test_lr_d_reaches_the_optimiser(photos, tmp_path):
    run_training(small("colorize", photos, tmp_path / "a", steps=1, lr=1e-3, lr_d=3e-5))
    state = torch.load(tmp_path / "a" / "last.pt", weights_only=True)
    assert state["optimizer_g"]["param_groups"][0]["lr"] == pytest.approx(1e-3)
    assert state["optimizer_d"]["param_groups"][0]["lr"] == pytest.approx(3e-5)
    run_training(small("colorize", photos, tmp_path / "b", steps=1, lr=1e-3))  # pix2pix: D as G
    state = torch.load(tmp_path / "b" / "last.pt", weights_only=True)
    assert state["optimizer_d"]["param_groups"][0]["lr"] == pytest.approx(1e-3)


def test_init_starts_from_another_checkpoints_weights_at_step_0(photos, tmp_path):
    from inpaint.train.loop import Trainer

    run_training(small("colorize", photos, tmp_path / "a", steps=2))
    source = torch.load(tmp_path / "a" / "last.pt", weights_only=True)
    trainer = Trainer(small("colorize", photos, tmp_path / "b", init=str(tmp_path / "a")))
    try:
        assert trainer.step == 0 and not trainer.runner.opt_g.state and not trainer.runner.opt_d.state
        for k, v in trainer.g_raw.state_dict().items():
            assert torch.equal(v, source["generator"][k]), k
        for k, v in trainer.d_raw.state_dict().items():
            assert torch.equal(v, source["discriminator"][k]), k
    finally:
        trainer.close()
    result = run_training(small("colorize", photos, tmp_path / "c", steps=1, init=str(tmp_path / "a" / "last.pt")))
    assert result.step == 1
    with pytest.raises(TrainingError, match="cannot start from .*another architecture.*ngf 8 vs 4.*give the settings of the run"):
        run_training(small("colorize", photos, tmp_path / "d", ngf=4, init=str(tmp_path / "a")))
    assert not (tmp_path / "d").exists()


def test_init_with_a_larger_ngf_widens_the_unet_into_the_same_function(photos, tmp_path, capsys):
    from inpaint.train.loop import Trainer

    run_training(small("colorize", photos, tmp_path / "a", steps=2))
    state = torch.load(tmp_path / "a" / "last.pt", weights_only=True)
    small_g = build_generator(GeneratorConfig.from_dict(state["generator_config"]))
    small_g.load_state_dict(state["generator"])
    trainer = Trainer(small("colorize", photos, tmp_path / "b", ngf=12, init=str(tmp_path / "a")))
    try:
        assert "widened to ngf 12" in capsys.readouterr().err
        wide = trainer.g_raw
        assert wide.downs[1][0].weight.shape[0] == 24
        x = torch.rand(2, 1, 64, 64) * 2 - 1
        small_g.eval(), wide.eval()
        with torch.no_grad():
            torch.testing.assert_close(wide(x), small_g(x), atol=1e-5, rtol=0)
        # the copies of a channel differ (random shares), so training can pull them apart
        w = wide.downs[2][0].weight  # input channels 16..23 are copies of 0..7
        assert not torch.allclose(w[:, 16:24], w[:, :8])
    finally:
        trainer.close()


def test_paired_trains_on_a_pix2pix_folder_and_on_two_folders(ab_dir, tmp_path):
    from cli.main import main

    out = tmp_path / "ab"
    r = CliRunner().invoke(main, ["train", "--task", "paired", str(ab_dir), "--direction", "BtoA", "--out",
                                  str(out), "--image-size", "64", "--ngf", "8", "--ndf", "8", "--batch-size", "2",
                                  "--steps", "2", "--val-fraction", "0.3", "--sample-every", "2"])
    assert r.exit_code == 0, r.output
    assert "identity" in r.output and "done: step 2" in r.output
    state = torch.load(out / "last.pt", weights_only=True)
    assert state["task"] == {"name": "paired", "direction": "BtoA"}
    grid = np.asarray(Image.open(out / "samples" / "step_000002.png")).astype(int)
    assert grid.shape[1] == 3 * 66
    # BtoA: the input column is B (the negative), the target column A: they sum to ~255
    assert np.abs(grid[:64, :64] + grid[:64, 132:196] - 255).mean() < 3

    a_dir, b_dir = tmp_path / "A", tmp_path / "B"
    a_dir.mkdir(), b_dir.mkdir()
    for i in range(4):
        Image.fromarray(colour_photo(80, 70, i)).save(a_dir / f"{i}.png")
        Image.fromarray(colour_photo(50, 60, i + 10)).save(b_dir / f"{i}.jpg")  # sizes need not match
    result = run_training(small("paired", a_dir, tmp_path / "two", data_dir_b=str(b_dir), steps=2))
    assert result.step == 2
    tm = load_task_model(tmp_path / "two" / "last.pt", expect="paired")
    assert tm.settings == {"direction": "AtoB"}
    with torch.no_grad():
        assert tm.model(torch.zeros(1, 3, 64, 64)).shape == (1, 3, 64, 64)

    (b_dir / "0.jpg").unlink()
    (b_dir / "extra.png").write_bytes((a_dir / "1.png").read_bytes())
    r = CliRunner().invoke(main, ["train", "--task", "paired", str(a_dir), str(b_dir), "--out", str(tmp_path / "x")])
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert r.exit_code == 1 and len(errors) == 1 and "Traceback" not in r.output
    assert "1 file(s) of" in errors[0] and "have no match" in errors[0] and "1 of" in errors[0]
    assert not (tmp_path / "x").exists()


def test_paired_jitter_is_the_same_for_a_and_b_and_deterministic(ab_dir):
    from inpaint.train.paired_data import PairedPhotos, load_size

    assert (load_size(256), load_size(128), load_size(64)) == (286, 143, 72)
    ds = PairedPhotos([(p, None) for p in sorted(ab_dir.iterdir())], 64, seed=1)
    flips = set()
    for e in range(6):
        s = ds[(e, 0)]
        assert s["a"].shape == s["b"].shape == (64, 64, 3)
        assert (s["a"].int() + s["b"].int() - 255).abs().float().mean() < 3  # same crop and flip
        assert torch.equal(s["a"], ds[(e, 0)]["a"])
        flips.add(s["a"].numpy().tobytes())
    assert len(flips) > 1


def test_other_tasks_checkpoints_are_refused_with_one_line(photos, tmp_path):
    from cli.main import main
    from inpaint.checkpoint import export_for_inference, load_generator
    from conftest import SHIPPED_DEFAULT_CHECKPOINT as DEFAULT_CHECKPOINT

    run_training(small("colorize", photos, tmp_path / "c", steps=1))
    ckpt = tmp_path / "c" / "last.pt"
    with pytest.raises(CheckpointError, match="is a colorize model"):
        load_generator(ckpt)
    with pytest.raises(CheckpointError, match=r"is a colourisation model; `inpaint translate` needs one trained "
                                              r"with `inpaint train --task paired`"):
        load_task_model(ckpt, expect="paired")
    with pytest.raises(CheckpointError, match="is an inpainting model; `inpaint colorize` needs one trained with "
                                              "`inpaint train --task colorize`"):
        load_task_model(DEFAULT_CHECKPOINT, expect="colorize")
    assert load_task_model(DEFAULT_CHECKPOINT, expect="inpaint").settings == {}  # no task key: inpainting
    slim = export_for_inference(ckpt, tmp_path / "slim.pt")
    assert slim["task"]["name"] == "colorize" and load_task_model(tmp_path / "slim.pt").task == "colorize"

    photo = tmp_path / "p.png"
    Image.fromarray(colour_photo(40, 40, 0)).save(photo)
    hole = np.zeros((40, 40), np.uint8)
    hole[10:20, 10:20] = 255
    Image.fromarray(hole).save(tmp_path / "m.png")
    for args in (["fill", str(photo), str(tmp_path / "m.png"), "-o", str(tmp_path / "o.png"), "--checkpoint", str(ckpt)],
                 ["eval", str(photos), "--checkpoint", str(ckpt), "--out", str(tmp_path / "rep"), "--size", "32",
                  "--methods", "model", "--no-progress"]):
        r = CliRunner().invoke(main, args)
        errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
        assert r.exit_code == 1 and len(errors) == 1 and "Traceback" not in r.output, r.output
        assert "colorize model" in errors[0] and "cannot fill holes" in errors[0]


def test_checkpoints_from_before_tasks_still_resume(photos, tmp_path):
    """Old checkpoints have no task key and no channel fields in their generator config."""
    out = tmp_path / "old"
    cfg = small("inpaint", photos, out, steps=2, n_bottleneck=16)
    run_training(cfg)
    state = torch.load(out / "last.pt", weights_only=True)
    del state["task"]
    for key in ("image_channels", "out_channels"):
        del state["generator_config"][key]
        del state["train_config"]["generator"][key]
    del state["train_config"]["task"]
    from inpaint.checkpoint import save_checkpoint

    save_checkpoint(out / "last.pt", {k: v for k, v in state.items() if k not in ("format", "version")})
    assert run_training(small("inpaint", photos, out, steps=3, n_bottleneck=16), resume=out).step == 3


def test_colorize_under_two_gloo_processes_ends_with_identical_weights(photos, tmp_path):
    from test_train_ddp import _spawn_two_ranks

    settings = {"task": "colorize", "data_dir": str(photos), "out": str(tmp_path / "run"), "image_size": 64,
                "ngf": 8, "ndf": 8, "batch_size": 2, "steps": 2, "val_fraction": 0.2, "val_max": 2,
                "d_every": 2, "sample_every": 0, "device": "cpu"}
    _spawn_two_ranks(settings, str(tmp_path))
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert r0["step"] == r1["step"] == 2
    for k, v in r0["generator"].items():
        assert torch.equal(v, r1["generator"][k]), k


def test_one_folder_of_odd_width_photos_is_not_taken_for_a_b_pairs(tmp_path):
    from cli.main import main

    root = tmp_path / "photos"
    root.mkdir()
    for i in range(3):
        Image.fromarray(colour_photo(64, 129, i)).save(root / f"{i}.png")
    r = CliRunner().invoke(main, ["train", "--task", "paired", str(root), "--out", str(tmp_path / "run"),
                                  "--image-size", "64", "--ngf", "8", "--ndf", "8", "--steps", "1"])
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert r.exit_code == 1 and len(errors) == 1 and "Traceback" not in r.output, r.output
    assert "3 of the 3 file(s)" in errors[0] and "width is odd" in errors[0] and "A_DIR B_DIR" in errors[0]
    assert not (tmp_path / "run").exists()


def test_settings_of_another_task_are_refused_by_value():
    for task in ("inpaint", "colorize"):
        with pytest.raises(TrainingError, match="--direction BtoA is only for --task paired"):
            build_config({"task": task, "direction": "BtoA"})
    assert build_config({"task": "colorize", "direction": "AtoB"}).task.direction == "AtoB"  # the default
    assert build_config({"task": "paired", "direction": "BtoA"}).task.direction == "BtoA"
    for task in ("colorize", "paired"):
        with pytest.raises(TrainingError, match="--mask stroke is for inpainting"):
            build_config({"task": task, "mask": "stroke"})
        with pytest.raises(TrainingError, match="--prefill telea is for inpainting"):
            build_config({"task": task, "prefill": "telea"})


def test_config_yaml_lists_the_settings_its_task_does_not_read_last_and_round_trips(tmp_path):
    from inpaint.train import dump_yaml, read_config_file
    from inpaint.train.config import unused_settings

    for task in TASK_NAMES:
        cfg = build_config({"task": task, "data_dir": "d", "out": "o", "image_size": 64})
        text = dump_yaml(cfg)
        used, _, unused = text.partition(f"# not read by --task {task}")
        assert unused, text
        names = {line.split(":")[0] for line in unused.splitlines()[1:]}
        assert names == set(unused_settings(task))
        assert not names & {line.split(":")[0] for line in used.splitlines()}
        path = tmp_path / f"{task}.yaml"
        path.write_text(text)
        assert build_config(read_config_file(path)) == cfg
    assert "mask" in unused_settings("colorize") and "direction" in unused_settings("colorize")
    assert "mask" not in unused_settings("inpaint") and "direction" not in unused_settings("paired")
