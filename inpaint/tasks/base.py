"""The task seam of training: what a task owns, and the data helpers tasks share.

A task (one class per file in this package, one line in :data:`inpaint.tasks.TASKS`) owns

* its **settings**: ``defaults`` (flat settings it changes from the dataclass defaults, applied
  just above them by :func:`inpaint.train.config.build_config`) and :meth:`Task.validate`;
* its **data**: :meth:`Task.data` builds the training and held-out datasets; samples are
  keyed by ``(epoch, index)`` (:class:`inpaint.train.sampler.EpochSampler`) and all their
  randomness comes from ``default_rng([seed, epoch, index])``, so runs are exact on resume;
* the generator's **input and target**: :meth:`Task.to_device` turns a collated batch into a
  dict on the training device holding at least ``"input"`` (what G sees, and the condition of a
  conditional discriminator); :meth:`Task.target` is what G should output, :meth:`Task.fake`
  what the discriminator judges of G's output, :meth:`Task.rec_mask` and :meth:`Task.rec_weight`
  how the reconstruction loss is weighted;
* its **validation baseline** (:meth:`Task.validator`) and its **sample grid**
  (:meth:`Task.sample_grid`);
* what its **checkpoints** say about it (:meth:`Task.checkpoint_info`, the ``"task"`` key).

The training loop (:mod:`inpaint.train.loop`) owns everything else — optimisers, AMP, DDP,
checkpoints, logging — and never asks which task it runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from inpaint.atomic import describe_os_error
from inpaint.errors import TrainingError
from inpaint.train import distributed as dist_utils
from inpaint.train.config import TaskConfig, TrainConfig
from inpaint.train.data import readable_images, split_files


@dataclass
class DataContext:
    """What a task needs from the trainer to build its data."""

    cfg: TrainConfig
    info: dist_utils.DistInfo
    main: bool  # rank 0: the one process that prints notes

    def note(self, message: str) -> None:
        if self.main:
            print(message, file=sys.stderr)


@dataclass
class TaskData:
    train_set: torch.utils.data.Dataset  # indexed by (epoch, index) keys
    val_set: torch.utils.data.Dataset | None  # fixed held-out samples (index), or None
    counts: tuple[int, int]  # (training items, held-out items), for the start-up line


class Task:
    """Base of the training tasks; see the module docstring. ``Task(cfg)`` binds one run's
    settings; ``defaults`` and :meth:`validate` are used before a config exists."""

    name = ""
    defaults: dict = {}
    # what trained models of this task are called, and the command that uses them (messages)
    noun = ""
    command = ""

    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg

    # -- settings ---------------------------------------------------------------------------
    @classmethod
    def validate(cls, cfg: TrainConfig) -> None:
        """Raise a one-line :class:`TrainingError` for settings this task cannot train with."""
        if cfg.data.data_dir_b:
            raise TrainingError(f"a second folder (B_DIR) is only for --task paired, not {cls.name}")
        cls.refuse_direction(cfg)

    @classmethod
    def refuse_direction(cls, cfg: TrainConfig) -> None:
        """``--direction`` other than its default is for ``--task paired`` only (a value, not
        whether it was given: every saved ``config.yaml`` lists the default)."""
        if cfg.task.direction != TaskConfig.direction:
            raise TrainingError(f"--direction {cfg.task.direction} is only for --task paired, not {cls.name}")

    def checkpoint_info(self) -> dict:
        """The checkpoint's ``"task"`` dict: ``{"name": ..., **settings}``."""
        return {"name": self.name}

    def describe(self) -> str:
        """What the start-up line says is trained."""
        raise NotImplementedError

    # -- data -------------------------------------------------------------------------------
    def data(self, ctx: DataContext) -> TaskData:
        raise NotImplementedError

    def validator(self, val_set, max_images: int):
        """An object with ``count``, ``evaluate(model, device, autocast, channels_last) -> dict``,
        ``first_batch()``, ``baseline_message()``, ``record(metrics)``, ``message(step, metrics)``
        and ``summary(record)`` (see :mod:`inpaint.train.validation`)."""
        raise NotImplementedError

    # -- one batch --------------------------------------------------------------------------
    def to_device(self, batch: dict, device: torch.device, fmt=torch.contiguous_format) -> dict:
        raise NotImplementedError

    def target(self, b: dict) -> torch.Tensor:
        raise NotImplementedError

    def fake(self, pred: torch.Tensor, b: dict) -> torch.Tensor:
        """What the discriminator judges of the generator's output (its real counterpart is
        :meth:`target`)."""
        return pred

    def rec_mask(self, b: dict) -> torch.Tensor | None:
        """The mask (``(B, 1, S, S)``, 1 = hole) weighting the reconstruction loss
        (:func:`inpaint.losses.reconstruction_loss`), or None: every element weighs 1
        (:func:`inpaint.losses.mean_reconstruction_loss`)."""
        return None

    def rec_weight(self, b: dict) -> torch.Tensor | None:
        """Without a :meth:`rec_mask`: per-pixel weights ``(B, 1, S, S)`` multiplying the
        reconstruction error (colourisation's class rebalancing), or None: every pixel weighs 1."""
        return None

    def sample_grid(self, b: dict, pred: torch.Tensor) -> np.ndarray:
        """``uint8`` grid of a CPU batch ``b`` (from :meth:`to_device`) and G's output."""
        raise NotImplementedError


# -- helpers shared by the photo-folder tasks ----------------------------------------------------
def photo_split(ctx: DataContext, folder: str) -> tuple[list[Path], list[Path]]:
    """(train, held-out) readable photos under ``folder``; unreadable ones are counted once."""
    cfg = ctx.cfg
    files, unreadable = readable_images(folder)
    if unreadable:
        ctx.note(f"warning: skipped {len(unreadable)} unreadable image file(s) under "
                 f"{folder} (first: {unreadable[0]})")
    train, val = split_files(files, folder, cfg.data.val_fraction)
    if not train:
        raise TrainingError(f"no training images left under {folder} after the "
                            f"validation split ({len(files)} image(s), val fraction {cfg.data.val_fraction})")
    return train, val


def build_photo_cache(ctx: DataContext, files: list[Path], scale: tuple[int, int], size: int):
    """The decoded-photo cache (:mod:`inpaint.train.photo_cache`) of ``files`` for ``size``-px
    crops from short sides in ``scale``; under torchrun with ``--cache disk`` rank 0 writes the
    file and the other ranks then map it."""
    from inpaint.train.photo_cache import PhotoCache, cache_levels

    cfg = ctx.cfg
    levels = cache_levels(scale, size)
    note = ctx.note if ctx.main else None

    def build():
        return PhotoCache.build(files, levels, cfg.data.cache, cfg.data.cache_dir or None, note,
                                processes=cfg.data.workers)

    try:
        if cfg.data.cache == "disk" and ctx.info.enabled:
            cache = build() if ctx.main else None
            dist_utils.barrier(ctx.info)
            return cache if cache is not None else build()
        return build()
    except OSError as exc:
        raise TrainingError(f"cannot write the photo cache: {describe_os_error(exc)} (choose another "
                            f"--cache-dir, or --cache memory)") from None


def to_unit(image_hwc: torch.Tensor) -> torch.Tensor:
    """``(B, S, S, 3)`` uint8 → ``(B, 3, S, S)`` float32 in [-1, 1] (as :mod:`inpaint.tensors`)."""
    return image_hwc.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)
