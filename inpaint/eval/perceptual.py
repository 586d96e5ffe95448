"""Optional perceptual metrics. LPIPS needs pretrained weights that are normally downloaded at
run time; this module only uses them when they are already on disk and never triggers a
download: otherwise the metric is skipped with a note.

LPIPS is computed on the hole's bounding box (grown to at least 32 px per side), with the
``lpips`` package's AlexNet variant: its linear-layer weights ship inside the package, the
AlexNet backbone must already be in the torch hub cache.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from inpaint.metrics import hole_bbox

LPIPS_MIN_SIDE = 32
FID_NOTE = ("FID is not computed: it needs Inception weights and thousands of images per method; "
            "hole PSNR/SSIM/L1 are the figures of this report")


def _lpips_weights_present() -> tuple[bool, str]:
    spec = importlib.util.find_spec("lpips")
    if spec is None or not spec.origin:
        return False, "the lpips package is not installed"
    linear = Path(spec.origin).parent / "weights" / "v0.1" / "alex.pth"
    if not linear.is_file():
        return False, f"its weights are missing ({linear})"
    import torch
    from torchvision.models import AlexNet_Weights

    backbone = Path(torch.hub.get_dir()) / "checkpoints" / Path(AlexNet_Weights.IMAGENET1K_V1.url).name
    if not backbone.is_file():
        return False, f"the AlexNet weights are not in the torch hub cache ({backbone})"
    return True, ""


def perceptual_metrics(device: str, notes: list[str]) -> dict:
    """``{"lpips_hole": fn(prediction, target, mask) -> float}`` when LPIPS can run offline,
    else ``{}`` with a note. Images ``uint8`` ``H×W×3``, mask ``uint8`` ``H×W`` (255 = hole)."""
    ok, why = _lpips_weights_present()
    notes.append(FID_NOTE)
    if not ok:
        notes.append(f"LPIPS skipped: {why} (nothing is downloaded)")
        return {}
    import lpips
    import torch

    from inpaint.device import resolve_device
    from inpaint.tensors import image_to_tensor

    dev = resolve_device(device)
    net = lpips.LPIPS(net="alex", verbose=False).to(dev).eval()

    def lpips_hole(prediction: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
        rows, cols = hole_bbox(mask, LPIPS_MIN_SIDE)
        with torch.no_grad():
            a = image_to_tensor(prediction[rows, cols])[None].to(dev)
            b = image_to_tensor(target[rows, cols])[None].to(dev)
            return float(net(a, b).mean())

    return {"lpips_hole": lpips_hole}
