"""Two CPU processes with gloo (as under torchrun) end with identical weights."""

import os
import shutil
import socket

import numpy as np
import torch
import torch.multiprocessing as mp
from PIL import Image

from inpaint.train import build_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn_two_ranks(settings: dict, result_dir: str, attempts: int = 3, worker=None) -> None:
    """``mp.spawn`` two ranks rendezvousing at MASTER_PORT, as under torchrun.

    The port is free when picked but rank 0 binds it later, so another process on a busy machine
    (a parallel test run, gloo's own connections) can take it first: rank 0 then dies with
    EADDRINUSE before touching the run folder (or rank 1 reaches a stranger's socket). Only such
    rendezvous failures (DistNetworkError) are retried, with a new port; any other error fails.
    """
    for attempt in range(attempts):
        try:
            mp.spawn(worker or _worker, args=(2, _free_port(), settings, result_dir), nprocs=2, join=True)
            return
        except mp.ProcessRaisedException as exc:
            if not any(m in str(exc) for m in ("EADDRINUSE", "DistNetworkError")) or attempt == attempts - 1:
                raise
            if worker is None:
                shutil.rmtree(settings["out"], ignore_errors=True)  # start the retry from scratch


def _worker(rank: int, world: int, port: int, settings: dict, result_dir: str) -> None:
    # What torchrun would set for each process.
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    from inpaint.train import run_training

    result = run_training(build_config(settings))
    torch.save({"step": result.step, "generator": result.generator_state,
                "checkpoint": str(result.checkpoint)}, os.path.join(result_dir, f"rank{rank}.pt"))


def _noise_photos(tmp_path, seed: int):
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(seed)
    for i in range(10):
        Image.fromarray(rng.integers(0, 255, (48 + i, 70, 3), dtype=np.uint8)).save(photos / f"p{i}.png")
    return photos


def test_two_gloo_processes_end_with_identical_weights(tmp_path):
    photos = _noise_photos(tmp_path, seed=1)
    out = tmp_path / "run"
    settings = {"data_dir": str(photos), "out": str(out), "image_size": 64, "ngf": 8, "ndf": 8,
                "n_bottleneck": 16, "batch_size": 2, "steps": 3, "log_every": 1, "sample_every": 0,
                "val_every": 0, "ckpt_every": 2, "val_fraction": 0.2, "val_max": 2, "device": "cpu"}
    _spawn_two_ranks(settings, str(tmp_path))

    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert r0["step"] == r1["step"] == 3
    for k, v in r0["generator"].items():
        assert torch.equal(v, r1["generator"][k]), k
    # rank 0 alone wrote the run folder; its checkpoint holds the shared weights
    assert r0["checkpoint"].endswith("last.pt") and r1["checkpoint"] == "None"
    saved = torch.load(out / "last.pt", weights_only=True)
    for k, v in saved["generator"].items():
        assert torch.equal(v, r0["generator"][k])
    # the weights moved away from the (shared) initialisation
    from inpaint.models import build_generator

    torch.manual_seed(0)
    init = build_generator(build_config(settings).generator).state_dict()
    assert any(not torch.equal(init[k], v) for k, v in r0["generator"].items() if v.is_floating_point())


def _unet_settings(photos, out, **overrides) -> dict:
    """A 64-px ngf-8 U-Net on block holes, L1 only, batch 2, saved only at the end."""
    return {"data_dir": str(photos), "out": str(out), "image_size": 64, "generator": "unet", "ngf": 8,
            "mask": "block", "adv_weight": 0, "batch_size": 2, "steps": 3, "log_every": 1,
            "sample_every": 0, "val_every": 0, "ckpt_every": 0, "val_fraction": 0.2, "val_max": 2,
            "device": "cpu", **overrides}


def test_the_weight_average_is_the_same_on_every_rank_and_is_what_rank_0_saves(tmp_path):
    photos = _noise_photos(tmp_path, seed=2)
    out = tmp_path / "run"
    _spawn_two_ranks(_unet_settings(photos, out, ema=0.5), str(tmp_path))

    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    saved = torch.load(out / "last.pt", weights_only=True)
    assert any(not torch.equal(v, saved["generator"][k]) for k, v in saved["generator_ema"].items()
               if v.is_floating_point())  # the average is not the trained weights
    for k, v in saved["generator_ema"].items():  # BatchNorm statistics included
        assert torch.equal(v, r0["generator"][k]) and torch.equal(v, r1["generator"][k]), k


def test_feature_matching_through_the_ddp_wrapped_discriminator_keeps_the_ranks_identical(tmp_path):
    photos = _noise_photos(tmp_path, seed=4)
    out = tmp_path / "run"
    _spawn_two_ranks(_unet_settings(photos, out, adv_weight=0.01, ndf=8, gan_loss="hinge", conditional=True,
                                    fm_weight=1.0), str(tmp_path))

    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert r0["step"] == r1["step"] == 3
    for k, v in r0["generator"].items():
        assert torch.equal(v, r1["generator"][k]), k
    saved = torch.load(out / "last.pt", weights_only=True)
    assert saved["discriminator"] is not None


def _late_rank_1_worker(rank: int, world: int, port: int, settings: dict, result_dir: str) -> None:
    # only rank 1 has a time budget, and it is spent at once: the other rank must stop with it
    _worker(rank, world, port, {**settings, "max_minutes": 1e-9 if rank == 1 else 0.0}, result_dir)


def test_a_rank_out_of_time_stops_every_rank_at_the_same_step(tmp_path):
    photos = _noise_photos(tmp_path, seed=3)
    out = tmp_path / "run"
    _spawn_two_ranks(_unet_settings(photos, out, steps=40), str(tmp_path), worker=_late_rank_1_worker)

    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert 1 <= r0["step"] == r1["step"] < 40
    for k, v in r0["generator"].items():
        assert torch.equal(v, r1["generator"][k]), k
    assert torch.load(out / "last.pt", weights_only=True)["step"] == r0["step"]


def _failing_worker(rank: int, world: int, port: int, settings: dict, result_dir: str) -> None:
    from inpaint.errors import TrainingError

    try:
        _worker(rank, world, port, settings, result_dir)
    except TrainingError as exc:
        with open(os.path.join(result_dir, f"error{rank}.txt"), "w") as fh:
            fh.write(str(exc))


def test_a_run_folder_error_on_rank_0_stops_every_rank_with_one_line(tmp_path):
    """Rank 1 used to wait at a barrier and die with a gloo "Connection closed by peer" traceback."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(4):
        Image.fromarray(np.full((40, 50, 3), 30 * i, np.uint8)).save(photos / f"p{i}.png")
    out = tmp_path / "run"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    settings = {"data_dir": str(photos), "out": str(out), "image_size": 64, "ngf": 8, "ndf": 8,
                "n_bottleneck": 16, "batch_size": 2, "steps": 1, "device": "cpu"}
    _spawn_two_ranks(settings, str(tmp_path), worker=_failing_worker)
    assert "is not empty" in (tmp_path / "error0.txt").read_text()
    assert "rank 0 could not prepare the run folder" in (tmp_path / "error1.txt").read_text()
    assert os.listdir(out) == ["mine.txt"]
