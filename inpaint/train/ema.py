"""An exponential moving average of the generator's weights (``--ema DECAY``).

GAN training never settles: with an adversarial term the generator keeps moving around a good
solution, and one checkpoint differs from the next by more than the models being compared (the
colouriser's public photos swung by several dB between checkpoints 300 steps apart). Averaging
the weights over the last ~1/(1 − decay) steps is the standard remedy (Karras et al. 2018;
Yazıcı et al. 2019, "The unusual effectiveness of averaging in GAN training").

The average is a second copy of the generator that never trains. After every optimiser step each
floating-point parameter and buffer moves towards the trained one, ``avg ← avg + (1 − r)(w − avg)``
with ``r = min(decay, (1 + n) / (10 + n))`` after ``n`` earlier updates: the warm-up keeps the
random initial weights from lingering in short runs. Batch-norm running statistics are averaged
the same way; integer buffers (batch counts) are copied. Validation, sample grids, ``inpaint
fill`` / ``colorize`` / ``eval`` and export use the average; resuming continues it exactly.
"""

from __future__ import annotations

import copy

import torch

from inpaint.finite import state_is_finite

WARMUP = 10  # the rate's warm-up constant: r = (1 + n) / (WARMUP + n) until it reaches decay


class WeightAverage:
    """The moving average of ``model``'s weights; ``updates`` earlier updates (resume: the step)."""

    def __init__(self, model: torch.nn.Module, decay: float, updates: int = 0):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.updates = int(updates)
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    def rate(self) -> float:
        """The share of the old average kept at the next update."""
        return min(self.decay, (1 + self.updates) / (WARMUP + self.updates))

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        """Move the average towards ``model`` (same architecture, same device)."""
        keep = self.rate()
        avg, new = [], []
        for (_, a), (_, w) in zip(_tensors(self.model), _tensors(model)):
            if a.is_floating_point():
                avg.append(a)
                new.append(w.detach())
            else:
                a.copy_(w)
        if avg:
            torch._foreach_lerp_(avg, new, 1.0 - keep)
        self.updates += 1

    def state_dict(self) -> dict:
        return self.model.state_dict()

    def load_state_dict(self, state: dict) -> None:
        if not state_is_finite(state):
            raise ValueError("the weight average holds non-finite values")
        self.model.load_state_dict(state)


def _tensors(module: torch.nn.Module):
    """Parameters, then buffers, in a fixed order (the same for two copies of one module)."""
    yield from module.named_parameters()
    yield from module.named_buffers()
