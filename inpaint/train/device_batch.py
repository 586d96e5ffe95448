"""Turn a collated raw batch (:mod:`inpaint.train.cached_samples`) into the network's tensors,
on the training device, for the whole batch at once.

The arithmetic is that of the per-sample path (:func:`inpaint.train.samples.make_sample`):
``uint8 / 127.5 - 1`` in float32, the CE mean pixel converted the same way, the mask as 0/1,
so a batch built here equals the stacked per-sample tensors of the same crops and masks.
"""

from __future__ import annotations

import torch

from inpaint.config import GeneratorConfig
from inpaint.network_input import network_input
from inpaint.prefill import CE_MEAN_PIXEL


def _to_unit(image_hwc: torch.Tensor) -> torch.Tensor:
    """``(B, S, S, 3)`` uint8 → ``(B, 3, S, S)`` float32 in [-1, 1]."""
    return image_hwc.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)


_MEAN: dict = {}


def _mean_pixel(device: torch.device) -> torch.Tensor:
    """The CE mean pixel as a ``(1, 3, 1, 1)`` tensor on ``device``, copied there once."""
    if device not in _MEAN:
        _MEAN[device] = _to_unit(torch.from_numpy(CE_MEAN_PIXEL).to(device).view(1, 1, 1, 3))
    return _MEAN[device]


def _flipped(x: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)


def build_batch(raw: dict, gcfg: GeneratorConfig, device: torch.device) -> dict[str, torch.Tensor]:
    """``{"crop", "mask", "flip"[, "prefill"]}`` (CPU, pinned or not) → ``{"image", "mask",
    "input"}`` on ``device``."""
    nb = device.type == "cuda"  # pinned host memory: the copy overlaps the previous step
    flip = raw["flip"].to(device, non_blocking=nb)
    image = _flipped(_to_unit(raw["crop"].to(device, non_blocking=nb)), flip)
    mask = _flipped((raw["mask"].to(device, non_blocking=nb) > 0).float()[:, None], flip)
    if gcfg.prefill == "mean":
        filled = torch.where(mask > 0.5, _mean_pixel(device), image)
    else:
        filled = _flipped(_to_unit(raw["prefill"].to(device, non_blocking=nb)), flip)
    return {"image": image, "mask": mask, "input": network_input(filled, mask, gcfg)}
