"""The cached input pipeline (photo cache, mask bank, raw samples built on the device), the
loader's epoch handling, and the device-dependent choices (AMP dtype, Adam, defaults)."""

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader, default_collate

import inpaint.train.photo_cache as photo_cache
import inpaint.train.step as step_module
from inpaint.config import GeneratorConfig
from inpaint.errors import InpaintError
from inpaint.train import build_config
from inpaint.train.cached_samples import CachedTrainSet
from inpaint.train.config import DEVICE_DEFAULTS, MAX_LOADER_WORKERS, resolve_device_defaults
from inpaint.train.data import CropSpec, list_images, load_crop
from inpaint.train.device_batch import build_batch
from inpaint.train.mask_bank import MaskBank, orient
from inpaint.train.photo_cache import PhotoCache, cache_levels
from inpaint.train.sampler import EpochSampler
from inpaint.train.samples import InpaintDataset, make_sample

torch.set_num_threads(1)
SCALE = (70, 130)


def smooth_photo(h, w, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 200 // w + 20, y * 200 // h + 20, (x + 2 * y) * 100 // (w + h) + 60], -1)
    return np.clip(base + rng.integers(-3, 4, (h, w, 3)), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    for i in range(6):
        Image.fromarray(smooth_photo(100 + 9 * i, 140 - 7 * i, i)).save(root / f"p{i}.png")
    return list_images(root)


def gcfg(**kw):
    kw.setdefault("mode", "full")
    return GeneratorConfig(image_size=64, ngf=8, n_bottleneck=8, **kw).validate()


def cached_set(files, g, mask="block", bank=64, reuse=1, kind="memory", cache_dir=None):
    cache = PhotoCache.build(files, cache_levels(SCALE, g.image_size), kind, cache_dir)
    return CachedTrainSet(cache, g, mask, SCALE, seed=3, mask_bank=bank, prefill_reuse=reuse)


def batch_of(ds, keys):
    return default_collate([ds[k] for k in keys])


# -- the loader's epoch handling ------------------------------------------------------------
@pytest.mark.parametrize("which", ["cached", "per-sample"])
def test_persistent_workers_see_each_new_epoch(files, which):
    """The epoch reaches persistent workers through the sampler's (epoch, index) keys: a
    dataset mutated after the workers started would repeat epoch 0's crops forever."""
    g = gcfg()
    ds = cached_set(files, g) if which == "cached" else InpaintDataset(files, g, "block", SCALE, seed=3)
    sampler = EpochSampler(len(ds), 3, seed=1, keyed=True)
    loader = DataLoader(ds, batch_size=3, sampler=sampler, num_workers=2, persistent_workers=True)
    key = "crop" if which == "cached" else "image"
    seen = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        seen.append(torch.cat([b[key] for b in loader]))
    assert loader._iterator is not None and loader._iterator._persistent_workers  # the same workers
    assert not torch.equal(seen[0], seen[1])  # epoch 1 drew new crops
    for epoch in range(2):  # and exactly those of a serial loader
        sampler.set_epoch(epoch)
        serial = torch.cat([b[key] for b in DataLoader(ds, batch_size=3, sampler=sampler)])
        assert torch.equal(serial, seen[epoch])


def test_keyed_sampler_carries_the_epoch_and_the_start_offset():
    s = EpochSampler(10, 2, seed=3, keyed=True)
    plain = EpochSampler(10, 2, seed=3)
    s.set_epoch(4, start_batch=1)
    plain.set_epoch(4, start_batch=1)
    assert list(s) == [(4, i) for i in plain] and len(s) == len(plain)


def test_a_pass_runs_on_through_whole_epochs_in_the_same_order():
    """min_batches: one loader pass covers further whole epochs (the prefetch pipeline restarts
    less often), yielding exactly the keys the epoch-by-epoch passes would, resumable mid-epoch."""
    one = EpochSampler(10, 2, seed=3, keyed=True)
    long = EpochSampler(10, 2, seed=3, keyed=True, min_batches=12)  # 5 steps per epoch
    long.set_epoch(4, start_batch=3)
    keys = list(long)
    assert long.epochs_per_pass == 3 and len(keys) == len(long) == (2 + 5 + 5) * 2  # rest of 4, 5, 6
    expected = []
    for epoch, start in ((4, 3), (5, 0), (6, 0)):
        one.set_epoch(epoch, start_batch=start)
        expected += list(one)
    assert keys == expected
    plain = EpochSampler(10, 2, seed=3, min_batches=12)  # indices carry no epoch: one epoch a pass
    assert plain.epochs_per_pass == 1 and len(list(plain)) == len(plain) == 10


# -- raw samples built on the device ----------------------------------------------------------
@pytest.mark.parametrize("prefill", ["mean", "telea"])
def test_device_batch_equals_the_per_sample_tensors(files, prefill):
    g = gcfg(prefill=prefill, mask_channel=True)
    ds = cached_set(files, g)
    keys = [(0, i) for i in range(len(files))] + [(1, 0), (2, 0), (3, 0)]
    raw = batch_of(ds, keys)
    built = build_batch(raw, g, torch.device("cpu"))
    assert raw["crop"].dtype == torch.uint8 and raw["mask"].dtype == torch.uint8
    assert raw["flip"].any() and not raw["flip"].all()  # both cases covered
    for j, (crop, mask, flip) in enumerate(zip(raw["crop"].numpy(), raw["mask"].numpy(), raw["flip"])):
        if flip:
            crop, mask = crop[:, ::-1].copy(), mask[:, ::-1].copy()
        ref = make_sample(crop, mask, g)
        for key in ("image", "mask"):
            assert torch.equal(built[key][j], ref[key]), key
        if prefill == "mean" or not flip:
            assert torch.equal(built["input"][j], ref["input"])
        else:  # the Telea of the unflipped crop, mirrored: known pixels and mask channel exact
            known = ref["mask"][0] < 0.5
            assert torch.equal(built["input"][j][:, known], ref["input"][:, known])
            assert torch.equal(built["input"][j][3:], ref["input"][3:])


def test_a_cached_crop_matches_a_crop_of_the_decoded_photo(files):
    g = gcfg()
    cache = PhotoCache.build(files, cache_levels(SCALE, 64), "memory")
    assert cache.levels == (130,)  # a 70-px short side reads 130: a factor below 2
    assert cache_levels((64, 300), 64) == (300, 150, 75)
    for short in (70, 100, 130):
        spec = CropSpec(short, 5, 7, 64, False)
        ours = cache.crop(2, spec).astype(float)
        ref = load_crop(files[2], lambda w, h: spec).astype(float)  # the per-sample path
        psnr = 10 * np.log10(255 ** 2 / np.mean((ours - ref) ** 2))
        assert ours.shape == (64, 64, 3) and psnr > 30, (short, psnr)
    level = cache.level(2, 0)  # at the level's own scale a crop is a plain slice
    assert np.array_equal(cache.crop(2, CropSpec(130, 3, 4, 64, False)), level[3:67, 4:68])
    del g


def test_disk_cache_is_built_once_and_reused_until_a_photo_changes(files, tmp_path, monkeypatch):
    first = PhotoCache.build(files, (80,), "disk", tmp_path)
    assert isinstance(first.buffer, np.memmap) and len(list(tmp_path.glob("*.u8"))) == 1

    def no_decoding(*args):
        raise AssertionError("decoded again")

    monkeypatch.setattr(photo_cache, "_decode_levels", no_decoding)
    again = PhotoCache.build(files, (80,), "disk", tmp_path)
    assert np.array_equal(np.asarray(again.buffer), np.asarray(first.buffer))
    assert photo_cache.cache_key(files, (80,)) != photo_cache.cache_key(files, (81,))
    assert photo_cache.cache_key(files, (80,)) != photo_cache.cache_key(files[:-1], (80,))


def test_disk_and_memory_caches_give_the_same_samples(files, tmp_path):
    g = gcfg()
    a, b = cached_set(files, g), cached_set(files, g, kind="disk", cache_dir=tmp_path)
    for key in [(0, 1), (5, 3)]:
        assert all(torch.equal(a[key][k], b[key][k]) for k in ("crop", "mask", "flip"))


def test_an_undecodable_photo_is_replaced_by_another(files, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.warns(UserWarning, match="cannot decode"):
        cache = PhotoCache.build([bad] + list(files[:2]), (80,), "memory")
    ds = CachedTrainSet(cache, gcfg(), "block", (80, 80), seed=0, mask_bank=4)
    with pytest.warns(UserWarning, match="using another image"):
        assert ds[(0, 0)]["crop"].shape == (64, 64, 3)


# -- masks and Telea reuse ---------------------------------------------------------------------
def test_mask_bank_is_seeded_and_picks_all_orientations():
    import masks

    gen = masks.make_generator("stroke")
    a, b = MaskBank(gen, 32, 5, seed=1), MaskBank(gen, 32, 5, seed=1)
    assert np.array_equal(a.masks, b.masks) and not np.array_equal(a.masks, MaskBank(gen, 32, 5, 2).masks)
    assert len({orient(a.masks[0], k).tobytes() for k in range(8)}) == 8
    rng = np.random.default_rng(0)
    drawn = {a.draw(rng).tobytes() for _ in range(400)}
    assert len(drawn) == 40  # 5 masks x 8 orientations


def test_fresh_masks_without_a_bank(files):
    ds = cached_set(files, gcfg(), bank=0)
    assert ds.bank is None and len({ds[(0, i)]["mask"].numpy().tobytes() for i in range(6)}) == 6


def test_telea_reuse_is_a_memo_the_sample_is_the_same_without_it(files):
    g = gcfg(prefill="telea")
    ds = cached_set(files, g, reuse=4)
    first = [ds[(e, 2)] for e in range(8)]
    fresh = cached_set(files, g, reuse=4)  # empty store: everything recomputed (as after a resume)
    for e in (7, 5, 0):
        assert all(torch.equal(fresh[(e, 2)][k], first[e][k]) for k in first[e])
    same = [torch.equal(first[e]["prefill"], first[0]["prefill"]) for e in range(4)]
    assert all(same) and not torch.equal(first[4]["prefill"], first[0]["prefill"])  # next cycle
    assert len({bool(s["flip"]) for s in first}) == 2  # mirrored at random within a cycle


# -- device choices (no GPU needed) ---------------------------------------------------------------
@pytest.mark.parametrize("capability,dtype", [((7, 0), torch.float16), ((7, 5), torch.float16),
                                              ((8, 0), torch.bfloat16), ((9, 0), torch.bfloat16)])
def test_amp_picks_bf16_only_from_compute_capability_8(monkeypatch, capability, dtype):
    monkeypatch.setattr(step_module, "compute_capability", lambda device: capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # True on V100/T4 too
    assert step_module.amp_dtype(torch.device("cuda", 0), True) == dtype
    assert step_module.amp_dtype(torch.device("cuda", 0), False) is None
    assert step_module.amp_dtype(torch.device("cpu"), True) == torch.bfloat16


def test_adam_keeps_its_implementation_when_a_saved_state_is_loaded():
    p = torch.nn.Parameter(torch.randn(4))
    opt = step_module.adam([p], 1e-3, (0.5, 0.999), torch.device("cpu"))
    assert opt.param_groups[0]["fused"]  # fused is the faster one on CPU too (see adam_implementation)
    plain = torch.optim.Adam([p], lr=1e-3, foreach=False)  # as saved by an older run
    p.grad = torch.ones(4)
    plain.step()
    step_module.load_optimizer_state(opt, plain.state_dict())
    assert opt.param_groups[0]["fused"] and opt.param_groups[0]["foreach"] is None
    opt.step()  # the fused implementation continues from the plain one's state
    assert int(opt.state[p]["step"]) == 2 and torch.isfinite(p).all()


def test_device_defaults_fill_only_unset_settings():
    cfg = build_config({"data_dir": "x", "out": "y", "val_every": 7})
    assert cfg.data.workers is None and cfg.schedule.ckpt_every is None
    resolve_device_defaults(cfg, "cuda", cpus_per_process=4)
    assert cfg.data.workers == 3 and cfg.schedule.val_every == 7  # one core left to the loop
    assert cfg.schedule.ckpt_every == DEVICE_DEFAULTS["cuda"]["ckpt_every"]
    many = resolve_device_defaults(build_config({"data_dir": "x", "out": "y"}), "cuda", 64)
    assert many.data.workers == MAX_LOADER_WORKERS
    cpu = resolve_device_defaults(build_config({"data_dir": "x", "out": "y"}), "cpu", 64)
    assert cpu.data.workers == 0 and cpu.data.prefill_reuse == 1
    assert cpu.schedule.log_every == DEVICE_DEFAULTS["cpu"]["log_every"]


@pytest.mark.parametrize("name,message", [("tpu", "unknown device"), ("cuda:x", "unknown device"),
                                          ("cuda:1", "no CUDA GPU|has 1 CUDA GPU")])
def test_device_names_are_checked(name, message):
    from inpaint.device import resolve_device

    if torch.cuda.is_available() and torch.cuda.device_count() > 1 and name == "cuda:1":
        pytest.skip("this machine has a second GPU")
    with pytest.raises(InpaintError, match=message):
        resolve_device(name)


def test_checkpoints_hold_every_ranks_rng_state(files, tmp_path):
    from inpaint.train import run_training

    cfg = build_config({"data_dir": str(files[0].parent), "out": str(tmp_path / "r"), "image_size": 64,
                        "ngf": 8, "n_bottleneck": 16, "batch_size": 2, "steps": 2, "adv_weight": 0.0,
                        "val_fraction": 0.0, "device": "cpu"})
    run_training(cfg)
    state = torch.load(tmp_path / "r" / "last.pt", weights_only=True)
    assert len(state["rng_ranks"]) == 1 and torch.equal(state["rng_ranks"][0]["torch"], state["rng"]["torch"])
    saved = (tmp_path / "r" / "config.yaml").read_text()
    assert "workers: 0" in saved and "ckpt_every: 1000" in saved  # the resolved CPU defaults


@pytest.mark.parametrize("cache", ["off", "disk"])
def test_training_runs_with_the_cache_off_or_on_disk(files, tmp_path, cache, monkeypatch):
    from inpaint.train import run_training

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cfg = build_config({"data_dir": str(files[0].parent), "out": str(tmp_path / "r"), "image_size": 64,
                        "ngf": 8, "n_bottleneck": 16, "batch_size": 2, "steps": 2, "adv_weight": 0.0,
                        "val_fraction": 0.0, "device": "cpu", "cache": cache, "sample_every": 2})
    assert run_training(cfg).step == 2
    assert bool(list((tmp_path / "xdg").rglob("*.u8"))) == (cache == "disk")
    assert (tmp_path / "r" / "samples" / "step_000002.png").is_file()  # training crops, no val set


def _resuming_worker(rank: int, world: int, port: int, settings: dict, result_dir: str) -> None:
    import os

    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    from inpaint.train import run_training

    settings = dict(settings)
    resume = settings.pop("resume", None)
    result = run_training(build_config(settings), resume=resume)
    torch.save(result.generator_state, os.path.join(result_dir, f"rank{rank}.pt"))


def test_two_ranks_resume_their_own_rng_streams_exactly(files, tmp_path):
    """Dropout draws from each rank's own stream; a resume used to give every rank rank 0's."""
    from test_train_ddp import _spawn_two_ranks

    settings = {"data_dir": str(files[0].parent), "image_size": 64, "ngf": 8,
                "batch_size": 2, "steps": 3, "adv_weight": 0.0, "val_fraction": 0.0, "dropout": 0.5,
                "generator": "unet", "mask": "block", "device": "cpu", "sample_every": 0, "ckpt_every": 0}
    (tmp_path / "whole").mkdir()
    _spawn_two_ranks({**settings, "out": str(tmp_path / "a")}, str(tmp_path / "whole"), worker=_resuming_worker)
    (tmp_path / "split").mkdir()
    _spawn_two_ranks({**settings, "out": str(tmp_path / "b"), "steps": 2}, str(tmp_path / "split"),
                     worker=_resuming_worker)
    state = torch.load(tmp_path / "b" / "last.pt", weights_only=True)
    ranks = state["rng_ranks"]
    assert len(ranks) == 2 and not torch.equal(ranks[0]["torch"], ranks[1]["torch"])
    _spawn_two_ranks({**settings, "out": str(tmp_path / "b"), "resume": str(tmp_path / "b")},
                     str(tmp_path / "split"), worker=_resuming_worker)
    whole = torch.load(tmp_path / "whole" / "rank0.pt", weights_only=True)
    resumed = torch.load(tmp_path / "split" / "rank0.pt", weights_only=True)
    for k, v in whole.items():
        assert torch.equal(v, resumed[k]), k


@pytest.mark.parametrize("device", ["cuda:7", "gpu"])
def test_fill_and_train_take_the_same_device_names(tmp_path, device):
    from click.testing import CliRunner

    from cli.main import main

    if torch.cuda.is_available() and torch.cuda.device_count() > 7:
        pytest.skip("this machine has 8 GPUs")
    Image.fromarray(smooth_photo(40, 40, 0)).save(tmp_path / "a.png")
    hole = np.zeros((40, 40), np.uint8)
    hole[10:20, 10:20] = 255
    Image.fromarray(hole).save(tmp_path / "m.png")
    import inpaint.default_model

    r = CliRunner().invoke(main, ["fill", str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-o",
                                  str(tmp_path / "o.png"), "--checkpoint",
                                  str(inpaint.default_model.DEFAULT_CHECKPOINT), "--device", device])
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert r.exit_code != 0 and len(errors) == 1 and "Traceback" not in r.output, r.output
    assert "device" in errors[0] or "CUDA" in errors[0], errors[0]


def test_a_cache_built_by_several_processes_is_the_same(files, tmp_path):
    serial = PhotoCache.build(files, (90, 45), "memory")
    pooled = PhotoCache.build(files, (90, 45), "memory", processes=2)
    assert pooled.index == serial.index and np.array_equal(pooled.buffer, serial.buffer)
    on_disk = PhotoCache.build(files, (90, 45), "disk", tmp_path, processes=2)
    assert on_disk.index == serial.index and np.array_equal(np.asarray(on_disk.buffer), serial.buffer)


def test_an_unwritable_cache_folder_is_one_line(files, tmp_path):
    from inpaint.errors import TrainingError
    from inpaint.train import run_training

    (tmp_path / "file").write_text("not a folder")
    cfg = build_config({"data_dir": str(files[0].parent), "out": str(tmp_path / "r"), "image_size": 64,
                        "ngf": 8, "n_bottleneck": 16, "batch_size": 2, "steps": 1, "device": "cpu",
                        "cache": "disk", "cache_dir": str(tmp_path / "file" / "sub")})
    with pytest.raises(TrainingError, match="cannot write the photo cache.*--cache memory"):
        run_training(cfg)
