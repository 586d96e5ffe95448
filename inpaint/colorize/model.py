"""The one place a colourisation or translation checkpoint becomes an engine.

Checkpoints are written by ``inpaint train --task colorize|paired`` and read by
:func:`inpaint.tasks.load_task_model` (imported here only when a checkpoint is loaded), which
refuses a checkpoint of another task with one line.
"""

from __future__ import annotations

from pathlib import Path

from inpaint.errors import CheckpointError


def network_stride(model, image_size: int) -> int:
    """The multiple of which the model's input side must be: ``2^levels`` of a U-Net (its
    ``downs``), else the training size itself (always safe)."""
    levels = len(getattr(model, "downs", ()) or ())
    return 2 ** levels if levels else int(image_size)


def load_task(path, device: str, task: str):
    """``(model, image_size, stride, settings)`` of the ``task`` checkpoint at ``path`` on
    ``device`` (``auto``, ``cpu``, ``cuda[:N]``)."""
    from inpaint.device import resolve_device

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    dev = resolve_device(device)
    from inpaint.tasks import load_task_model

    loaded = load_task_model(path, device=dev, expect=task)
    model = loaded.model.eval()
    return model, int(loaded.image_size), network_stride(model, loaded.image_size), dict(loaded.settings or {})


def colorize_engine(path, device: str = "auto", **options):
    """A :class:`inpaint.colorize.engine.ColorizeEngine` for the checkpoint at ``path``
    (``options``: ``size``, ``strength``, ``upsample``)."""
    from inpaint.colorize.engine import ColorizeEngine
    from inpaint.device import resolve_device

    model, image_size, stride, _ = load_task(path, device, "colorize")
    return ColorizeEngine(model, image_size, resolve_device(device), stride=stride, **options)


def translate_engine(path, device: str = "auto", **options):
    """A :class:`inpaint.colorize.translate.TranslateEngine` for the checkpoint at ``path``
    (``options``: ``size``, ``fit``)."""
    from inpaint.colorize.translate import TranslateEngine
    from inpaint.device import resolve_device

    model, image_size, stride, _ = load_task(path, device, "paired")
    return TranslateEngine(model, image_size, resolve_device(device), stride=stride, **options)
