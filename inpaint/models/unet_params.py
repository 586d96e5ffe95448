"""The U-Net's own parameters (:mod:`inpaint.models.unet`). Torch-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from inpaint.models.params import UPSAMPLE_KINDS, GeneratorParams, check_dropout


@dataclass
class UNetParams(GeneratorParams):
    """``upsample``: the decoder's up-sampling (:data:`UPSAMPLE_KINDS`). ``dropout``: probability
    in the first three decoder blocks (pix2pix), in [0, 1); 0 disables it."""

    upsample: str = "transposed"
    dropout: float = 0.5

    CHOICES: ClassVar[dict[str, tuple]] = {"upsample": UPSAMPLE_KINDS}

    def validate(self, common) -> None:
        super().validate(common)
        check_dropout(self.dropout)
        # skip connections at every level: the output has the input's size, never a centre patch
        if common.mode != "full":
            raise ValueError("the U-Net generator only supports mode 'full'")
