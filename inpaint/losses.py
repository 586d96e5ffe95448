"""Reconstruction and adversarial losses.

Tensors: predictions/targets ``(B, 3, H, W)`` in [-1, 1]; masks ``(B, 1, S, S)`` float with
1 = hole, 0 = known. Losses are computed in float32 (safe under autocast) and return scalars.
The mixing weights (λ_rec 0.999, λ_adv 0.001 in the CE paper) belong to the training config.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from inpaint.config import GeneratorConfig


@dataclass
class ReconstructionWeights:
    """Per-pixel weights of the reconstruction loss.

    Centre mode (CE paper / released code): inside the predicted ``S/2`` patch the hole interior
    weighs 1 and the ``cfg.overlap``-px known band around it weighs ``overlap_weight`` (10).

    Full mode: the model outputs the whole image and is composited afterwards, so what matters is
    the hole, and above all its rim, where seams show. ``band`` weighs every pixel within
    ``band_width`` px of the rim, on both sides (the hole's edge and the known ring around it) —
    10× like the CE overlap band; the rest of the hole weighs ``hole`` (1), and known pixels
    further away weigh ``known`` (0.1: enough to keep the model reproducing context, e.g. to learn
    "no change" over a classical pre-fill, without drowning a small hole).
    """

    overlap_weight: float = 10.0
    hole: float = 1.0
    band: float = 10.0
    known: float = 0.1
    band_width: int = 4

    def validate(self) -> "ReconstructionWeights":
        for name in ("overlap_weight", "hole", "band", "known"):
            if getattr(self, name) < 0:
                raise ValueError(f"reconstruction weight {name} must be >= 0")
        if self.band_width < 0:
            raise ValueError("band_width must be >= 0")
        return self


def _dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    return F.max_pool2d(mask, 2 * radius + 1, stride=1, padding=radius)


def rim_band(mask: torch.Tensor, width: int) -> torch.Tensor:
    """``(B, 1, H, W)`` 1 where a pixel is within ``width`` px (Chebyshev) of the hole's rim:
    hole pixels with a known pixel that close, and known pixels with a hole pixel that close.
    The image border is not a rim."""
    if width == 0:
        return torch.zeros_like(mask)
    # max_pool pads with -inf, so outside the image never counts as known or as hole.
    near_hole = _dilate(mask, width)
    near_known = _dilate(1.0 - mask, width)
    return near_hole * near_known


def reconstruction_weight_map(mask: torch.Tensor | None, gcfg: GeneratorConfig,
                              weights: ReconstructionWeights | None = None) -> torch.Tensor:
    """The per-pixel weights, broadcastable against the prediction.

    Centre mode: ``(1, 1, S/2, S/2)`` — ``overlap_weight`` on the ``gcfg.overlap`` band, 1 inside
    (``mask`` is not used: the hole is the centre square by definition). Full mode:
    ``(B, 1, S, S)`` built from ``mask`` ``(B, 1, S, S)`` (1 = hole).
    """
    weights = (weights or ReconstructionWeights()).validate()
    if gcfg.mode == "center":
        size, o = gcfg.image_size // 2, gcfg.overlap
        device = mask.device if mask is not None else None
        w = torch.full((1, 1, size, size), float(weights.overlap_weight), device=device)
        w[..., o:size - o, o:size - o] = 1.0
        return w
    if mask is None:
        raise ValueError("full-mode reconstruction weights need the mask")
    m = (mask.float() > 0.5).float()
    band = rim_band(m, weights.band_width)
    base = m * weights.hole + (1.0 - m) * weights.known
    return torch.where(band > 0, torch.full_like(m, weights.band), base)


def _l2(diff: torch.Tensor) -> torch.Tensor:
    return diff * diff


# kind → elementwise penalty of (prediction - target)
RECONSTRUCTION_KINDS = {"l2": _l2, "l1": torch.abs}


def reconstruction_loss(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None,
                        gcfg: GeneratorConfig, weights: ReconstructionWeights | None = None,
                        kind: str = "l2") -> torch.Tensor:
    """Weighted squared (``"l2"``) or absolute (``"l1"``) error, averaged over all elements.

    ``prediction`` and ``target`` are what the generator outputs: centre patches
    ``(B, 3, S/2, S/2)`` in centre mode, whole images ``(B, 3, S, S)`` in full mode. As in the
    released CE code the weights multiply the per-pixel error and the mean runs over every
    element (not over the weight sum), so an all-interior perfect patch gives 0 and weights are
    comparable across batches.
    """
    if kind not in RECONSTRUCTION_KINDS:
        raise ValueError(f"reconstruction loss must be one of {', '.join(RECONSTRUCTION_KINDS)}, got {kind!r}")
    if prediction.shape != target.shape:
        raise ValueError(f"prediction {tuple(prediction.shape)} and target {tuple(target.shape)} differ")
    w = reconstruction_weight_map(mask, gcfg, weights).to(prediction.device)
    if w.shape[-2:] != prediction.shape[-2:]:
        raise ValueError(f"prediction {tuple(prediction.shape)} does not fit a {gcfg.mode}-mode "
                         f"{gcfg.image_size}px model")
    err = RECONSTRUCTION_KINDS[kind](prediction.float() - target.float())
    return (err * w).mean()


def mean_reconstruction_loss(prediction: torch.Tensor, target: torch.Tensor, kind: str = "l1",
                             weight: torch.Tensor | None = None) -> torch.Tensor:
    """Squared (``"l2"``) or absolute (``"l1"``) error, averaged over all elements, in float32:
    for tasks where every output pixel is to be predicted (colourisation's chroma, paired
    translation), so no hole mask weighs it. Any channel count, ``prediction.shape ==
    target.shape``. ``weight`` (``(B, 1, H, W)``, e.g. colourisation's class rebalancing)
    multiplies each pixel's error before the mean; None → every element weighs 1."""
    if kind not in RECONSTRUCTION_KINDS:
        raise ValueError(f"reconstruction loss must be one of {', '.join(RECONSTRUCTION_KINDS)}, got {kind!r}")
    if prediction.shape != target.shape:
        raise ValueError(f"prediction {tuple(prediction.shape)} and target {tuple(target.shape)} differ")
    err = RECONSTRUCTION_KINDS[kind](prediction.float() - target.float())
    return (err if weight is None else err * weight.float()).mean()


def feature_matching_loss(fake_features: list[torch.Tensor], real_features: list[torch.Tensor]) -> torch.Tensor:
    """pix2pixHD's feature matching: the L1 distance between the discriminator's activations on
    the generated and on the real image, layer by layer (any shapes, equal per layer), averaged
    over the layers, in float32. The real activations are constants (detached here). A texture
    loss that needs no pretrained network: the generator is pulled towards the statistics D
    uses to tell real from fake, not towards one pixel answer."""
    if len(fake_features) != len(real_features) or not fake_features:
        raise ValueError(f"feature matching needs the same non-zero number of layers, got "
                         f"{len(fake_features)} and {len(real_features)}")
    terms = [torch.abs(f.float() - r.detach().float()).mean() for f, r in zip(fake_features, real_features)]
    return torch.stack(terms).mean()


class BCEGANLoss:
    """The CE / DCGAN loss on logits: D minimises BCE(real→1) + BCE(fake→0); G the
    non-saturating BCE(fake→1)."""

    def d_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        real, fake = real_logits.float(), fake_logits.float()
        return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))

    def g_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        fake = fake_logits.float()
        return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


class LSGANLoss:
    """Least squares GAN: D minimises mean((D(real) − 1)²) + mean(D(fake)²); G mean((D(fake) − 1)²)."""

    def d_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return ((real_logits.float() - 1.0) ** 2).mean() + (fake_logits.float() ** 2).mean()

    def g_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return ((fake_logits.float() - 1.0) ** 2).mean()


class HingeGANLoss:
    """Hinge loss (SN-PatchGAN): D mean(relu(1 − D(real))) + mean(relu(1 + D(fake))); G −mean(D(fake))."""

    def d_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return F.relu(1.0 - real_logits.float()).mean() + F.relu(1.0 + fake_logits.float()).mean()

    def g_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return -fake_logits.float().mean()


GAN_LOSSES = {"bce": BCEGANLoss(), "lsgan": LSGANLoss(), "hinge": HingeGANLoss()}
