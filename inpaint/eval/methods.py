"""The fill methods an evaluation compares, all through the public :class:`inpaint.api.Inpainter`
so the figures are exactly what ``inpaint fill`` users get.

A :class:`Method` fills ``uint8`` ``H×W×3`` photos given ``uint8`` ``H×W`` masks (255 = hole)
and returns ``uint8`` ``H×W×3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from inpaint.classical import CLASSICAL_METHODS
from inpaint.default_model import default_checkpoint
from inpaint.errors import InpaintError

BASELINE = "telea"  # every model is compared with it, case by case
MODEL = "model"
# The checkpoints' engine with the truth in place of the network (inpaint.fill.oracle): a ceiling
ORACLE = "oracle"
METHOD_NAMES = (MODEL, ORACLE, *CLASSICAL_METHODS)  # the names `--methods` accepts
# patchmatch is left out by default: it needs an optional package and takes seconds per photo;
# the oracle is a measuring tool, not a fill.
DEFAULT_METHODS = ",".join(n for n in METHOD_NAMES if n not in ("patchmatch", ORACLE))

Filler = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass
class Method:
    name: str  # column/row label: "telea", "ns", "patchmatch", "model:<checkpoint name>" or "oracle:<…>"
    fill: Filler
    is_model: bool = False
    source: str = ""  # checkpoint path for models


def parse_method_names(text: str) -> list[str]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if not names:
        raise InpaintError(f"--methods is empty: use some of {', '.join(METHOD_NAMES)}")
    for name in names:
        if name not in METHOD_NAMES:
            raise InpaintError(f"unknown method {name!r}: use {', '.join(METHOD_NAMES)}")
    return list(dict.fromkeys(names))


def model_names(checkpoints: list[Path], kind: str = MODEL) -> list[str]:
    """``model:<file stem>``; stems shared by several checkpoints get their folder name too
    (``runs/a/last.pt`` and ``runs/b/last.pt`` → ``model:a/last``, ``model:b/last``)."""
    stems = [Path(c).stem for c in checkpoints]
    names = []
    for path, stem in zip(checkpoints, stems):
        path = Path(path)
        label = f"{path.parent.name}/{stem}" if stems.count(stem) > 1 else stem
        names.append(f"{kind}:{label}")
    if len(set(names)) != len(names):
        raise InpaintError("the same checkpoint was given twice with --checkpoint")
    return names


def _default_loader(path: Path, device: str, flip: bool | None = None, detail: bool | None = None,
                    layout: bool | str | None = None):
    from inpaint.api import Inpainter

    # None: as `inpaint fill`
    return Inpainter.from_checkpoint(path, device=device, flip=flip, detail=detail, layout=layout)


def _default_oracle(path: Path, device: str, detail: bool | None = None, layout: bool | str | None = None):
    from inpaint.api import Inpainter
    from inpaint.fill.oracle import OracleFiller

    model = Inpainter.from_checkpoint(path, device=device, detail=detail, layout=layout)
    return Inpainter(OracleFiller.of(model.filler), f"oracle:{path.name}", model.config)


def _default_classical(name: str):
    from inpaint.api import Inpainter

    return Inpainter.classical(name)


def resolve_methods(names: list[str], checkpoints: list[Path], device: str = "auto",
                    notes: list[str] | None = None, loader=None, classical=None,
                    flip: bool | None = None, detail: bool | None = None,
                    layout: bool | str | None = None, oracle=None) -> list[Method]:
    """Turn method names into fillers. ``model`` expands to one method per checkpoint; with
    none it is the shipped default model (``model:default``), or dropped with a note when the
    package has none. ``loader(path, device)`` and ``classical(name)``
    return objects with ``fill_array``; they default to :class:`inpaint.api.Inpainter`.
    ``flip``: the models' mirror averaging, ``detail``: their native-resolution texture step,
    ``layout``: their layout of large holes, a name or on/off (None: the fill defaults); the
    default loaders only. ``oracle`` expands like ``model``, to ``oracle:<name>``: the same
    checkpoint's engine and settings with the truth in place of the network
    (:mod:`inpaint.fill.oracle`; ``oracle(path, device)`` loads one)."""
    loader = loader or (lambda path, dev: _default_loader(path, dev, flip, detail, layout))
    oracle = oracle or (lambda path, dev: _default_oracle(path, dev, detail, layout))
    classical = classical or _default_classical
    notes = notes if notes is not None else []
    methods: list[Method] = []
    for name in names:
        if name in (MODEL, ORACLE):
            paths = list(checkpoints)
            if not paths and default_checkpoint() is not None:
                paths = [default_checkpoint()]
                notes.append("no --checkpoint given: the default model shipped with inpaint is evaluated"
                             + ("" if name == MODEL else f" ({name})"))
            elif not paths:
                notes.append(f"no --checkpoint given: the {name} rows are left out (classical fills only)")
            load = loader if name == MODEL else oracle
            for label, path in zip(model_names(paths, name), paths):
                methods.append(Method(label, load(Path(path), device).fill_array, True, str(path)))
        else:
            methods.append(Method(name, classical(name).fill_array))
    if checkpoints and MODEL not in names and ORACLE not in names:
        notes.append("--checkpoint given but 'model' is not in --methods: the checkpoints are not evaluated")
    if not methods:
        raise InpaintError("nothing to evaluate: --methods model needs at least one --checkpoint")
    return methods
