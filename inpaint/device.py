"""Pick the torch device once, from ``auto`` / ``cpu`` / ``cuda[:N]``."""

from __future__ import annotations

import torch

from inpaint.errors import InpaintError

def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when available, else CPU. Asking for CUDA without it is an error."""
    name = (name or "auto").lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InpaintError("--device cuda was asked for but no CUDA GPU is available (use --device cpu or auto)")
        return torch.device(name)
    raise InpaintError(f"unknown device {name!r}: use auto, cpu or cuda")
