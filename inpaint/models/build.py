"""Building generators (from :data:`inpaint.models.generators.GENERATORS`) and discriminators
(from :data:`DISCRIMINATORS`); re-exported by :mod:`inpaint.models`."""

from __future__ import annotations

from torch import nn

from inpaint.config import DiscriminatorConfig, GeneratorConfig, discriminator_input_size
from inpaint.models.discriminators import DCGANDiscriminator, PatchDiscriminator
from inpaint.models.flops import count_generator_flops, count_parameters
from inpaint.models.generators import GENERATORS

# kind → class taking (DiscriminatorConfig, patch_size, cond_channels, center, channels)
DISCRIMINATORS = {"dcgan": DCGANDiscriminator, "patch": PatchDiscriminator}

__all__ = ["DISCRIMINATORS", "build_generator", "build_discriminator",
           "discriminator_input_size", "count_generator_flops", "count_parameters"]


def build_generator(cfg: GeneratorConfig) -> nn.Module:
    """Validate ``cfg`` and build its generator (DCGAN-initialised, in training mode)."""
    cfg.validate()
    return GENERATORS[cfg.kind].network_class()(cfg)


def build_discriminator(dcfg: DiscriminatorConfig, gcfg: GeneratorConfig) -> nn.Module:
    """Build the discriminator judging ``gcfg``'s outputs; ``forward(x, condition=None)``.

    It judges ``gcfg.out_channels`` channels. Conditional discriminators take the generator's
    input (``gcfg.in_channels`` channels) as ``condition``; see :mod:`inpaint.models.discriminators`.
    """
    dcfg.validate()
    gcfg.validate()
    cond = gcfg.in_channels if dcfg.conditional else 0
    return DISCRIMINATORS[dcfg.kind](dcfg, discriminator_input_size(gcfg), cond,
                                     gcfg.mode == "center", channels=gcfg.out_channels)
