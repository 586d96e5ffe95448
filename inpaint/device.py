"""Pick the torch device once, from ``auto`` / ``cpu`` / ``cuda[:N]``, and set it up once."""

from __future__ import annotations

import re

import torch

from inpaint.errors import InpaintError

DEVICE_HELP = "auto, cpu, cuda or cuda:N"
_CUDA = re.compile(r"^cuda(?::(\d+))?$")


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when available, else CPU. Asking for CUDA without it is an error."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    match = _CUDA.match(name)
    if match is None:
        raise InpaintError(f"unknown device {name!r}: use {DEVICE_HELP}")
    if not torch.cuda.is_available():
        raise InpaintError("--device cuda was asked for but no CUDA GPU is available (use --device cpu or auto)")
    if match.group(1) is not None and int(match.group(1)) >= torch.cuda.device_count():
        raise InpaintError(f"--device {name}: this machine has {torch.cuda.device_count()} CUDA GPU(s) "
                           f"(cuda:0 to cuda:{torch.cuda.device_count() - 1})")
    return torch.device(name)


def use_device(device: torch.device) -> torch.device:
    """Make ``device`` the current CUDA device (so ``cuda:1`` is not half on GPU 0: the
    DataLoader's pin-memory thread, capability checks and ``torch.cuda.*`` calls follow the
    current device) and return it with an explicit index. A no-op on CPU."""
    if device.type != "cuda":
        return device
    if device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    torch.cuda.set_device(device)
    return device


def compute_capability(device: torch.device) -> tuple[int, int]:
    """(major, minor) of a CUDA device; (0, 0) for anything else."""
    if device.type != "cuda":
        return (0, 0)
    return tuple(torch.cuda.get_device_capability(device))


_CONFIGURED: set = set()


def configure_cuda_for_training() -> None:
    """Speed settings for training on CUDA, set once per process: cuDNN picks the fastest
    convolution algorithms for our fixed input shapes, and float32 matmuls/convolutions may use
    TF32 tensor cores (Ampere+; 10-bit mantissa inputs, fp32 accumulation: fine for training)."""
    if "train" in _CONFIGURED:
        return
    _CONFIGURED.add("train")
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = True
    torch.set_float32_matmul_precision("high")
