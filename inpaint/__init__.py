"""inpaint: the PyTorch core of the toolkit (models, losses, training, filling, evaluation).

Conventions used everywhere in this package:

* A **mask** is a ``uint8`` array ``H×W`` with 255 = hole (missing pixels) and 0 = known, or as a
  tensor ``(B, 1, H, W)`` float with 1 = hole and 0 = known.
* An **image** on disk / in numpy is ``uint8`` ``H×W×3`` RGB in [0, 255]; as a tensor it is
  ``(B, 3, H, W)`` float in [-1, 1].

Importing this package is cheap: torch is only imported when a torch-backed name is used, so
``inpaint --help`` and the mask commands stay fast.
"""

__version__ = "0.1.0"

__all__ = ["Colorizer", "Inpainter", "Translator", "__version__"]


def __getattr__(name):
    # Lazy import keeps `import inpaint` free of torch.
    if name in ("Colorizer", "Inpainter", "Translator"):
        import inpaint.api

        return getattr(inpaint.api, name)
    raise AttributeError(f"module 'inpaint' has no attribute {name!r}")
