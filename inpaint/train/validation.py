"""Validation: how a model does on fixed held-out samples, beside a baseline computed once per
run on the very same samples.

:class:`Validator` (inpainting): hole PSNR/SSIM of the composited output on fixed crops and
masks, beside OpenCV Telea. :class:`BaselineValidator` (colourisation, paired translation):
whole-image PSNR of the model's output beside a task baseline (the grey photo; the input itself).
Both give the loop the same few methods: ``evaluate``, ``first_batch``, ``baseline_message``,
``record``, ``message``, ``summary``.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import torch

from inpaint.classical import classical_fill
from inpaint.metrics import fill_metrics, finite_mean, image_psnr
from inpaint.network_input import composite
from inpaint.tensors import tensor_to_image, tensor_to_mask

METRIC_KEYS = ("psnr_hole", "ssim_hole", "l1_hole")


def _mean_metrics(rows: list[dict]) -> dict:
    return {k: finite_mean([r[k] for r in rows]) for k in METRIC_KEYS}


@contextmanager
def _eval_mode(generator: torch.nn.Module):
    """``generator`` in eval mode inside the block, then back in the mode it was in."""
    was_training = generator.training
    generator.eval()
    try:
        yield
    finally:
        generator.train(was_training)


def _predict(generator, inp: torch.Tensor, device, autocast, channels_last: bool) -> torch.Tensor:
    inp = inp.to(device)
    if channels_last:
        inp = inp.contiguous(memory_format=torch.channels_last)
    with autocast():
        return generator(inp)


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
        rows = []
        with _eval_mode(generator):
            for batch in self.batches:
                pred = _predict(generator, batch["input"], device, autocast, channels_last)
                image, mask = batch["image"], batch["mask"]
                out = composite(pred.float().cpu(), image, mask)
                for o, img, m in zip(out, image, mask):
                    rows.append(fill_metrics(tensor_to_image(o), tensor_to_image(img), tensor_to_mask(m)))
        return _mean_metrics(rows)

    def first_batch(self) -> dict:
        return self.batches[0]

    def baseline_message(self) -> str:
        t = self.telea
        return f"validation baseline, OpenCV Telea: hole PSNR {t['psnr_hole']:.2f} dB, SSIM {t['ssim_hole']:.3f}"

    def record(self, m: dict) -> dict:
        """The ``metrics.jsonl`` values of one validation."""
        return {**m, **{f"telea_{k}": v for k, v in self.telea.items()}, "images": self.count}

    def message(self, step: int, m: dict) -> str:
        t = self.telea
        ahead = "ahead of" if m["psnr_hole"] > t["psnr_hole"] else "behind"
        return (f"step {step} val ({self.count} images): hole PSNR "
                f"{m['psnr_hole']:.2f} dB SSIM {m['ssim_hole']:.3f} | Telea "
                f"{t['psnr_hole']:.2f} dB SSIM {t['ssim_hole']:.3f} ({ahead} Telea)")

    @staticmethod
    def summary(val: dict) -> str:
        """The end-of-run words about the last validation ``record``."""
        return (f"val hole PSNR {val['psnr_hole']:.2f} dB (Telea {val['telea_psnr_hole']:.2f} dB), "
                f"SSIM {val['ssim_hole']:.3f} (Telea {val['telea_ssim_hole']:.3f})")


class BaselineValidator:
    """Whole-image PSNR of a model's output on the first ``max_images`` samples of ``dataset``,
    beside ``task``'s baseline on the same samples.

    ``task`` (:class:`inpaint.tasks.translation.TranslationTask`) turns a collated batch into
    tensors (``to_device``) and those into RGB images in [-1, 1]: ``output_image(pred, b)``,
    ``baseline_image(b)`` and ``truth_image(b)``; ``baseline`` names the baseline in messages.
    """

    def __init__(self, dataset, max_images: int, task, baseline: str, batch_size: int = 16):
        from torch.utils.data import default_collate

        n = min(len(dataset), max_images)
        samples = [dataset[i] for i in range(n)]
        self.batches = [default_collate(samples[i:i + batch_size]) for i in range(0, n, batch_size)]
        self.count, self.task, self.name = n, task, baseline
        rows = []
        for batch in self.batches:
            b = task.to_device(batch, torch.device("cpu"))
            rows += self._psnrs(task.baseline_image(b), task.truth_image(b))
        self.baseline = {"psnr": finite_mean(rows)}

    @staticmethod
    def _psnrs(out: torch.Tensor, truth: torch.Tensor) -> list[float]:
        return [image_psnr(tensor_to_image(o), tensor_to_image(t)) for o, t in zip(out, truth)]

    @torch.no_grad()
    def evaluate(self, generator: torch.nn.Module, device: torch.device, autocast=nullcontext,
                 channels_last: bool = False) -> dict:
        rows = []
        with _eval_mode(generator):
            for batch in self.batches:
                b = self.task.to_device(batch, torch.device("cpu"))
                pred = _predict(generator, b["input"], device, autocast, channels_last)
                out = self.task.output_image(pred.float().cpu(), b)
                rows += self._psnrs(out, self.task.truth_image(b))
        return {"psnr": finite_mean(rows)}

    def first_batch(self) -> dict:
        return self.batches[0]

    def baseline_message(self) -> str:
        return f"validation baseline, {self.name}: PSNR {self.baseline['psnr']:.2f} dB"

    def record(self, m: dict) -> dict:
        return {**m, "baseline_psnr": self.baseline["psnr"], "images": self.count}

    def message(self, step: int, m: dict) -> str:
        ahead = "ahead of" if m["psnr"] > self.baseline["psnr"] else "behind"
        return (f"step {step} val ({self.count} images): PSNR {m['psnr']:.2f} dB | {self.name} "
                f"{self.baseline['psnr']:.2f} dB ({ahead} the {self.name})")

    def summary(self, val: dict) -> str:
        return f"val PSNR {val['psnr']:.2f} dB ({self.name} {val['baseline_psnr']:.2f} dB)"

