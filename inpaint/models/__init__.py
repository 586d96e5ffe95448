"""Generators and discriminators, built from their configs through explicit registries.

Models are plain ``nn.Module``s: no files, options or devices inside. Shapes, value ranges and
the mask convention are documented where each model is defined (:mod:`.context_encoder`,
:mod:`.unet`, :mod:`.discriminators`) and in :class:`inpaint.config.GeneratorConfig`.
"""

from __future__ import annotations

from torch import nn

from inpaint.config import DiscriminatorConfig, GeneratorConfig, discriminator_input_size
from inpaint.models.context_encoder import ContextEncoder
from inpaint.models.discriminators import DCGANDiscriminator, PatchDiscriminator
from inpaint.models.flops import count_generator_flops, count_parameters
from inpaint.models.unet import UNet

# kind → class taking the GeneratorConfig
GENERATORS = {"ce": ContextEncoder, "unet": UNet}
# kind → class taking (DiscriminatorConfig, patch_size, cond_channels, center, channels)
DISCRIMINATORS = {"dcgan": DCGANDiscriminator, "patch": PatchDiscriminator}

__all__ = ["GENERATORS", "DISCRIMINATORS", "build_generator", "build_discriminator",
           "discriminator_input_size", "count_generator_flops", "count_parameters"]


def build_generator(cfg: GeneratorConfig) -> nn.Module:
    """Validate ``cfg`` and build its generator (DCGAN-initialised, in training mode)."""
    cfg.validate()
    return GENERATORS[cfg.kind](cfg)


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
