"""Paired photos (A → B) for paired translation, as pix2pix reads them.

Two layouts: an ``A_DIR`` and a ``B_DIR`` whose files match by name (the path under the folder
without its suffix: ``A/x/1.jpg`` ↔ ``B/x/1.png``), or one folder of side-by-side ``A|B`` files
split at the middle (pix2pix's format).

A sample is ``{"a": uint8 (S, S, 3), "b": uint8 (S, S, 3)}``. pix2pix jitter for training: both
photos resized to ``load × load`` (``load = round(S · 286/256)``: 286 for 256) and the same
random ``S × S`` crop and mirror flip of both, from ``default_rng([seed, epoch, index])``; for
validation the centre crop, never mirrored. Photos are decoded per sample (as pix2pix does).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from inpaint.errors import TrainingError
from inpaint.imageio import decode_rgb
from inpaint.train.cached_samples import split_key
from inpaint.train.data import _READ_ERRORS, list_images, photo_size

LOAD_RATIO = 286 / 256  # pix2pix: resize to 286, then crop 256


def load_size(size: int) -> int:
    return int(size * LOAD_RATIO + 0.5)


def _keys(root: Path, files: list[Path]) -> dict[str, Path]:
    keys: dict[str, Path] = {}
    for path in files:
        key = path.relative_to(root).with_suffix("").as_posix()
        if key in keys:
            raise TrainingError(f"two files of {root} share the name {key!r} ({keys[key].name}, {path.name}): "
                                "pairs are matched by name, so each name must be used once")
        keys[key] = path
    return keys


def match_pairs(a_dir: str | Path, b_dir: str | Path) -> list[tuple[Path, Path]]:
    """``(A file, B file)`` pairs of two folders, matched by name, sorted by A; one-line
    :class:`TrainingError` when some file has no partner."""
    a_root, b_root = Path(a_dir), Path(b_dir)
    a, b = _keys(a_root, list_images(a_root)), _keys(b_root, list_images(b_root))
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if only_a or only_b:
        first = (only_a or only_b)[0]
        raise TrainingError(f"{len(only_a)} file(s) of {a_root} have no match in {b_root} and "
                            f"{len(only_b)} of {b_root} none in {a_root} (first: {first!r}); pairs "
                            "are matched by file name without the suffix")
    return [(a[k], b[k]) for k in sorted(a)]


def check_side_by_side(files: list[Path], root: str | Path) -> None:
    """One-line :class:`TrainingError` when a file of a single-folder (``A|B``) dataset cannot
    be two halves of equal width: its width is odd (a photo, not a pair), or under 2 px."""
    odd = []
    for path in files:
        width, height = photo_size(path)  # as decoded: EXIF orientation applied
        if width < 2 or width % 2:
            odd.append((path, width, height))
    if odd:
        path, width, height = odd[0]
        raise TrainingError(f"{len(odd)} of the {len(files)} file(s) under {root} are not side-by-side A|B "
                            f"pairs: their width is odd (first: {path.name}, {width}×{height}); with one "
                            "folder each file must be A and B side by side, two halves of equal width; for "
                            "two folders of files matched by name give A_DIR B_DIR")


class PairedPhotos(Dataset):
    """Samples (see the module doc) of ``pairs``: ``(A, B)`` files, or ``(AB, None)`` for a
    side-by-side file."""

    def __init__(self, pairs: list[tuple[Path, Path | None]], size: int, seed: int = 0, train: bool = True):
        if not pairs:
            raise ValueError("PairedPhotos needs at least one pair")
        self.pairs, self.size, self.seed, self.train = list(pairs), size, int(seed), train
        self.load = load_size(size)
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.pairs)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def _decode(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        first, second = self.pairs[index]
        try:
            a = decode_rgb(first)
            if second is None:
                half = a.shape[1] // 2
                if half < 1:
                    raise TrainingError(f"{first} is too narrow to hold A|B side by side")
                a, b = a[:, :half], a[:, half:2 * half]
            else:
                b = decode_rgb(second)
        except _READ_ERRORS as exc:
            raise TrainingError(f"cannot decode the pair {first}: {type(exc).__name__}") from None
        return a, b

    def _resized(self, rgb: np.ndarray) -> np.ndarray:
        img = Image.fromarray(rgb).resize((self.load, self.load), Image.BICUBIC)
        return np.asarray(img, dtype=np.uint8)

    def __getitem__(self, key) -> dict[str, torch.Tensor]:
        epoch, index = split_key(key, self.epoch)
        a, b = (self._resized(x) for x in self._decode(index))
        room = self.load - self.size
        if self.train:
            rng = np.random.default_rng([self.seed, epoch, index])
            top, left = int(rng.integers(0, room + 1)), int(rng.integers(0, room + 1))
            flip = bool(rng.random() < 0.5)
        else:
            top = left = room // 2
            flip = False
        out = {}
        for name, x in (("a", a), ("b", b)):
            crop = x[top:top + self.size, left:left + self.size]
            out[name] = torch.from_numpy(np.ascontiguousarray(crop[:, ::-1] if flip else crop))
        return out
