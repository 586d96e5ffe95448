"""``GENERATORS``: every generator kind, one line each — its network and its own parameters.

Torch-free: the network is named ``"module:Class"`` and imported on first use (as
``cli/main.py`` names its commands), so the CLI and the config read each generator's parameters
without loading torch. To add a generator: its ``nn.Module`` in ``inpaint/models/<name>.py``,
its :class:`~inpaint.models.params.GeneratorParams` subclass in ``<name>_params.py`` beside it,
and one line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, fields

from inpaint.models.context_encoder_params import CEParams
from inpaint.models.params import GeneratorParams
from inpaint.models.unet_params import UNetParams


@dataclass(frozen=True)
class GeneratorSpec:
    """A generator kind: ``network`` (``"module:Class"``, an ``nn.Module`` taking a
    :class:`inpaint.config.GeneratorConfig`) and ``params``, the dataclass of its own knobs."""

    network: str
    params: type[GeneratorParams]

    def network_class(self):
        module, _, name = self.network.partition(":")
        return getattr(importlib.import_module(module), name)


GENERATORS: dict[str, GeneratorSpec] = {
    "ce": GeneratorSpec("inpaint.models.context_encoder:ContextEncoder", CEParams),
    "unet": GeneratorSpec("inpaint.models.unet:UNet", UNetParams),
}
GENERATOR_KINDS = tuple(GENERATORS)


def knob_owners(name: str) -> tuple[str, ...]:
    """The generator kinds that have the knob ``name`` (empty: no generator's knob)."""
    return tuple(kind for kind, spec in GENERATORS.items() if name in spec.params.knobs())


def all_knobs() -> dict[str, list]:
    """Every knob name → its dataclass fields, one per generator that has it (registry order)."""
    out: dict[str, list] = {}
    for spec in GENERATORS.values():
        for f in fields(spec.params):
            out.setdefault(f.name, []).append(f)
    return out
