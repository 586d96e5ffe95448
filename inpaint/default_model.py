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


# The shipped colourisation model (`inpaint colorize` without --model), same rules.
COLORIZE_CHECKPOINT = Path(__file__).resolve().parent / "weights" / "colorize.pt"


def resolve_colorize_checkpoint(path=None) -> Path:
    """``path`` itself when given, else the shipped colourisation model; one line when neither."""
    if path is not None:
        return Path(path)
    if not COLORIZE_CHECKPOINT.is_file():
        raise CheckpointError("--model is required: no default colourisation model is shipped with this "
                              "version of inpaint yet (pass --model CKPT, a checkpoint written by "
                              "`inpaint train --task colorize`)")
    return COLORIZE_CHECKPOINT
