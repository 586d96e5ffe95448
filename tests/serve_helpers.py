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


def make_app(methods=None, **config):
    """An app with the classical methods (and ``methods`` when given: name -> painter)."""
    from inpaint.serve.app import create_app
    from inpaint.serve.config import ServeConfig
    from inpaint.serve.methods import Methods, load_methods

    loaded = load_methods(with_model=False)
    if methods:
        loaded = Methods({**methods, **loaded.painters}, {**{n: n for n in methods}, **loaded.labels},
                         loaded.unavailable)
    return create_app(ServeConfig(**config), loaded)


def decode(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)))
