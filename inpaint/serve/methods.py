"""The fill methods a server offers, each loaded once at start: the model (``--checkpoint`` or
the shipped default, with the default layout), the same model without the PatchMatch layout
(faster) and with the guided one (``--layout guided``: more faithful, smudgier), every classical
method that can run here (PatchMatch only with its optional package); and the colouriser
(``--colorize-model`` or the shipped one), when there is one."""

from __future__ import annotations

from dataclasses import dataclass, field

from inpaint.classical import CLASSICAL_METHODS
from inpaint.errors import CheckpointError, InpaintError
from inpaint.fill.settings import LAYOUT_GUIDED

MODEL = "model"
MODEL_NO_LAYOUT = "model-no-layout"   # the same model without the PatchMatch layout
MODEL_GUIDED = "model-guided-layout"  # the same model, large holes by our PatchMatch at 256 px
COLORIZE = "colorize"


@dataclass
class Methods:
    """``painters``: name → :class:`inpaint.api.Inpainter`, in menu order (the first is the
    default); ``labels``: name → what the page shows; ``unavailable``: name → why not (also
    :data:`COLORIZE` when there is no colouriser); ``colorizer``: the colourisation engine
    (:class:`inpaint.colorize.engine.ColorizeEngine`) or ``None``."""

    painters: dict
    labels: dict[str, str]
    unavailable: dict[str, str] = field(default_factory=dict)
    colorizer: object = None

    @property
    def default(self) -> str:
        return next(iter(self.painters))

    def get(self, name: str | None):
        name = name or self.default
        if name not in self.painters:
            why = f" ({self.unavailable[name]})" if name in self.unavailable else ""
            raise InpaintError(f"unknown method {name!r}{why}: use {', '.join(self.painters)}")
        return name, self.painters[name]


def load_colorizer(path=None, device: str = "auto"):
    """``(engine, None)``, or ``(None, why)`` when no colourisation model is shipped and none is
    given (errors of a given ``path`` propagate, as for ``--checkpoint``)."""
    from inpaint.colorize.model import colorize_engine
    from inpaint.default_model import resolve_colorize_checkpoint

    try:
        checkpoint = resolve_colorize_checkpoint(path)
    except CheckpointError as exc:
        if path is not None:
            raise
        return None, str(exc)
    return colorize_engine(checkpoint, device), None


def load_methods(checkpoint=None, device: str = "auto", with_model: bool = True,
                 colorize_model=None, with_colorizer: bool = True) -> Methods:
    """Load the model once (errors of a given ``checkpoint`` propagate; a missing default model
    only leaves the classical methods), make every classical filler that can run here, and load
    the colouriser (the same rules, for ``colorize_model``)."""
    from inpaint.api import Inpainter

    painters, labels, unavailable = {}, {}, {}
    if with_model:
        try:
            painters[MODEL] = Inpainter.from_checkpoint(checkpoint, device=device)
            labels[MODEL] = "Default model" if checkpoint is None else f"Model {painters[MODEL].name.split(':', 1)[1]}"
            fast = painters[MODEL].without_layout()
            if fast is not None:
                painters[MODEL_NO_LAYOUT], labels[MODEL_NO_LAYOUT] = fast, f"{labels[MODEL]}, no layout (faster)"
            guided = painters[MODEL].with_layout(LAYOUT_GUIDED)
            if guided is not None:
                painters[MODEL_GUIDED] = guided
                labels[MODEL_GUIDED] = f"{labels[MODEL]}, guided layout (more faithful, smudgier)"
        except CheckpointError as exc:
            if checkpoint is not None:
                raise
            unavailable[MODEL] = str(exc)
    for name, spec in CLASSICAL_METHODS.items():
        try:
            painters[name] = Inpainter.classical(name)
            labels[name] = spec.label or name
        except InpaintError as exc:
            unavailable[name] = str(exc)
    colorizer = None
    if with_colorizer:
        colorizer, why = load_colorizer(colorize_model, device)
        if why:
            unavailable[COLORIZE] = why
    return Methods(painters, labels, unavailable, colorizer)
