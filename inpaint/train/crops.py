"""Square crops of photos, nothing else: the samples of colourisation.

A sample is ``{"crop": uint8 (S, S, 3)}``, RGB, already mirrored when the draw says so. For
training a random scale (short side in ``scale``) + crop + flip, from the decoded-photo cache
(:class:`inpaint.train.photo_cache.PhotoCache`) or, with ``--cache off``, from the files; for
validation the centre crop of the photo scaled to the middle of ``scale``, never mirrored.
Sample ``index`` of ``epoch`` draws from ``default_rng([seed, epoch, index])`` as the inpainting
samples do, so a resumed run sees the same crops.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from inpaint.color import is_grey
from inpaint.imageio import decode_rgb
from inpaint.train.cached_samples import split_key
from inpaint.train.data import _READ_ERRORS, center_crop_spec, load_crop, random_crop_spec
from inpaint.train.photo_cache import PhotoCache

GREY_PROBE = (256, 256)  # JPEG draft size for the grey test of a file (the test needs no detail)


def is_grey_file(path: Path) -> bool:
    """The grey test of a photo file; an undecodable file is not grey (it is skipped later)."""
    try:
        return is_grey(decode_rgb(path, draft_size=GREY_PROBE))
    except _READ_ERRORS:
        return False


def colour_photos_of_cache(cache: PhotoCache) -> list[int]:
    """Indices of the decodable, not grey photos of ``cache`` (tested on their smallest level)."""
    last = len(cache.levels) - 1
    return [i for i in range(len(cache)) if cache.usable(i) and not is_grey(cache.level(i, last))]


class PhotoCrops(Dataset):
    """Crops (see the module doc) of the photos ``indices`` of ``source``: a
    :class:`PhotoCache` (training) or a list of files (``--cache off``, validation)."""

    def __init__(self, source: PhotoCache | list[Path], indices: list[int], size: int,
                 scale: tuple[int, int], seed: int = 0, train: bool = True):
        if not indices:
            raise ValueError("PhotoCrops needs at least one photo")
        self.source, self.indices, self.size, self.scale = source, list(indices), size, scale
        self.seed, self.train = int(seed), train
        self.epoch = 0  # for plain-index access; the sampler passes (epoch, index) keys

    def __len__(self) -> int:
        return len(self.indices)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def _spec(self, width: int, height: int, rng: np.random.Generator):
        if self.train:
            return random_crop_spec(width, height, self.size, self.scale, rng)
        return center_crop_spec(width, height, self.size, (self.scale[0] + self.scale[1]) // 2)

    def __getitem__(self, key) -> dict[str, torch.Tensor]:
        epoch, index = split_key(key, self.epoch)
        rng = np.random.default_rng([self.seed, epoch, index])
        if isinstance(self.source, PhotoCache):
            photo = self.indices[index]
            spec = self._spec(*self.source.size(photo), rng)
            crop = self.source.crop(photo, spec)
            if spec.flip:
                crop = np.ascontiguousarray(crop[:, ::-1])
        else:
            crop = self._from_files(index, rng)
        return {"crop": torch.from_numpy(crop)}

    def _from_files(self, index: int, rng: np.random.Generator) -> np.ndarray:
        # a file whose pixels do not decode: the next one, deterministically (as samples.py)
        for k in range(len(self.indices)):
            path = self.source[self.indices[(index + k) % len(self.indices)]]
            try:
                return load_crop(path, lambda w, h: self._spec(w, h, rng))
            except _READ_ERRORS as exc:
                warnings.warn(f"cannot decode {path} ({type(exc).__name__}); using another image")
        raise OSError(f"no image of the dataset could be decoded (last tried {path})")
