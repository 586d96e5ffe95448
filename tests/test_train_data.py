"""Training data: discovery, photo modes, crops, per-sample masks, validation split."""

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

from inpaint.config import GeneratorConfig
from inpaint.errors import TrainingError
from inpaint.prefill import CE_MEAN_PIXEL
from inpaint.tensors import image_to_tensor
from inpaint.train.data import list_images, load_rgb, readable_images, split_files
from inpaint.train.sampler import EpochSampler
from inpaint.train.samples import InpaintDataset

torch.set_num_threads(1)


def photo(h, w, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) % 256], -1)
    return np.clip(base + rng.integers(-20, 20, (h, w, 3)), 0, 255).astype(np.uint8)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "photos"
    (root / "a" / "b").mkdir(parents=True)
    names = ["p0.png", "a/p1.JPG", "a/b/p2.jpeg", "p3.webp", "p4.bmp", "a/p5.TIF", "p6.tiff", "p7.PNG"]
    for i, name in enumerate(names):
        Image.fromarray(photo(90 + 7 * i, 120 - 5 * i, i)).save(root / name)
    (root / "notes.txt").write_text("not a photo")
    return root


def test_lists_recursively_case_insensitive(folder):
    files = list_images(folder)
    assert len(files) == 8
    assert files == sorted(files)
    assert all(p.suffix.lower() != ".txt" for p in files)
    assert folder / "a" / "b" / "p2.jpeg" in files


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(TrainingError, match="not found"):
        list_images(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TrainingError, match="no images"):
        list_images(tmp_path / "empty")


def test_unreadable_files_skipped_and_counted(folder):
    (folder / "broken.jpg").write_bytes(b"garbage, not a jpeg")
    (folder / "a" / "empty.png").write_bytes(b"")
    good, bad = readable_images(folder)
    assert len(good) == 8 and sorted(p.name for p in bad) == ["broken.jpg", "empty.png"]


def test_no_readable_image_is_an_error(tmp_path):
    (tmp_path / "x.png").write_bytes(b"nope")
    with pytest.raises(TrainingError, match="could be read"):
        readable_images(tmp_path)


@pytest.mark.parametrize("mode", ["P", "RGBA", "L", "I;16", "CMYK", "LA"])
def test_any_mode_loads_as_rgb(tmp_path, mode):
    rgb = photo(40, 50, 1)
    if mode == "I;16":
        img = Image.fromarray((rgb[..., 0].astype(np.uint16) * 257))
        assert img.mode.startswith("I;16")
    else:
        img = Image.fromarray(rgb).convert(mode)
    suffix = ".jpg" if mode == "CMYK" else ".png"
    img.save(tmp_path / f"x{suffix}")
    out = np.asarray(load_rgb(tmp_path / f"x{suffix}"))
    assert out.shape == (40, 50, 3) and out.dtype == np.uint8
    if mode == "I;16":  # 16-bit scaled down, not clipped
        assert np.abs(out[..., 0].astype(int) - rgb[..., 0]).max() <= 1
    if mode == "RGBA":
        assert np.array_equal(out, rgb)


def dataset(files, mask="center", size=64, train=True, seed=0, **gkw):
    gkw.setdefault("mode", "center" if mask == "center" else "full")
    gcfg = GeneratorConfig(image_size=size, ngf=8, n_bottleneck=8, **gkw).validate()
    return InpaintDataset(files, gcfg, mask, (175, 200), seed=seed, train=train)


def test_sample_shapes_ranges_and_centre_mean_fill(folder):
    ds = dataset(list_images(folder))
    s = ds[0]
    assert s["image"].shape == (3, 64, 64) and s["mask"].shape == (1, 64, 64) and s["input"].shape == (3, 64, 64)
    assert s["image"].min() >= -1 and s["image"].max() <= 1
    hole = s["mask"][0] > 0.5
    rows = torch.nonzero(hole.any(1)).flatten()
    assert rows.min() == 16 + 4 and rows.max() == 47 - 4  # centre square shrunk by overlap 4
    mean = image_to_tensor(np.broadcast_to(CE_MEAN_PIXEL, (1, 1, 3)).copy())[:, 0, 0]
    assert torch.allclose(s["input"][:, hole], mean[:, None].expand(3, int(hole.sum())))
    assert torch.equal(s["input"][:, ~hole], s["image"][:, ~hole])


