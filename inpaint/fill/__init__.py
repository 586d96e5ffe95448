"""The fill engine (see :mod:`inpaint.fill.engine`): windows around each hole group, one batched
model run per photo, seam-matched paste-back; classical OpenCV fills through the same API.

The pipeline around it — settings, mask preparation, output checks, one file, a batch, an
upload — is shared by the CLI, the Python API and the server (:mod:`inpaint.fill.pipeline`,
:mod:`inpaint.fill.batch`, :mod:`inpaint.fill.outputs`, :mod:`inpaint.fill.settings`).
Importing this package is cheap: the engine (and torch) load on first use of its names, so
the torch-free settings can be read by ``inpaint fill --help``.
"""

__all__ = ["ClassicalFiller", "ModelFiller", "check_inputs"]


def __getattr__(name):
    if name in __all__:
        from inpaint.fill import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'inpaint.fill' has no attribute {name!r}")
