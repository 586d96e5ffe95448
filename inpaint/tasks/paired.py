"""Paired translation: learn photo A → photo B from aligned pairs (pix2pix).

Data (:mod:`inpaint.train.paired_data`): ``A_DIR B_DIR`` matched by file name, or one folder of
side-by-side ``A|B`` files; ``--direction BtoA`` swaps input and target. pix2pix jitter (resize
to ~1.117·S, random crop S, mirror; the same for A and B). Generator ``(B, 3, S, S)`` →
``(B, 3, S, S)`` in [-1, 1]; L1 plus a conditional PatchGAN judging (output, input) pairs.
Validation: whole-image PSNR beside the identity (the input as the output); sample grid:
input | output | target (A | output | B for AtoB).
"""

from __future__ import annotations

import torch

from inpaint.errors import TrainingError
from inpaint.tasks.base import DataContext, TaskData, to_unit
from inpaint.tasks.translation import TranslationTask


class PairedTask(TranslationTask):
    name = "paired"
    noun = "a paired-translation model"
    command = "translate"
    baseline = "identity"

    @classmethod
    def validate(cls, cfg) -> None:
        super().validate(cfg)
        g = cfg.generator
        if (g.image_channels, g.out_channels) != (3, 3):
            raise TrainingError(f"paired translates RGB photos: image_channels and out_channels must be 3, "
                                f"got {g.image_channels} and {g.out_channels}")

    def checkpoint_info(self) -> dict:
        return {"name": self.name, "direction": self.cfg.task.direction}

    def describe(self) -> str:
        g, d = self.cfg.generator, self.cfg.data
        layout = "A/B folders" if d.data_dir_b else "A|B files"
        return f"{g.kind} (paired {self.cfg.task.direction}, {layout}, {g.image_size}px)"

    # -- data -------------------------------------------------------------------------------
    def data(self, ctx: DataContext) -> TaskData:
        from inpaint.train.data import list_images, probe_readable, split_files
        from inpaint.train.paired_data import PairedPhotos, check_side_by_side, match_pairs

        cfg = self.cfg
        root = cfg.data.data_dir
        if cfg.data.data_dir_b:
            pairs = match_pairs(root, cfg.data.data_dir_b)
        else:
            pairs = [(p, None) for p in list_images(root)]
        readable = set(probe_readable([p for pair in pairs for p in pair if p is not None])[0])
        good = [pair for pair in pairs if all(p is None or p in readable for p in pair)]
        if len(good) < len(pairs):
            first = next(pair[0] for pair in pairs if pair not in good)
            ctx.note(f"warning: skipped {len(pairs) - len(good)} pair(s) with an unreadable file (first: {first})")
        if not good:
            raise TrainingError(f"none of the {len(pairs)} pair(s) under {root} could be read")
        if not cfg.data.data_dir_b:
            check_side_by_side([pair[0] for pair in good], root)
        by_a = {pair[0]: pair for pair in good}
        train, val = split_files([pair[0] for pair in good], root, cfg.data.val_fraction)
        if not train:
            raise TrainingError(f"no training pairs left under {root} after the validation split")
        size, seed = cfg.generator.image_size, cfg.runtime.seed
        train_set = PairedPhotos([by_a[p] for p in train], size, seed, train=True)
        val_set = PairedPhotos([by_a[p] for p in val], size, seed, train=False) if ctx.main and val else None
        return TaskData(train_set, val_set, (len(train), len(val)))

    # -- one batch --------------------------------------------------------------------------
    def to_device(self, batch: dict, device: torch.device, fmt=torch.contiguous_format) -> dict:
        """``{"input", "target"}`` ``(B, 3, S, S)`` in [-1, 1] on ``device``: A and B, or B and
        A for ``BtoA``, from ``{"a", "b": uint8 (B, S, S, 3)}``."""
        nb = device.type == "cuda"
        a, b = (to_unit(batch[k].to(device, non_blocking=nb)).contiguous(memory_format=fmt) for k in ("a", "b"))
        if self.cfg.task.direction == "BtoA":
            a, b = b, a
        return {"input": a, "target": b}

    def output_image(self, pred: torch.Tensor, b: dict) -> torch.Tensor:
        return pred

    def baseline_image(self, b: dict) -> torch.Tensor:
        return b["input"]

    def truth_image(self, b: dict) -> torch.Tensor:
        return b["target"]
