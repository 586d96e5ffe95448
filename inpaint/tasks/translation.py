"""What the image-to-image tasks share (colourisation, paired translation): the pix2pix recipe.

The generator maps a whole input image to a whole output image (``mode`` full); the target is
``b["target"]``; the discriminator is a conditional PatchGAN judging the raw output beside the
generator's input; the reconstruction loss weighs every element alike (no mask); validation
scores whole-image PSNR of the output (as an RGB photo) beside the task's baseline; the sample
grid is baseline | output | truth.

A subclass sets ``baseline`` (its name in messages) and implements ``to_device`` (→ ``"input"``,
``"target"``), ``output_image``, ``baseline_image`` and ``truth_image`` (RGB ``(B, 3, S, S)`` in
[-1, 1]).
"""

from __future__ import annotations

import numpy as np
import torch

from inpaint.errors import TrainingError
from inpaint.tasks.base import Task
from inpaint.train.config import setting_default

# pix2pix (Isola et al. 2017): U-Net + conditional PatchGAN, L1 weighted 100 against the GAN's 1
# (here as rec 0.99 : adv 0.01, the weights summing to 1 like the CE paper's 0.999 : 0.001), the
# same learning rate for D as for G; plus the GAN-balance tricks of the pix2pix colourisation
# write-ups: hinge loss and instance norm in D. Bilinear up-sampling: transposed convs leave
# checkerboard artefacts at CPU-sized training budgets.
PIX2PIX_DEFAULTS = {
    "generator": "unet", "mode": "full", "upsample": "bilinear",
    "discriminator": "patch", "conditional": True, "d_norm": "instance", "gan_loss": "hinge",
    "rec_loss": "l1", "rec_weight": 0.99, "adv_weight": 0.01, "d_lr_ratio": 1.0,
}


class TranslationTask(Task):
    defaults = PIX2PIX_DEFAULTS
    baseline = ""

    @classmethod
    def validate(cls, cfg) -> None:
        g = cfg.generator
        if g.mode != "full":
            raise TrainingError(f"--task {cls.name} predicts whole images: it needs --mode full")
        if g.mask_channel:
            raise TrainingError(f"--task {cls.name} has no holes: --mask-channel is for inpainting")
        # by value, not by whether it was given: a saved config.yaml lists their defaults
        for flag, value, default in (("--mask", cfg.data.mask, setting_default("mask")),
                                     ("--prefill", g.prefill, setting_default("prefill"))):
            if value != default:
                raise TrainingError(f"--task {cls.name} has no holes: {flag} {value} is for inpainting")

    def target(self, b: dict) -> torch.Tensor:
        return b["target"]

    def validator(self, val_set, max_images: int):
        from inpaint.train.validation import BaselineValidator

        return BaselineValidator(val_set, max_images, self, self.baseline)

    def sample_grid(self, b: dict, pred: torch.Tensor) -> np.ndarray:
        from inpaint.train.logging import column_grid

        return column_grid([self.baseline_image(b), self.output_image(pred, b), self.truth_image(b)])

    def output_image(self, pred: torch.Tensor, b: dict) -> torch.Tensor:
        raise NotImplementedError

    def baseline_image(self, b: dict) -> torch.Tensor:
        raise NotImplementedError

    def truth_image(self, b: dict) -> torch.Tensor:
        raise NotImplementedError
