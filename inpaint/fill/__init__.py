"""The fill engine (see :mod:`inpaint.fill.engine`): windows around each hole group, one batched
model run per photo, seam-matched paste-back; classical OpenCV fills through the same API."""

from inpaint.fill.engine import ClassicalFiller, ModelFiller, check_inputs

__all__ = ["ClassicalFiller", "ModelFiller", "check_inputs"]
