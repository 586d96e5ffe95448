"""The base of every generator's own parameters, and the checks they share. Torch-free: the CLI
builds its options from these dataclasses without loading torch.

A generator's parameters are the knobs only that generator reads (the CE bottleneck, say);
what every generator needs — kind, image size, channels, width, the input contract — lives in
:class:`inpaint.config.GeneratorConfig`, which holds the kind's parameters as ``params``.
Stored flat beside the common fields in checkpoints and ``config.yaml``, so a knob's name must
differ from every common field's (a test checks it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # only for annotations: inpaint.config imports this module
    from inpaint.config import GeneratorConfig

# Decoder up-sampling: 4×4 stride-2 transposed convs (CE / pix2pix) or bilinear ×2 + 3×3 conv,
# which avoids the checkerboard artefacts transposed convs leave at small training budgets.
UPSAMPLE_KINDS = ("transposed", "bilinear")


def check_choice(value, allowed, name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")


def check_dropout(value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {value!r}")


@dataclass
class GeneratorParams:
    """A generator's own knobs. Subclasses add typed fields (their defaults are the CLI's and
    the config's), name the fields that take one of a few values in ``CHOICES`` (the CLI's
    ``click.Choice`` lists) and extend :meth:`validate`."""

    CHOICES: ClassVar[dict[str, tuple]] = {}

    @classmethod
    def knobs(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def validate(self, common: "GeneratorConfig") -> None:
        """Raise ``ValueError`` (one line) for a bad value; ``common`` holds what this
        generator's checks may depend on (mode, image size, …)."""
        for name, allowed in self.CHOICES.items():
            check_choice(getattr(self, name), allowed, name)

    def to_dict(self) -> dict:
        return asdict(self)
