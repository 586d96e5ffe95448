"""Shared test settings: deterministic and light on the 2-core CI machine."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest

import inpaint.default_model

SHIPPED_DEFAULT_CHECKPOINT = inpaint.default_model.DEFAULT_CHECKPOINT
SHIPPED_COLORIZE_CHECKPOINT = inpaint.default_model.COLORIZE_CHECKPOINT


@pytest.fixture(autouse=True)
def _no_shipped_default_model(monkeypatch, tmp_path_factory):
    """Tests see a package without a default model unless they ask for it
    (tests/test_default_model.py and test_default_colorizer.py use the SHIPPED_* paths), so their behaviour does not
    depend on which weights are shipped."""
    missing = tmp_path_factory.getbasetemp() / "no-default-model.pt"
    monkeypatch.setattr(inpaint.default_model, "DEFAULT_CHECKPOINT", missing)
    monkeypatch.setattr(inpaint.default_model, "COLORIZE_CHECKPOINT", missing)
