"""The fill engine with a model that is always right: the ceiling of a model size and an engine
setting.

:class:`OracleFiller` runs every step of :class:`inpaint.fill.engine.ModelFiller` — windows,
layout, detail step, paste — but where the network would predict, it takes the original photo's
own window at the model's size: what a perfect model of that size would give. What is lost after
that (the window's up-scaling, the layout's copies, the copied texture) no better-trained model of
that size can win back, so it separates "train a better model" from "change the engine". It needs
the original photo with the hole's pixels intact, as ``inpaint eval`` passes it: a measuring tool,
not a fill (``inpaint eval --methods oracle``).
"""

from __future__ import annotations

import numpy as np
import torch

from inpaint.fill.engine import ModelFiller
from inpaint.fill.windows import extract_image
from inpaint.network_input import center_box
from inpaint.tensors import image_to_tensor


class OracleFiller(ModelFiller):
    """A :class:`ModelFiller` whose predictions are the truth (see the module docstring)."""

    @classmethod
    def of(cls, filler: ModelFiller) -> "OracleFiller":
        """The oracle of ``filler``: its model's size and mode, its engine settings; the
        network itself is never run. Mirror averaging is off: the truth is its own average."""
        oracle = cls.__new__(cls)
        oracle.__dict__.update(filler.__dict__)
        oracle.flip = False
        return oracle

    def fill(self, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        self._truth = image  # refinement passes read a half-filled copy: the truth stays this
        try:
            return super().fill(image, mask)
        finally:
            del self._truth

    def _prepare(self, source, hole, labels, window, refining):
        job = super()._prepare(source, hole, labels, window, refining)
        job.truth = extract_image(self._truth, job.geo)
        return job

    def _predict(self, jobs, inputs) -> torch.Tensor:
        truth = torch.stack([image_to_tensor(job.truth) for job in jobs])
        if self.cfg.mode == "center":
            a, b = center_box(self.size)
            truth = truth[..., a:b, a:b]
        return truth
