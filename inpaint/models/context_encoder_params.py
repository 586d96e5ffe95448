"""The context encoder's own parameters (:mod:`inpaint.models.context_encoder`). Torch-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from inpaint.models.params import UPSAMPLE_KINDS, GeneratorParams, check_dropout

# the keys of inpaint.models.bottlenecks.BOTTLENECKS (that module imports torch; a test checks
# that the two agree)
BOTTLENECK_KINDS = ("conv", "channelwise")


@dataclass
class CEParams(GeneratorParams):
    """``bottleneck``: the released code's ``conv`` (4×4 conv to ``n_bottleneck`` channels at 1×1
    and back) or the paper's ``channelwise`` fully connected layer; ``n_bottleneck`` is read by
    ``conv`` only. ``upsample``: the decoder's up-sampling (:data:`UPSAMPLE_KINDS`).
    ``dropout``: probability after the channel-wise bottleneck, in [0, 1); 0 disables it, and
    the conv bottleneck has none."""

    bottleneck: str = "conv"
    n_bottleneck: int = 4000
    upsample: str = "transposed"
    dropout: float = 0.5

    CHOICES: ClassVar[dict[str, tuple]] = {"bottleneck": BOTTLENECK_KINDS, "upsample": UPSAMPLE_KINDS}

    def validate(self, common) -> None:
        super().validate(common)
        check_dropout(self.dropout)
        if self.n_bottleneck < 1:
            raise ValueError("n_bottleneck must be positive")
