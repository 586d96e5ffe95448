"""Shared helpers of the server tests: apps with cheap fillers, PNG bytes of photos and masks."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def png_bytes(array_or_image, **save) -> bytes:
    img = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", **save)
    return buffer.getvalue()


def make_app(methods=None, colorizer=None, **config):
    """An app with the classical methods (and ``methods`` when given: name -> painter) and
    ``colorizer`` (a colourisation engine; None: the server has none)."""
    from inpaint.serve.app import create_app
    from inpaint.serve.config import ServeConfig
    from inpaint.serve.methods import COLORIZE, Methods, load_methods

    loaded = load_methods(with_model=False, with_colorizer=False)
    unavailable = dict(loaded.unavailable)
    if colorizer is None:
        unavailable[COLORIZE] = "no colourisation model (test)"
    loaded = Methods({**(methods or {}), **loaded.painters}, {**{n: n for n in methods or {}}, **loaded.labels},
                     unavailable, colorizer)
    return create_app(ServeConfig(**config), loaded)


def decode(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)))
