"""Generators and discriminators, built from their configs through explicit registries.

Models are plain ``nn.Module``s: no files, options or devices inside. Shapes, value ranges and
the mask convention are documented where each model is defined (:mod:`.context_encoder`,
:mod:`.unet`, :mod:`.discriminators`) and in :class:`inpaint.config.GeneratorConfig`.

Importing this package is torch-free: :data:`GENERATORS` (:mod:`.generators`) and each
generator's parameters (``*_params.py``) are read by the CLI and the config; the builders
(:mod:`.build`) load torch on first use.
"""

from __future__ import annotations

from inpaint.models.generators import GENERATORS, GeneratorSpec

_BUILD = ("DISCRIMINATORS", "build_generator", "build_discriminator", "discriminator_input_size",
          "count_generator_flops", "count_parameters")

__all__ = ["GENERATORS", "GeneratorSpec", *_BUILD]


def __getattr__(name):
    if name in _BUILD:  # torch-backed: imported on first use
        from inpaint.models import build

        return getattr(build, name)
    raise AttributeError(f"module 'inpaint.models' has no attribute {name!r}")
