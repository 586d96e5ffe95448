"""CUDA paths (skipped without a CUDA GPU; scripts/gpu_check.sh runs them on one):
training steps of both shipped recipes with and without --amp (the fp16 + GradScaler path
included), a fill of a 2048² photo, checkpoints moving between devices."""

import numpy as np
import pytest
import torch
from PIL import Image

import inpaint.train.step as step_module
from conftest import SHIPPED_DEFAULT_CHECKPOINT
from inpaint.train import build_config, run_training

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

RECIPES = {
    "recipe": {"mask": "mixed", "mask_mix": "center=1,block=1,region=1,stroke=1,thin=0.5,medium=0.5,thick=0.5",
               "generator": "unet", "ngf": 16, "scale_min": 128, "scale_max": 448, "prefill": "telea",
               "residual": True, "mask_channel": True, "dropout": 0.0, "rec_loss": "l1",
               "adv_weight": 0.0, "lr": 0.001, "lr_schedule": "cosine"},
    "paper-ce": {"mask": "center"},  # adversarial: D, BCE, both optimisers
}


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    for i in range(12):
        h, w = 300 + 10 * i, 460 - 8 * i
        y, x = np.mgrid[0:h, 0:w]
        img = np.stack([x // 2 + 9 * i, y // 2, (x + y) // 4], -1) + rng.integers(0, 30, (h, w, 3))
        Image.fromarray((img % 256).astype(np.uint8)).save(root / f"p{i}.jpg", quality=90)
    return root


def settings(photos, out, recipe, **kw):
    base = {**RECIPES[recipe], "data_dir": str(photos), "out": str(out), "batch_size": 8, "steps": 3,
            "val_fraction": 0.2, "val_max": 4, "log_every": 1, "sample_every": 3, "val_every": 3,
            "ckpt_every": 0, "device": "cuda", "workers": 0}
    base.update(kw)
    return build_config(base)


def finite(state: dict) -> bool:
    return all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())


@pytest.mark.parametrize("recipe", list(RECIPES))
@pytest.mark.parametrize("amp", ["off", "native", "fp16"])
def test_a_few_training_steps(photos, tmp_path, monkeypatch, recipe, amp):
    seen = {}
    real_init = step_module.StepRunner.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen["dtype"], seen["scaler"] = self.dtype, self.scaler.is_enabled()

    monkeypatch.setattr(step_module.StepRunner, "__init__", spy)
    if amp == "fp16":  # what a V100/T4 gets: fp16 autocast with loss scaling
        monkeypatch.setattr(step_module, "compute_capability", lambda device: (7, 0))
    result = run_training(settings(photos, tmp_path / "r", recipe, amp=amp != "off", workers=2))
    assert result.step == 3 and finite(result.generator_state)
    if amp == "off":
        assert seen["dtype"] is None
    elif amp == "fp16":
        assert seen["dtype"] == torch.float16 and seen["scaler"]
    else:
        capability = torch.cuda.get_device_capability()
        assert seen["dtype"] == (torch.bfloat16 if capability >= (8, 0) else torch.float16)
    assert (tmp_path / "r" / "samples" / "step_000003.png").is_file()


@pytest.mark.parametrize("first,then", [("cuda", "cpu"), ("cpu", "cuda")])
def test_a_checkpoint_moves_between_devices(photos, tmp_path, first, then):
    out = tmp_path / "r"
    run_training(settings(photos, out, "paper-ce", steps=2, device=first, image_size=64, n_bottleneck=64,
                          sample_every=0, val_every=0))
    result = run_training(settings(photos, out, "paper-ce", steps=3, device=then, image_size=64,
                                   n_bottleneck=64, sample_every=0, val_every=0), resume=out)
    assert result.step == 3 and finite(result.generator_state)
    state = torch.load(out / "last.pt", weights_only=True, map_location="cpu")
    assert state["step"] == 3 and len(state["rng_ranks"]) == 1
    assert state["optimizer_d"]["param_groups"][0]["fused"]  # fused Adam on both devices
    from inpaint.checkpoint import load_generator

    model, _, _ = load_generator(out / "last.pt")  # loads on the CPU whatever device wrote it
    assert next(model.parameters()).device.type == "cpu"


def test_a_chosen_gpu_is_the_current_device(photos, tmp_path):
    last = torch.cuda.device_count() - 1
    try:
        result = run_training(settings(photos, tmp_path / "r", "paper-ce", steps=1, device=f"cuda:{last}",
                                       image_size=64, n_bottleneck=64, sample_every=0, val_every=0, amp=True))
        assert result.step == 1 and torch.cuda.current_device() == last
    finally:
        torch.cuda.set_device(0)


def test_fill_of_a_2048_photo_on_the_gpu():
    from inpaint.api import Inpainter

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:2048, 0:2048]
    rgb = np.stack([x // 8, y // 8, (x + y) // 16], -1).astype(np.uint8) + rng.integers(0, 8, (2048, 2048, 3),
                                                                                        dtype=np.uint8)
    hole = np.zeros((2048, 2048), np.uint8)
    hole[300:420, 500:700] = 255
    hole[1500:1900, 1200:1260] = 255
    painter = Inpainter.from_checkpoint(SHIPPED_DEFAULT_CHECKPOINT, device="cuda")
    out = painter.fill_array(rgb, hole)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert np.array_equal(out[hole == 0], rgb[hole == 0])  # known pixels bit-exact
    assert not np.array_equal(out[hole > 0], rgb[hole > 0])
