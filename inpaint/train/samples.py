"""Datasets of training/validation samples: crop + fresh mask + pre-fill → network tensors.

A sample is a dict of tensors (S = ``image_size``):

* ``image`` ``(3, S, S)`` in [-1, 1]: the ground truth;
* ``mask`` ``(1, S, S)``, 1 = hole, 0 = known;
* ``input`` ``(in_channels, S, S)``: :func:`inpaint.network_input.network_input` of the
  pre-filled photo (``GeneratorConfig.prefill``: CE mean pixel or Telea) and the mask.

Masks are drawn per sample (never one per batch) from the ``masks`` registry; centre mode
uses the CE centre square shrunk by ``overlap``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from inpaint.config import GeneratorConfig
from inpaint.network_input import network_input
from inpaint.prefill import prefill
from inpaint.tensors import image_to_tensor, mask_to_tensor
from inpaint.train.data import _READ_ERRORS, center_crop_spec, load_crop, random_crop_spec

VAL_STREAM = 2**31 - 1  # rng "epoch" of the fixed validation masks (never a training epoch)


def mask_generator(kind: str, gcfg: GeneratorConfig, mix: dict[str, float] | None = None):
    """The mask generator a run uses: ``gen(h, w, rng) -> uint8 H×W`` (255 = hole).

    ``mix`` (kind ``"mixed"`` only) maps kind → weight; None keeps the mixture's default."""
    from masks import make_generator

    if kind == "center":
        return make_generator("center", overlap=gcfg.overlap)
    if kind == "mixed" and mix:
        return make_generator("mixed", kinds=dict(mix))
    return make_generator(kind)


def make_sample(crop: np.ndarray, mask: np.ndarray, gcfg: GeneratorConfig) -> dict[str, torch.Tensor]:
    """crop ``uint8`` S×S×3, mask ``uint8`` S×S (255 = hole) → the sample dict (see module doc)."""
    filled = prefill(crop, mask, gcfg.prefill)
    m = mask_to_tensor(mask)
    inp = network_input(image_to_tensor(filled)[None], m[None], gcfg)[0]
    return {"image": image_to_tensor(crop), "mask": m, "input": inp}


class InpaintDataset(Dataset):
    """Training (random scale/crop/flip) or validation (fixed centre crop) samples of ``files``.

    ``scale`` is the short-side range (px) photos are resized to before cropping; validation
    uses its midpoint. The random choices of sample ``index`` of ``epoch`` come from
    ``default_rng([seed, epoch, index])``; the epoch comes with the key (``(epoch, index)``)
    or from :meth:`set_epoch`.
    """

    def __init__(self, files: list[Path], gcfg: GeneratorConfig, mask: str, scale: tuple[int, int],
                 seed: int = 0, train: bool = True, mask_mix: dict[str, float] | None = None):
        if not files:
            raise ValueError("InpaintDataset needs at least one file")
        self.files = list(files)
        self.gcfg = gcfg
        self.scale = scale
        self.seed = int(seed)
        self.train = train
        self.epoch = 0
        self._masks = mask_generator(mask, gcfg, mask_mix)

    def __len__(self) -> int:
        return len(self.files)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def rng(self, index: int) -> np.random.Generator:
        epoch = self.epoch if self.train else VAL_STREAM
        return np.random.default_rng([self.seed, epoch, int(index)])

    def __getitem__(self, key) -> dict[str, torch.Tensor]:
        """``key``: an index (of the epoch set by :meth:`set_epoch`) or an ``(epoch, index)``
        pair, as :class:`inpaint.train.sampler.EpochSampler` yields with ``keyed=True``."""
        if isinstance(key, (tuple, list)):
            epoch, index = int(key[0]), int(key[1])
            rng = np.random.default_rng([self.seed, epoch if self.train else VAL_STREAM, index])
        else:
            index = int(key)
            rng = self.rng(index)
        crop = self._load(index, rng)
        size = self.gcfg.image_size
        return make_sample(crop, self._masks(size, size, rng), self.gcfg)

    def _load(self, index: int, rng: np.random.Generator) -> np.ndarray:
        size = self.gcfg.image_size
        if self.train:
            spec_fn = lambda w, h: random_crop_spec(w, h, size, self.scale, rng)  # noqa: E731
        else:
            short = (self.scale[0] + self.scale[1]) // 2
            spec_fn = lambda w, h: center_crop_spec(w, h, size, short)  # noqa: E731
        # A file whose header parsed but whose pixels do not decode (truncated, corrupt): use
        # the next file instead, deterministically, rather than killing a long run.
        for k in range(len(self.files)):
            path = self.files[(index + k) % len(self.files)]
            try:
                return load_crop(path, spec_fn)
            except _READ_ERRORS as exc:
                warnings.warn(f"cannot decode {path} ({type(exc).__name__}); using another image")
        raise OSError(f"no image of the dataset could be decoded (last tried {path})")
