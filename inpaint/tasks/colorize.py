"""Colourisation: predict a photo's colour from its luminance.

Works in full-range BT.601 YCbCr (:mod:`inpaint.color`), a space that keeps luminance: the
generator sees ``Y`` ``(B, 1, S, S)`` in [-1, 1] and predicts the chroma ``CbCr``
``(B, 2, S, S)`` in [-1, 1] (tanh head); the photo is ``Y`` plus that chroma, so the output's
luminance is the input's by construction. Loss: L1 on chroma plus a conditional PatchGAN that
judges (chroma, ``Y``) pairs (pix2pix); with ``--chroma-balance`` the L1 term weighs each pixel
by the rarity of its true colour (:mod:`inpaint.train.chroma_balance`). Data: any photo folder,
random scale + crop + flip as for inpainting; photos that are already grey hold no colour to
learn and are skipped (counted once). Validation: whole-image PSNR of the colourised photo
beside the grey photo (chroma 0); sample grid: grey | output | original.
"""

from __future__ import annotations

import torch

from inpaint.color import rgb_to_ycbcr_tensor, ycbcr_to_rgb_tensor
from inpaint.errors import TrainingError
from inpaint.tasks.base import DataContext, TaskData, build_photo_cache, photo_split, to_unit
from inpaint.tasks.translation import PIX2PIX_DEFAULTS, TranslationTask

COLOR_SPACE = "ycbcr"


class ColorizeTask(TranslationTask):
    name = "colorize"
    defaults = {**PIX2PIX_DEFAULTS, "image_channels": 1, "out_channels": 2}
    noun = "a colourisation model"
    command = "colorize"
    baseline = "grey photo"
    balance = None  # ChromaBalance of a --chroma-balance run, set by data()

    @classmethod
    def validate(cls, cfg) -> None:
        super().validate(cfg)
        g = cfg.generator
        if (g.image_channels, g.out_channels) != (1, 2):
            raise TrainingError(f"colorize predicts 2 chroma channels from 1 luminance channel: "
                                f"image_channels must be 1 and out_channels 2, got "
                                f"{g.image_channels} and {g.out_channels}")
        if cfg.data.data_dir_b:
            raise TrainingError("colorize trains on one photo folder: a second folder is only for --task paired")
        cls.refuse_direction(cfg)

    def checkpoint_info(self) -> dict:
        return {"name": self.name, "color_space": COLOR_SPACE}

    def describe(self) -> str:
        g = self.cfg.generator
        return f"{g.kind} (colorize, Y → CbCr, {g.image_size}px)"

    # -- data -------------------------------------------------------------------------------
    def data(self, ctx: DataContext) -> TaskData:
        from inpaint.train.crops import PhotoCrops, colour_photos_of_cache, is_grey_file

        cfg = self.cfg
        folder, size, scale, seed = cfg.data.data_dir, cfg.generator.image_size, cfg.scale_range(), cfg.runtime.seed
        train, val = photo_split(ctx, folder)
        if cfg.data.cache == "off":
            source, keep = train, [i for i, p in enumerate(train) if not is_grey_file(p)]
        else:
            source = build_photo_cache(ctx, train, scale, size)
            keep = colour_photos_of_cache(source)
        if not keep:
            raise TrainingError(f"no colour photo to train on under {folder}: the {len(train)} "
                                "training photo(s) are grey (or do not decode)")
        val = [p for p in val if not is_grey_file(p)] if ctx.main else val
        grey = len(train) - len(keep)
        if grey:
            ctx.note(f"colorize: skipped {grey} grey photo(s) under {folder} (no colour to learn)")
        train_set = PhotoCrops(source, keep, size, scale, seed, train=True)
        if cfg.task.chroma_balance > 0:
            from inpaint.train.chroma_balance import PRIOR_CROPS, ChromaBalance

            n, cpu = len(train_set), torch.device("cpu")
            first = (train_set[(k // n, k % n)]["crop"][None] for k in range(PRIOR_CROPS))  # epoch order
            targets = (self.to_device({"crop": c}, cpu)["target"] for c in first)
            self.balance = ChromaBalance.measure(targets, cfg.task.chroma_balance)
            ctx.note(f"colorize: {self.balance.describe()}")
        val_set = PhotoCrops(val, list(range(len(val))), size, scale, seed, train=False) if ctx.main and val else None
        return TaskData(train_set, val_set, (len(keep), len(val)))

    # -- one batch --------------------------------------------------------------------------
    def to_device(self, batch: dict, device: torch.device, fmt=torch.contiguous_format) -> dict:
        """``{"image": RGB (B,3,S,S), "input": Y (B,1,S,S), "target": CbCr (B,2,S,S)}``, all in
        [-1, 1], on ``device``, from ``{"crop": uint8 (B,S,S,3)}``."""
        rgb = to_unit(batch["crop"].to(device, non_blocking=device.type == "cuda"))
        y, chroma = rgb_to_ycbcr_tensor(rgb)
        return {"image": rgb, "input": y.contiguous(memory_format=fmt),
                "target": chroma.contiguous(memory_format=fmt)}

    def rec_weight(self, b: dict) -> torch.Tensor | None:
        return None if self.balance is None else self.balance.weights(b["target"])

    def output_image(self, pred: torch.Tensor, b: dict) -> torch.Tensor:
        return ycbcr_to_rgb_tensor(b["input"].to(pred.dtype), pred).clamp(-1.0, 1.0)

    def baseline_image(self, b: dict) -> torch.Tensor:
        return b["input"].expand(-1, 3, -1, -1)  # chroma 0: R = G = B = Y

    def truth_image(self, b: dict) -> torch.Tensor:
        return b["image"]
