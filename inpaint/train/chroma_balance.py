"""Class rebalancing of the colourisation loss (Zhang, Isola & Efros 2016, "Colorful Image
Colorization", section 2.2), applied as per-pixel weights on the L1 chroma loss.

Natural photos are mostly low-saturation (sky, stone, shadow), so a loss that weighs every pixel
alike learns to answer an uncertain pixel with a muted colour: the desaturated output of
regression colourisers. Zhang et al. weigh each pixel by the rarity of its true colour instead:
with ``p`` the empirical distribution of the training photos' chroma over quantised bins
(smoothed by a Gaussian) and ``Q`` the number of bins inside the RGB gamut,

    w(q) ∝ 1 / ((1 − λ) · p(q) + λ / Q),   normalised so that the mean weight of the measured
                                           pixels is 1,

so the loss keeps its scale on average while rare, saturated colours count more. ``λ`` mixes the
prior with a uniform one: λ = 1 weighs every pixel alike (no rebalancing), λ → 0 is full inverse
frequency; the paper uses 0.5.

Chroma here is full-range BT.601 ``CbCr`` in [-1, 1] (:mod:`inpaint.color`), quantised on a
``BINS × BINS`` grid (bins of 8 levels; the paper's ab bins are 10 units wide). The prior is
measured on crops of the run's own training set, so it is fixed by the photos and the seed and a
resumed run rebuilds the same one.
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

BINS = 32  # per chroma axis over [-1, 1]
SMOOTH_SIGMA = 1.0  # bins
PRIOR_CROPS = 512  # training crops the prior is measured on (the first ones the run draws)


def chroma_bins(chroma: torch.Tensor) -> torch.Tensor:
    """``(B, 2, H, W)`` CbCr in [-1, 1] → ``(B, 1, H, W)`` int64 bin index ``cb_bin · BINS + cr_bin``."""
    q = ((chroma.float() + 1.0) * (BINS / 2.0)).floor().clamp_(0, BINS - 1).long()
    return q[:, :1] * BINS + q[:, 1:2]


def chroma_histogram(chroma: torch.Tensor) -> torch.Tensor:
    """Pixel counts per bin (``(BINS², )`` float64) of ``(B, 2, H, W)`` CbCr."""
    return torch.bincount(chroma_bins(chroma).flatten(), minlength=BINS * BINS).double()


@functools.lru_cache(maxsize=None)
def gamut_bins() -> int:
    """How many chroma bins some RGB colour falls in (786 of 32²): the paper's Q (313 ab bins),
    a property of the colour space, so a small or one-coloured photo set still rebalances."""
    from inpaint.color import rgb_to_ycbcr_tensor

    v = torch.arange(0.0, 256.0, 3.0)
    rgb = torch.stack(torch.meshgrid(v, v, v, indexing="ij")).reshape(1, 3, -1, 1) / 127.5 - 1.0
    return int((chroma_histogram(rgb_to_ycbcr_tensor(rgb)[1]) > 0).sum())


def _smooth(prior: torch.Tensor) -> torch.Tensor:
    radius = math.ceil(3 * SMOOTH_SIGMA)
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    g = torch.exp(-0.5 * (x / SMOOTH_SIGMA) ** 2)
    g = g / g.sum()
    p = prior.view(1, 1, BINS, BINS)
    # zero padding: mass smoothed off the grid's edge is dropped and the rest renormalised
    p = F.conv2d(p, g.view(1, 1, 1, -1), padding=(0, radius))
    p = F.conv2d(p, g.view(1, 1, -1, 1), padding=(radius, 0))
    p = p.flatten()
    return p / p.sum()


def balance_weights(counts: torch.Tensor, lam: float) -> torch.Tensor:
    """``(BINS², )`` float32 weight per bin from the pixel ``counts`` per bin, for the mix ``lam``
    in (0, 1] (see the module doc); the mean weight of the counted pixels is 1."""
    if not 0.0 < lam <= 1.0:
        raise ValueError(f"the rebalancing mix must be in (0, 1], got {lam}")
    counts = counts.double()
    if counts.sum() <= 0:
        raise ValueError("no chroma pixels to measure the prior on")
    raw = counts / counts.sum()
    w = 1.0 / ((1.0 - lam) * _smooth(raw) + lam / gamut_bins())
    # normalised over the pixels measured (the paper: over the smoothed prior), so that the
    # loss keeps its scale on the training photos exactly
    return (w / (raw * w).sum()).float()


class ChromaBalance:
    """The per-pixel loss weights of one run: ``weights(target)`` for ``(B, 2, H, W)`` CbCr
    targets gives ``(B, 1, H, W)`` float32 weights on the target's device."""

    def __init__(self, table: torch.Tensor, lam: float):
        self.table, self.lam = table.float(), float(lam)
        self._on: dict[torch.device, torch.Tensor] = {}

    @classmethod
    def measure(cls, chromas, lam: float) -> "ChromaBalance":
        """From the CbCr targets ``chromas`` (an iterable of ``(B, 2, H, W)`` tensors in [-1, 1]:
        the run's first :data:`PRIOR_CROPS` training crops)."""
        counts = torch.zeros(BINS * BINS, dtype=torch.float64)
        for chroma in chromas:
            counts += chroma_histogram(chroma.cpu())
        return cls(balance_weights(counts, lam), lam)

    def weights(self, target: torch.Tensor) -> torch.Tensor:
        table = self._on.get(target.device)
        if table is None:
            table = self._on[target.device] = self.table.to(target.device)
        return table[chroma_bins(target)]

    def describe(self) -> str:
        lo, hi = float(self.table.min()), float(self.table.max())
        return (f"chroma rebalancing (lambda {self.lam:g}): pixel weights {lo:.2f}-{hi:.2f} "
                f"over {BINS}x{BINS} chroma bins")