def test_full_mode_mask_channel_and_telea(folder):
    ds = dataset(list_images(folder), mask="block", mask_channel=True, prefill="telea")
    s = ds[3]
    assert s["input"].shape == (4, 64, 64)
    assert torch.equal(s["input"][3:], s["mask"])
    known = s["mask"][0] < 0.5
    assert torch.equal(s["input"][:3, known], s["image"][:, known])


def test_small_images_are_upscaled(tmp_path):
    Image.fromarray(photo(20, 30, 3)).save(tmp_path / "tiny.png")
    ds = dataset([tmp_path / "tiny.png"], size=128)
    assert ds[0]["image"].shape == (3, 128, 128)
    val = dataset([tmp_path / "tiny.png"], size=128, train=False)
    assert val[0]["image"].shape == (3, 128, 128)


def test_per_sample_masks_are_deterministic(folder):
    files = list_images(folder)
    a, b = dataset(files, mask="block", seed=5), dataset(files, mask="block", seed=5)
    for i in range(3):
        assert torch.equal(a[i]["mask"], b[i]["mask"]) and torch.equal(a[i]["image"], b[i]["image"])
    before = a[0]["mask"].clone()
    a.set_epoch(1)
    assert not torch.equal(a[0]["mask"], before)  # a new epoch draws new masks
    assert not torch.equal(dataset(files, mask="block", seed=6)[0]["mask"], before)


def test_masks_differ_within_a_batch_and_workers_do_not_matter(folder):
    files = list_images(folder)
    ds = dataset(files, mask="block")
    sampler = EpochSampler(len(ds), 4, seed=0)
    serial = next(iter(DataLoader(ds, batch_size=4, sampler=sampler)))
    masks = serial["mask"]
    assert len({m.numpy().tobytes() for m in masks}) == 4  # one fresh mask per sample
    parallel = next(iter(DataLoader(ds, batch_size=4, sampler=sampler, num_workers=2)))
    for key in ("image", "mask", "input"):
        assert torch.equal(serial[key], parallel[key])


def test_validation_crops_and_masks_are_fixed(folder):
    files = list_images(folder)
    val = dataset(files, mask="block", train=False)
    first = val[2]
    val.set_epoch(7)  # epochs never change validation samples
    assert torch.equal(val[2]["image"], first["image"]) and torch.equal(val[2]["mask"], first["mask"])


def test_val_split_disjoint_deterministic_and_stable(folder):
    files = list_images(folder)
    train, val = split_files(files, folder, 0.3)
    assert val and train and not set(train) & set(val) and set(train) | set(val) == set(files)
    assert split_files(files, folder, 0.3) == (train, val)
    for i in range(20):  # more photos later never move old ones between the sets
        Image.fromarray(photo(40, 40, 100 + i)).save(folder / f"new{i}.png")
    train2, val2 = split_files(list_images(folder), folder, 0.3)
    assert set(val) <= set(val2) and set(train) <= set(train2)
    assert split_files(files, folder, 0.0)[1] == []


def test_sampler_is_a_function_of_seed_and_epoch_and_shards():
    s = EpochSampler(10, 2, seed=3)
    s.set_epoch(0)
    e0 = list(s)
    s.set_epoch(1)
    assert list(s) != e0 and len(e0) == 10
    s.set_epoch(0, start_batch=2)
    assert list(s) == e0[4:]
    r0, r1 = EpochSampler(10, 2, 3, 0, 2), EpochSampler(10, 2, 3, 1, 2)
    a, b = list(r0), list(r1)
    assert len(a) == len(b) == 4 and not set(a) & set(b)
    assert EpochSampler(3, 8, 0).steps_per_epoch == 1 and len(list(EpochSampler(3, 8, 0))) == 8
