"""Evaluation of fills against the originals: ``inpaint eval``.

Modules: :mod:`~inpaint.eval.cases` (photos × masks, crops), :mod:`~inpaint.eval.methods`
(fillers through :class:`inpaint.api.Inpainter`), :mod:`~inpaint.eval.runner` (fill + score),
:mod:`~inpaint.eval.summary` (means, t-intervals, paired margins over Telea),
:mod:`~inpaint.eval.report` (HTML + thumbnails), :mod:`~inpaint.eval.blind` (the blind
side-by-side page and its key), :mod:`~inpaint.eval.presets` (named settings such as
``objects``), :mod:`~inpaint.eval.pipeline` (one run → report folder).
"""

from inpaint.eval.pipeline import EvalResult, EvalSettings, run

__all__ = ["EvalResult", "EvalSettings", "run"]
