"""Training samples from the photo cache, with as little CPU work per sample as possible.

A sample here is *raw*: ``uint8`` tensors and a flag, never floats (48 KiB at 128 px instead of
the 512 KiB of float image + mask + input):

* ``crop`` ``(S, S, 3)`` ``uint8``: the scaled crop, not yet flipped;
* ``mask`` ``(S, S)`` ``uint8``, 255 = hole (from the :class:`MaskBank`, or fresh);
* ``flip`` ``bool``: mirror left-right;
* ``prefill`` ``(S, S, 3)`` ``uint8``, only for the Telea prefill: OpenCV Telea of the crop and
  mask, exactly what ``inpaint fill`` computes for a window.

The training device turns a collated batch of these into ``image``/``mask``/``input``
(:mod:`inpaint.train.device_batch`): the flip, the conversion to [-1, 1], the mean-pixel
prefill and the network input happen there, in batches.

Randomness: sample ``index`` of ``epoch`` uses ``default_rng([seed, epoch, index])`` as the
per-sample path (:mod:`inpaint.train.samples`) does. The sampler hands the epoch to the workers
with every index (``(epoch, index)`` keys), so persistent workers see every new epoch.

Telea costs 2–4 ms per 128-px crop, 10× everything else together, so with ``prefill_reuse`` R
> 1 a Telea-prefilled crop is reused for R consecutive epochs: its crop and mask come from
``default_rng([seed, epoch // R, index])`` and only its mirror flip from ``(seed, epoch,
index)``. The result is kept in a store shared by the loader workers, which is only a memo:
a sample is the same whether it is found there or computed again (after a resume, in another
worker), so runs stay exact.
"""

from __future__ import annotations

import mmap
import warnings

import numpy as np
import torch
from torch.utils.data import Dataset

from inpaint.config import GeneratorConfig
from inpaint.prefill import prefill
from inpaint.train.data import random_crop_spec
from inpaint.train.mask_bank import MaskBank
from inpaint.train.photo_cache import PhotoCache
from inpaint.train.samples import mask_generator

FLIP_STREAM = 1  # extra rng word of the per-epoch mirror flip of a reused Telea sample
STORE_MAX_BYTES = 4 << 30  # memo of Telea samples: indices beyond this are recomputed


def split_key(key, epoch: int) -> tuple[int, int]:
    """``(epoch, index)`` from a sampler key, or ``(epoch, key)`` for a plain index."""
    if isinstance(key, (tuple, list)):
        return int(key[0]), int(key[1])
    return int(epoch), int(key)


class _Store:
    """Slots of ``(crop, prefill, mask)`` per index with the generation they hold, in an
    anonymous shared mapping: forked loader workers read and write the same memory."""

    def __init__(self, n: int, size: int):
        self.slot = size * size * 7
        self.n = max(0, min(n, STORE_MAX_BYTES // (self.slot + 8)))
        self._map = mmap.mmap(-1, max(1, self.n * (self.slot + 8)))
        self.tags = np.frombuffer(self._map, dtype=np.int64, count=self.n)
        self.data = np.frombuffer(self._map, dtype=np.uint8, count=self.n * self.slot,
                                  offset=self.n * 8).reshape(self.n, self.slot)
        self.size = size

    def get(self, index: int, generation: int):
        if index >= self.n or self.tags[index] != generation + 1:
            return None
        s, row = self.size, self.data[index]
        crop = row[:3 * s * s].reshape(s, s, 3)
        filled = row[3 * s * s:6 * s * s].reshape(s, s, 3)
        return crop.copy(), row[6 * s * s:].reshape(s, s).copy(), filled.copy()

    def put(self, index: int, generation: int, crop, mask, filled) -> None:
        if index >= self.n:
            return
        s = self.size
        row = self.data[index]
        row[:3 * s * s] = crop.reshape(-1)
        row[3 * s * s:6 * s * s] = filled.reshape(-1)
        row[6 * s * s:] = mask.reshape(-1)
        self.tags[index] = generation + 1  # written last: a slot is read only once complete

    def __getstate__(self):  # spawned (not forked) workers get an empty store of their own
        return {"n": self.n, "size": self.size}

    def __setstate__(self, state):
        self.__init__(state["n"], state["size"])


class CachedTrainSet(Dataset):
    """Raw training samples (see the module doc) of the photos of ``cache``."""

    def __init__(self, cache: PhotoCache, gcfg: GeneratorConfig, mask: str, scale: tuple[int, int],
                 seed: int = 0, mask_mix: dict[str, float] | None = None, mask_bank: int = 0,
                 prefill_reuse: int = 1):
        usable = [i for i in range(len(cache)) if cache.usable(i)]
        if not usable:
            raise OSError("no image of the dataset could be decoded")
        self.cache, self.gcfg, self.scale, self.seed = cache, gcfg, scale, int(seed)
        self.usable = usable
        self.epoch = 0  # for plain-index access only; the sampler passes (epoch, index) keys
        generator = mask_generator(mask, gcfg, mask_mix)
        # the CE centre square has no randomness: one bank mask is all of them
        count = min(mask_bank, 1) if mask == "center" else mask_bank
        self.bank = MaskBank(generator, gcfg.image_size, count, seed) if count else None
        self._fresh = generator
        self.telea = gcfg.prefill == "telea"
        self.reuse = int(prefill_reuse) if self.telea else 1
        self.store = _Store(len(cache), gcfg.image_size) if self.reuse > 1 else None

    def __len__(self) -> int:
        return len(self.cache)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def _photo(self, index: int) -> int:
        # a photo that did not decode: the next one that did, deterministically (as samples.py)
        if self.cache.usable(index):
            return index
        warnings.warn(f"photo {index} of the cache could not be decoded; using another image")
        return next((i for i in self.usable if i > index), self.usable[0])

    def _draw(self, index: int, rng: np.random.Generator):
        photo = self._photo(index)
        size = self.gcfg.image_size
        spec = random_crop_spec(*self.cache.size(photo), size, self.scale, rng)
        crop = self.cache.crop(photo, spec)
        mask = self.bank.draw(rng) if self.bank is not None else self._fresh(size, size, rng)
        return crop, mask, spec.flip

    def __getitem__(self, key) -> dict[str, torch.Tensor]:
        epoch, index = split_key(key, self.epoch)
        if self.reuse == 1:
            crop, mask, flip = self._draw(index, np.random.default_rng([self.seed, epoch, index]))
            out = {"crop": torch.from_numpy(crop), "mask": torch.from_numpy(np.ascontiguousarray(mask)),
                   "flip": torch.tensor(flip)}
            if self.telea:
                out["prefill"] = torch.from_numpy(prefill(crop, mask, "telea"))
            return out
        generation = epoch // self.reuse
        found = self.store.get(index, generation)
        if found is None:
            crop, mask, _ = self._draw(index, np.random.default_rng([self.seed, generation, index]))
            filled = prefill(crop, mask, "telea")
            self.store.put(index, generation, crop, mask, filled)
        else:
            crop, mask, filled = found
        flip = bool(np.random.default_rng([self.seed, epoch, index, FLIP_STREAM]).integers(2))
        return {"crop": torch.from_numpy(crop), "mask": torch.from_numpy(np.ascontiguousarray(mask)),
                "flip": torch.tensor(flip), "prefill": torch.from_numpy(filled)}
