"""Architecture configuration. Stored inside every checkpoint so a checkpoint alone rebuilds
its model (see :mod:`inpaint.checkpoint`). Plain dataclasses of JSON-able values only.

:class:`GeneratorConfig` holds what every generator needs; each generator's own knobs are its
parameters dataclass beside its network (:data:`inpaint.models.generators.GENERATORS`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from inpaint.models.generators import GENERATOR_KINDS, GENERATORS, knob_owners
from inpaint.models.params import GeneratorParams, check_choice

OUTPUT_MODES = ("center", "full")
PREFILL_KINDS = ("mean", "telea")
DISCRIMINATOR_KINDS = ("dcgan", "patch")
NORM_KINDS = ("batch", "instance", "spectral")
IMAGE_SIZES = (64, 128, 256)

_check = check_choice


def _from_dict(cls, data: dict, what: str):
    """Build and validate a config; fields missing from ``data`` (older checkpoints) keep defaults."""
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"unknown {what} settings: {', '.join(sorted(unknown))}")
    return cls(**data).validate()


def foreign_knob_message(name: str, kind: str) -> str:
    """``"bottleneck is a setting of the ce generator, not unet"`` (``name`` as the caller spells it)."""
    owners = knob_owners(name.lstrip("-").replace("-", "_"))
    return f"{name} is a setting of the {' and '.join(owners)} generator, not {kind}"


@dataclass(init=False, eq=False)
class GeneratorConfig:
    """How to build a generator: what every generator needs (the fields below) and, as
    ``params``, the chosen kind's own knobs (its :class:`~inpaint.models.params.GeneratorParams`
    dataclass from :data:`inpaint.models.generators.GENERATORS`).

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

    Built with keywords: the common fields, and either ``params=`` or the kind's knobs flat
    (``GeneratorConfig(kind="ce", n_bottleneck=16)``); a knob of another generator is a
    ``ValueError`` naming its owner. ``cfg.<knob>`` reads the kind's knob. ``to_dict`` is flat
    (common fields, then the kind's knobs): the form stored in checkpoints.
    """

    kind: str = "ce"
    mode: str = "center"
    image_size: int = 128
    ngf: int = 64  # width: the first layer's channels, every generator's scale of all the others
    mask_channel: bool = False
    prefill: str = "mean"
    residual: bool = False
    # centre mode: the known band (px) inside the predicted patch. Part of the centre output
    # contract, read by the losses, the centre masks and the fill engine, not by a network.
    overlap: int = 4
    # channels of the image part of the input and of the output (the task decides: 3/3 for
    # inpainting and paired translation, 1/2 for colourisation). Checkpoints written before these
    # existed lack them and are 3/3 inpainting models.
    image_channels: int = 3
    out_channels: int = 3
    # ``params`` is no dataclass field: the fields are the settings every generator shares
    # (the flat settings and their checks enumerate them); it is set in __init__.

    def __init__(self, params: GeneratorParams | None = None, **settings):
        for f in fields(GeneratorConfig):
            setattr(self, f.name, settings.pop(f.name, f.default))
        _check(self.kind, GENERATOR_KINDS, "generator")
        cls = GENERATORS[self.kind].params
        for name in settings:
            if not knob_owners(name):
                raise TypeError(f"GeneratorConfig got an unknown setting {name!r}")
            if name not in cls.knobs():
                raise ValueError(foreign_knob_message(name, self.kind))
        if params is not None and settings:
            raise TypeError("give the generator's knobs in params or as keywords, not both")
        self.params = params if params is not None else cls(**settings)

    def __getattr__(self, name):
        # only called when normal lookup fails: a knob of this kind reads from params
        params = self.__dict__.get("params")
        if params is not None and not name.startswith("_") and name in type(params).knobs():
            return getattr(params, name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name, value):
        # guard against the flat-config habit `cfg.dropout = x`, which would silently add an
        # attribute nothing reads
        if name != "params" and name not in self.__dataclass_fields__:
            raise AttributeError(f"GeneratorConfig has no field {name!r}: set a generator's "
                                 "own knob on cfg.params")
        object.__setattr__(self, name, value)

    def __eq__(self, other) -> bool:
        return isinstance(other, GeneratorConfig) and self.to_dict() == other.to_dict()

    __hash__ = None  # mutable, like every dataclass with eq

    def __repr__(self) -> str:
        common = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))
        return f"GeneratorConfig({common}, params={self.params!r})"

    def validate(self) -> "GeneratorConfig":
        _check(self.kind, GENERATOR_KINDS, "generator")
        _check(self.mode, OUTPUT_MODES, "mode")
        _check(self.prefill, PREFILL_KINDS, "prefill")
        _check(self.image_size, IMAGE_SIZES, "image size")
        if not isinstance(self.params, GENERATORS[self.kind].params):
            raise ValueError(f"the {self.kind} generator takes {GENERATORS[self.kind].params.__name__}, "
                             f"got {type(self.params).__name__}")
        if self.ngf < 1:
            raise ValueError("ngf must be positive")
        if not 0 <= self.overlap < self.image_size // 4:
            raise ValueError(f"overlap must be in [0, {self.image_size // 4})")
        if self.image_channels < 1 or self.out_channels < 1:
            raise ValueError("image_channels and out_channels must be positive")
        if self.residual and self.image_channels != self.out_channels:
            raise ValueError(f"residual needs as many output as image input channels, got "
                             f"{self.out_channels} and {self.image_channels}")
        self.params.validate(self)
        return self

    @property
    def in_channels(self) -> int:
        return self.image_channels + int(self.mask_channel)

    def to_dict(self) -> dict:
        """Flat: the common fields, then the kind's knobs (names never collide)."""
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, **self.params.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> "GeneratorConfig":
        """Inverse of :meth:`to_dict`; also reads the flat dicts of checkpoints written before
        each generator had its own parameters, which stored every generator's knobs."""
        data = own_settings(data)
        common = {f.name for f in fields(cls)}
        unknown = {k for k in data if k not in common and not knob_owners(k)}
        if unknown:
            raise ValueError(f"unknown generator settings: {', '.join(sorted(unknown))}")
        return cls(**data).validate()


def own_settings(data: dict) -> dict:
    """A stored flat generator dict without the knobs of the other generators: older versions
    stored every generator's knobs for every kind (the U-Net's had ``bottleneck``), and none of
    them ever affected the model."""
    kind = data.get("kind", GeneratorConfig.kind)
    if kind not in GENERATORS:
        return dict(data)
    own = GENERATORS[kind].params.knobs()
    return {k: v for k, v in data.items() if k in own or not knob_owners(k)}


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
