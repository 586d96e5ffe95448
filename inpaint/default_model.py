"""The model shipped with the package: ``inpaint/weights/default.pt``.

Filling with a model and no ``--checkpoint`` resolves it here; once the file exists it is used
automatically, with no code change."""

from __future__ import annotations

from pathlib import Path

from inpaint.errors import CheckpointError

DEFAULT_CHECKPOINT = Path(__file__).resolve().parent / "weights" / "default.pt"


def default_checkpoint() -> Path | None:
    """Path of the shipped default model, or ``None`` when the package has none."""
    return DEFAULT_CHECKPOINT if DEFAULT_CHECKPOINT.is_file() else None


def resolve_checkpoint(path=None) -> Path:
    """``path`` itself when given, else the shipped default; a clear error when neither exists."""
    if path is not None:
        return Path(path)
    found = default_checkpoint()
    if found is None:
        raise CheckpointError("--checkpoint is required: no default model is shipped with this version of "
                              "inpaint yet (train one with `inpaint train`, or use --method telea)")
    return found
