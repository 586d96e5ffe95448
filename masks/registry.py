"""The registry of mask kinds and :func:`make_generator`, the one way to build a generator."""

from __future__ import annotations

import dataclasses
from typing import Callable

from masks.core import MaskGenerator
from masks.errors import MaskError

#: kind name -> generator class or factory (called with the kind's keyword parameters).
MASK_KINDS: dict[str, Callable[..., MaskGenerator]] = {}

#: Parameters every kind accepts: they wrap the generator in :class:`masks.constrained.Constrained`.
CONSTRAINT_PARAMS = ("min_fraction", "max_fraction", "max_tries")


#: kind name -> the dataclass whose fields the kind accepts.
_PARAM_CLASSES: dict[str, type] = {}


def register(name: str, factory: Callable[..., MaskGenerator], params_of=None) -> None:
    """Add a kind. ``params_of`` is the dataclass whose fields the kind accepts (default: factory)."""
    MASK_KINDS[name] = factory
    _PARAM_CLASSES[name] = params_of or factory


def kind_fields(kind: str) -> list[dataclasses.Field]:
    """The dataclass fields (name, type, default) a kind accepts, constraint params excluded."""
    cls = _PARAM_CLASSES[kind]
    extra = getattr(cls, "extra_fields", None)
    return list(dataclasses.fields(cls)) + (list(extra()) if extra else [])


def kind_summary(kind: str) -> str:
    """First paragraph of the kind's docstring, on one line."""
    doc = (MASK_KINDS[kind].__doc__ or _PARAM_CLASSES[kind].__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _coerce(kind: str, field: dataclasses.Field, value):
    """Convert CLI-style values (strings, ints for floats) to the field's declared type."""
    typ = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
    try:
        if typ == "bool":
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            if isinstance(value, (bool, int)) and value in (0, 1):
                return bool(value)
            raise ValueError
        if typ == "int":
            if isinstance(value, bool):
                raise ValueError
            f = float(value)
            if not f.is_integer():
                raise ValueError
            return int(f)
        if typ == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if typ == "str":
            return str(value)
    except (TypeError, ValueError):
        raise MaskError(f"{kind}: parameter {field.name} must be {typ}, got {value!r}") from None
    return value


def make_generator(kind: str, **params) -> MaskGenerator:
    """Build the generator of ``kind`` (a key of :data:`MASK_KINDS`) with its parameters.

    Any kind also accepts ``min_fraction``/``max_fraction``/``max_tries``: the generator is then
    wrapped in :class:`masks.constrained.Constrained` (bounded rejection sampling). Unknown
    kinds or parameters raise :class:`MaskError` naming the valid ones.
    """
    if kind not in MASK_KINDS:
        raise MaskError(f"unknown mask kind {kind!r}; valid kinds: {', '.join(MASK_KINDS)}")
    constraint = {k: params.pop(k) for k in CONSTRAINT_PARAMS if k in params}
    by_name = {f.name: f for f in kind_fields(kind)}
    unknown = sorted(set(params) - set(by_name))
    if unknown:
        valid = ", ".join(list(by_name) + list(CONSTRAINT_PARAMS))
        raise MaskError(f"unknown parameter(s) {', '.join(unknown)} for mask kind {kind!r}; valid: {valid}")
    params = {k: _coerce(kind, by_name[k], v) for k, v in params.items()}
    try:
        gen = MASK_KINDS[kind](**params)
    except TypeError as exc:  # e.g. a list where a number was expected
        raise MaskError(f"{kind}: bad parameters: {exc}") from None
    if constraint:
        from masks.constrained import Constrained

        gen = Constrained.from_params(gen, **constraint)
    return gen
