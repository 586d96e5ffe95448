"""Inpainting: fill the holes of photos (the context encoder and its successors).

Per sample: a random scale + crop + flip of a photo, a mask from the ``masks`` registry (255 /
1.0 = hole), the holes pre-filled (mean pixel or Telea) → ``input`` ``(B, in_channels, S, S)``
in [-1, 1]; the target is the photo ``(B, 3, S, S)`` (its centre patch in centre mode). The
discriminator judges the composite (known pixels are the photo's), the reconstruction loss is
weighted by the mask (:func:`inpaint.losses.reconstruction_weight_map`), validation scores hole
PSNR/SSIM beside OpenCV Telea, and the sample grid is masked input | composite | photo.

This is the trainer's behaviour from before tasks existed, moved here unchanged: same samples,
same arithmetic in the same order, so runs, checkpoints and resumes are bit-identical.
"""

from __future__ import annotations

import torch

from inpaint.network_input import center_box, composite
from inpaint.tasks.base import DataContext, Task, TaskData, build_photo_cache, photo_split
from inpaint.train.config import parse_mask_mix
from inpaint.errors import TrainingError


class InpaintTask(Task):
    name = "inpaint"
    defaults: dict = {}  # the dataclass defaults are the context encoder's recipe
    noun = "an inpainting model"
    command = "fill"

    @classmethod
    def validate(cls, cfg) -> None:
        super().validate(cfg)
        g = cfg.generator
        if (g.image_channels, g.out_channels) != (3, 3):
            raise TrainingError(f"inpainting fills RGB photos: image_channels and out_channels must be 3, "
                                f"got {g.image_channels} and {g.out_channels}")

    def describe(self) -> str:
        g = self.cfg.generator
        return f"{g.kind} ({g.mode} mode, {g.image_size}px, mask {self.cfg.data.mask})"

    # -- data -------------------------------------------------------------------------------
    def data(self, ctx: DataContext) -> TaskData:
        from inpaint.train.samples import InpaintDataset

        cfg = self.cfg
        train, val = photo_split(ctx, cfg.data.data_dir)
        scale, gcfg, seed = cfg.scale_range(), cfg.generator, cfg.runtime.seed
        mix = parse_mask_mix(cfg.data.mask_mix) if cfg.data.mask_mix else None
        if cfg.data.cache == "off":  # the per-sample path: decode every photo for every sample
            train_set = InpaintDataset(train, gcfg, cfg.data.mask, scale, seed, train=True, mask_mix=mix)
        else:
            from inpaint.train.cached_samples import CachedTrainSet

            cache = build_photo_cache(ctx, train, scale, gcfg.image_size)
            try:
                train_set = CachedTrainSet(cache, gcfg, cfg.data.mask, scale, seed, mix, cfg.data.mask_bank,
                                           cfg.data.prefill_reuse)
            except OSError as exc:
                raise TrainingError(f"{exc} under {cfg.data.data_dir}") from None
        val_set = None
        if ctx.main and val:
            val_set = InpaintDataset(val, gcfg, cfg.data.mask, scale, seed, train=False, mask_mix=mix)
        return TaskData(train_set, val_set, (len(train), len(val)))

    def validator(self, val_set, max_images: int):
        from inpaint.train.validation import Validator

        return Validator(val_set, max_images)

    # -- one batch --------------------------------------------------------------------------
    def to_device(self, batch: dict, device: torch.device, fmt=torch.contiguous_format) -> dict:
        """``{"image" (B,3,S,S), "mask" (B,1,S,S) 1 = hole, "input" (B,in_channels,S,S)}`` on
        ``device``, from raw cached samples (built there, :mod:`inpaint.train.device_batch`) or
        from the float samples of :class:`inpaint.train.samples.InpaintDataset`."""
        if "crop" in batch:
            from inpaint.train.device_batch import build_batch

            built = build_batch(batch, self.cfg.generator, device)
            return {"image": built["image"].contiguous(memory_format=fmt), "mask": built["mask"],
                    "input": built["input"].contiguous(memory_format=fmt)}
        nb = device.type == "cuda"
        return {"image": batch["image"].to(device, non_blocking=nb).contiguous(memory_format=fmt),
                "mask": batch["mask"].to(device, non_blocking=nb),
                "input": batch["input"].to(device, non_blocking=nb).contiguous(memory_format=fmt)}

    def _center(self) -> bool:
        return self.cfg.generator.mode == "center"

    def target(self, b: dict) -> torch.Tensor:
        if self._center():
            a, e = center_box(b["image"].shape[-1])
            return b["image"][..., a:e, a:e]
        return b["image"]

    def fake(self, pred: torch.Tensor, b: dict) -> torch.Tensor:
        # full mode: D judges the composite, so known pixels are identical in real and fake
        return pred if self._center() else composite(pred, b["image"], b["mask"])

    def rec_mask(self, b: dict) -> torch.Tensor:
        return b["mask"]

    def sample_grid(self, b: dict, pred: torch.Tensor):
        from inpaint.train.logging import sample_grid

        return sample_grid(b["image"], b["mask"], composite(pred, b["image"], b["mask"]))
