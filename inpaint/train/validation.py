"""Validation: hole PSNR/SSIM of the model's composited output on fixed held-out crops and
fixed masks, beside OpenCV Telea on the very same crops (computed once per run)."""

from __future__ import annotations

from contextlib import nullcontext

import torch

from inpaint.classical import classical_fill
from inpaint.metrics import fill_metrics, finite_mean
from inpaint.network_input import composite
from inpaint.tensors import tensor_to_image, tensor_to_mask

METRIC_KEYS = ("psnr_hole", "ssim_hole", "l1_hole")


def _mean_metrics(rows: list[dict]) -> dict:
    return {k: finite_mean([r[k] for r in rows]) for k in METRIC_KEYS}


class Validator:
    """Holds the first ``max_images`` samples of a validation dataset (fixed crops and masks)."""

    def __init__(self, dataset, max_images: int, batch_size: int = 16):
        n = min(len(dataset), max_images)
        samples = [dataset[i] for i in range(n)]
        self.batches = [
            {k: torch.stack([s[k] for s in samples[i:i + batch_size]]) for k in samples[0]}
            for i in range(0, n, batch_size)
        ]
        self.count = n
        rows = []
        for batch in self.batches:
            for img, mask in zip(batch["image"], batch["mask"]):
                target, hole = tensor_to_image(img), tensor_to_mask(mask)
                rows.append(fill_metrics(classical_fill(target, hole, "telea"), target, hole))
        self.telea = _mean_metrics(rows)

    @torch.no_grad()
    def evaluate(self, generator: torch.nn.Module, device: torch.device, autocast=nullcontext,
                 channels_last: bool = False) -> dict:
        """Mean hole metrics of ``generator`` (switched to eval mode, then back)."""
        was_training = generator.training
        generator.eval()
        rows = []
        try:
            for batch in self.batches:
                inp = batch["input"].to(device)
                if channels_last:
                    inp = inp.contiguous(memory_format=torch.channels_last)
                with autocast():
                    pred = generator(inp)
                image, mask = batch["image"], batch["mask"]
                out = composite(pred.float().cpu(), image, mask)
                for o, img, m in zip(out, image, mask):
                    rows.append(fill_metrics(tensor_to_image(o), tensor_to_image(img), tensor_to_mask(m)))
        finally:
            generator.train(was_training)
        return _mean_metrics(rows)

    def first_batch(self) -> dict:
        return self.batches[0]

