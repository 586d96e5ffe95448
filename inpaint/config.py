"""Architecture configuration. Stored inside every checkpoint so a checkpoint alone rebuilds
its model (see :mod:`inpaint.checkpoint`). Plain dataclasses of JSON-able values only."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

GENERATOR_KINDS = ("ce", "unet")
OUTPUT_MODES = ("center", "full")
BOTTLENECK_KINDS = ("conv", "channelwise")
PREFILL_KINDS = ("mean", "telea")
DISCRIMINATOR_KINDS = ("dcgan", "patch")
NORM_KINDS = ("batch", "instance", "spectral")
IMAGE_SIZES = (64, 128, 256)
UPSAMPLE_KINDS = ("transposed", "bilinear")


def _check(value, allowed, name):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")


def _from_dict(cls, data: dict, what: str):
    """Build and validate a config; fields missing from ``data`` (older checkpoints) keep defaults."""
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"unknown {what} settings: {', '.join(sorted(unknown))}")
    return cls(**data).validate()


@dataclass
class GeneratorConfig:
    """How to build a generator.

    Input contract (see :func:`inpaint.network_input.network_input`): a tensor
    ``(B, image_channels + mask_channel, image_size, image_size)`` in [-1, 1]. Inpainting
    (``image_channels`` 3): the photo whose hole pixels were pre-filled (``prefill``: CE mean
    pixel or OpenCV Telea), plus the mask channel (1 = hole) when ``mask_channel`` is on. Other
    tasks (:mod:`inpaint.tasks`) feed other images: luminance ``Y`` (1 channel) for colourisation,
    photo A (3) for paired translation.

    Output contract: ``mode="center"`` → ``(B, out_channels, image_size/2, image_size/2)``, the
    centre patch (rows/cols ``image_size/4 .. 3*image_size/4``); ``mode="full"`` →
    ``(B, out_channels, S, S)``. Values in [-1, 1] (tanh head). Inpainting and paired
    translation output RGB (3), colourisation chroma CbCr (2). Not composited: use
    :func:`inpaint.network_input.composite` to keep the known pixels. With ``residual`` the
    module adds its output to the (pre-filled) input internally, so callers always receive
    pixels, never a residual (this needs ``image_channels == out_channels``).
    """

    kind: str = "ce"
    mode: str = "center"
    image_size: int = 128
    ngf: int = 64
    bottleneck: str = "conv"
    n_bottleneck: int = 4000
    mask_channel: bool = False
    prefill: str = "mean"
    residual: bool = False
    overlap: int = 4  # centre mode: known band (px) inside the predicted patch
    # Decoder up-sampling: 4×4 stride-2 transposed convs (CE / pix2pix) or bilinear ×2 + 3×3 conv,
    # which avoids the checkerboard artefacts transposed convs leave at small training budgets.
    upsample: str = "transposed"
    # Dropout probability in the U-Net's first three decoder blocks (pix2pix) and after the CE
    # channel-wise bottleneck; 0 disables it. Unused by the CE conv bottleneck.
    dropout: float = 0.5
    # channels of the image part of the input and of the output (the task decides: 3/3 for
    # inpainting and paired translation, 1/2 for colourisation). Checkpoints written before these
    # existed lack them and are 3/3 inpainting models.
    image_channels: int = 3
    out_channels: int = 3

    def validate(self) -> "GeneratorConfig":
        _check(self.kind, GENERATOR_KINDS, "generator")
        _check(self.mode, OUTPUT_MODES, "mode")
        _check(self.bottleneck, BOTTLENECK_KINDS, "bottleneck")
        _check(self.prefill, PREFILL_KINDS, "prefill")
        _check(self.image_size, IMAGE_SIZES, "image size")
        _check(self.upsample, UPSAMPLE_KINDS, "upsample")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if self.kind == "unet" and self.mode != "full":
            raise ValueError("the U-Net generator only supports mode 'full'")
        if self.ngf < 1 or self.n_bottleneck < 1:
            raise ValueError("ngf and n_bottleneck must be positive")
        if not 0 <= self.overlap < self.image_size // 4:
            raise ValueError(f"overlap must be in [0, {self.image_size // 4})")
        if self.image_channels < 1 or self.out_channels < 1:
            raise ValueError("image_channels and out_channels must be positive")
        if self.residual and self.image_channels != self.out_channels:
            raise ValueError(f"residual needs as many output as image input channels, got "
                             f"{self.out_channels} and {self.image_channels}")
        return self

    @property
    def in_channels(self) -> int:
        return self.image_channels + int(self.mask_channel)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "GeneratorConfig":
        return _from_dict(cls, data, "generator")


def discriminator_input_size(gcfg: GeneratorConfig) -> int:
    """Side of what the discriminator judges: the centre patch (S/2) or the whole image (S)."""
    return gcfg.image_size // 2 if gcfg.mode == "center" else gcfg.image_size


def patch_output_size(size: int, n_layers: int) -> int:
    """Side of the PatchGAN logit grid for a ``size``² input (30 for 256 with n_layers 3)."""
    for _ in range(n_layers):
        size = size // 2  # 4×4, stride 2, padding 1
    return size - 2  # two 4×4 stride-1 convs with padding 1 each remove one pixel


@dataclass
class DiscriminatorConfig:
    """How to build a discriminator.

    Input: ``(B, out_channels of the generator [+ its in_channels when conditional], H, W)`` in
    [-1, 1] —
    the centre patch (``dcgan`` in centre mode) or the whole image. Output: logits,
    ``(B, 1)`` for ``dcgan``, ``(B, 1, h, w)`` for ``patch`` (30×30 for 256 px, n_layers 3).
    """

    kind: str = "dcgan"
    ndf: int = 64
    n_layers: int = 3
    norm: str = "batch"
    conditional: bool = False

    def validate(self) -> "DiscriminatorConfig":
        _check(self.kind, DISCRIMINATOR_KINDS, "discriminator")
        _check(self.norm, NORM_KINDS, "discriminator norm")
        if self.ndf < 1 or self.n_layers < 1:
            raise ValueError("ndf and n_layers must be positive")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DiscriminatorConfig":
        return _from_dict(cls, data, "discriminator")
