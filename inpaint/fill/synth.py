"""Multi-scale PatchMatch completion of a hole (Wexler et al. 2007; Barnes et al. 2009), our own.

Every pixel of the hole is filled with real photo content: each patch that touches the hole is
matched to a fully known patch of the photo (its nearest neighbour by sum of squared differences
over all its pixels, known and current estimate alike, measured in the leading principal
components of the level's patches), and each hole pixel becomes the weighted mean of what the
patches covering it copy there; match and vote alternate (EM), coarse to fine.
The nearest-neighbour field is searched as PatchMatch does (propagation from neighbours, random
search in shrinking radii), in parallel over all hole patches.

Unlike the ``pypatchmatch`` wheel, whose cost grows with the whole image (it searches a field for
every pixel), this one only works on the patches that touch the hole: a hole of a given size costs
about the same in a small window or in the whole photo, so the layout can see the whole photo.

Arrays: ``image`` ``uint8`` ``H×W×3`` RGB; ``hole`` bool ``H×W``, True = fill; ``guide`` (optional)
``uint8`` ``H×W×3``, a coarse guess (e.g. a model's fill): the hole starts from it, and at every
level a hole patch's match must also resemble the guide there (``guide_weight``), so real content
is copied where the guide put that kind of content; without a guide the hole starts as the known
pixels' mean colour and matching is free. Only hole pixels change. Deterministic for
its inputs and ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))
MIN_SOURCES = 32    # a coarser level is added only while it keeps this many whole known patches


@dataclass(frozen=True)
class SynthSettings:
    """``patch_radius``: patches of ``2r + 1`` px at every level; ``coarsest``: the pyramid is
    halved while its longer side stays at least this (px); ``em_steps`` / ``fine_em_steps``:
    match-and-vote rounds per level / at the finest level; ``iterations``: PatchMatch rounds
    (propagate + random search) per match; ``dims``: principal components patches are compared
    in; ``guide_weight``: how much a hole patch's match must also resemble the guide there
    (keeps the copied structure where the guide put it); ``sharp_levels``: at the finest
    ``sharp_levels`` levels every hole pixel takes the centre pixel of its own patch's match
    instead of the mean over the ~p² patches covering it (their copies disagree, and averaging
    them blurs each level's estimate until the next match prefers smooth sources; the centre
    copy is also cheaper); ``seed``: the random search's."""

    patch_radius: int = 3
    coarsest: int = 32
    em_steps: int = 4
    fine_em_steps: int = 2
    iterations: int = 3
    dims: int = 16
    guide_weight: float = 1.0
    sharp_levels: int = 0
    seed: int = 0


DEFAULT_SYNTH = SynthSettings()


class _Level:
    """One pyramid level: its image (``3×h×w`` float, hole pixels hold the current estimate), the
    whole-known source centres and the target centres (every patch that touches the hole)."""

    def __init__(self, image: np.ndarray, hole: np.ndarray, r: int):
        self.h, self.w = hole.shape
        self.r = r
        p = 2 * r + 1
        self.img = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32)).permute(2, 0, 1).contiguous()
        self.hole = torch.from_numpy(hole.ravel())
        kernel = np.ones((p, p), np.uint8)
        known = cv2.erode((~hole).astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
        self.valid = torch.from_numpy(known.ravel())
        self.n_sources = int(known.sum())
        touches = cv2.dilate(hole.astype(np.uint8), kernel) > 0
        t_idx = np.flatnonzero(touches.ravel())
        self.ty = torch.from_numpy(t_idx // self.w)
        self.tx = torch.from_numpy(t_idx % self.w)
        tmap = -np.ones(self.h * self.w, np.int64)
        tmap[t_idx] = np.arange(len(t_idx))
        self.tmap = torch.from_numpy(tmap)
        wp = self.w + 2 * r
        oy, ox = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
        self.offs = torch.from_numpy((oy * wp + ox).ravel())
        self.wp = wp
        o = torch.arange(-r, r + 1)
        self.oy, self.ox = o.repeat_interleave(p), o.repeat(p)
        # Every (target, offset) pair votes for one pixel; pairs landing off the photo or on a
        # known pixel get weight 0 instead of being filtered out (cheaper than compacting).
        qy, qx = self.ty[:, None] + self.oy, self.tx[:, None] + self.ox
        ok = (qy >= 0) & (qy < self.h) & (qx >= 0) & (qx < self.w)
        self.vote_q = (qy.clamp(0, self.h - 1) * self.w + qx.clamp(0, self.w - 1)).reshape(-1)
        self.vote_ok = (ok.reshape(-1) & self.hole[self.vote_q]).reshape(ok.shape).float()
        self.refresh()
        self.guide = self.padded.clone()     # the starting estimate (the guide, where one was given)

    def refresh(self) -> None:
        """Re-pad the image after its hole changed (patches past the border read reflections)."""
        r = self.r
        self.padded = F.pad(self.img[None], (r, r, r, r), mode="reflect")[0].reshape(3, -1).T.contiguous()

    def features(self, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``N×(p²·3)`` patches centred at ``(y, x)``."""
        idx = (y * self.wp + x)[:, None] + self.offs[None]
        return self.padded.index_select(0, idx.reshape(-1)).reshape(len(y), -1)

    def project_sources(self, dims: int, gen: torch.Generator) -> None:
        """Patch distances are measured in the ``dims`` leading principal components of the
        level's known patches: every candidate then costs ``dims`` numbers, not ``3·p²``. The
        sources never change within a level (whole known patches), so they are projected once."""
        pool = torch.nonzero(self.valid).squeeze(1)
        sample = pool[torch.randperm(len(pool), generator=gen)[:4096]]
        feats = self.features(sample // self.w, sample % self.w)
        self.mean = feats.mean(0)
        dims = min(dims, feats.shape[1], len(sample))
        # The leading eigenvectors of the p²·3-square covariance: the SVD's basis (up to signs,
        # which distances ignore) for a tenth of its cost.
        centred = feats - self.mean
        _, vectors = torch.linalg.eigh(centred.T @ centred)
        self.basis = vectors[:, -dims:].flip(1).contiguous()
        # Projecting every patch is a convolution with the basis as kernels (order: offset, channel).
        p = 2 * self.r + 1
        kernels = self.basis.T.reshape(dims, p, p, 3).permute(0, 3, 1, 2).contiguous()
        image = self.padded.T.reshape(1, 3, self.h + 2 * self.r, self.wp)
        proj = F.conv2d(image, kernels)[0].reshape(dims, -1).T - self.mean @ self.basis
        self.src_proj = torch.where(self.valid[:, None], proj, torch.zeros(())).contiguous()

    def target_projection(self, guide_weight: float) -> torch.Tensor:
        """Targets' patches, each pulled towards the guide's: |t − s|² + g·|guide − s|² ranks
        sources as |(t + g·guide)/(1 + g) − s|² does, so the blend is matched instead."""
        t = self.features(self.ty, self.tx)
        if guide_weight > 0:
            idx = (self.ty * self.wp + self.tx)[:, None] + self.offs[None]
            g = self.guide.index_select(0, idx.reshape(-1)).reshape(len(self.ty), -1)
            t = (t + guide_weight * g) / (1 + guide_weight)
        return (t - self.mean) @ self.basis

    def cost(self, t_proj: torch.Tensor, sy: torch.Tensor, sx: torch.Tensor) -> torch.Tensor:
        sy, sx = sy.clamp(0, self.h - 1), sx.clamp(0, self.w - 1)
        flat = sy * self.w + sx
        d = ((t_proj - self.src_proj.index_select(0, flat)) ** 2).sum(1)
        return torch.where(self.valid[flat], d, torch.full_like(d, float("inf")))

    def random_sources(self, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        pool = torch.nonzero(self.valid).squeeze(1)
        pick = pool[torch.randint(len(pool), (n,), generator=gen)]
        return pick // self.w, pick % self.w

    def copy_centres(self, sy: torch.Tensor, sx: torch.Tensor) -> None:
        """Hole pixels ← the centre pixel of their own patch's source (no averaging)."""
        r = self.r
        centre = self.hole[self.ty * self.w + self.tx]
        src = (sy[centre] + r) * self.wp + (sx[centre] + r)
        flat = self.img.reshape(3, -1)
        flat[:, (self.ty * self.w + self.tx)[centre]] = self.padded.index_select(0, src).T
        self.refresh()

    def vote(self, sy: torch.Tensor, sx: torch.Tensor, d: torch.Tensor | None) -> None:
        """Hole pixels ← weighted mean of the sources' pixels over every patch covering them
        (weights ``exp(−d / 2·median d)``: close matches count more; uniform without ``d``)."""
        if d is None:
            wt = torch.ones(len(sy))
        else:
            finite = d[torch.isfinite(d)]
            scale = 2 * float(finite.median()) + 1e-3 if len(finite) else 1.0
            wt = torch.exp(-torch.nan_to_num(d, posinf=1e30) / scale) + 1e-8
        q = self.vote_q
        w = (wt[:, None] * self.vote_ok).reshape(-1)
        r = self.r
        s = ((sy[:, None] + self.oy + r) * self.wp + (sx[:, None] + self.ox + r)).reshape(-1)   # padded px
        acc = torch.zeros(self.h * self.w, 3).index_add_(0, q, self.padded.index_select(0, s) * w[:, None])
        flat = self.img.reshape(3, -1)
        wsum = torch.zeros(self.h * self.w).index_add_(0, q, w)
        hole = self.hole
        flat[:, hole] = (acc[hole] / wsum[hole].clamp_min(1e-12)[:, None]).T
        self.refresh()


def _pyramid(image: np.ndarray, hole: np.ndarray, r: int, coarsest: int) -> list[_Level]:
    """Finest first. A coarser pixel is hole if any of its four is (its known pixels stay real)."""
    images, holes = [image.astype(np.float32)], [hole]
    while max(holes[-1].shape) // 2 >= coarsest:
        h, w = holes[-1].shape
        small_hole = cv2.resize(holes[-1].astype(np.float32), ((w + 1) // 2, (h + 1) // 2),
                                interpolation=cv2.INTER_AREA) > 0
        p = 2 * r + 1
        kernel = np.ones((p, p), np.uint8)
        sources = cv2.erode((~small_hole).astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        if sources.sum() < MIN_SOURCES:
            break
        images.append(cv2.resize(images[-1], ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA))
        holes.append(small_hole)
    return [_Level(im, ho, r) for im, ho in zip(images, holes)]


def _nearest(level: _Level) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact nearest source of every target (the coarsest level is small enough to search whole)."""
    t_feat = level.features(level.ty, level.tx)
    pool = torch.nonzero(level.valid).squeeze(1)
    s_feat = level.features(pool // level.w, pool % level.w)
    sq = (s_feat ** 2).sum(1)
    best = torch.empty(len(t_feat), dtype=torch.int64)
    chunk = max(1, int(2e7 // max(1, len(pool))))
    for a in range(0, len(t_feat), chunk):
        best[a:a + chunk] = torch.addmm(sq[None], t_feat[a:a + chunk], s_feat.T, alpha=-2.0).argmin(1)
    pick = pool[best]
    return pick // level.w, pick % level.w


def _improve(level: _Level, sy: torch.Tensor, sx: torch.Tensor, iterations: int, guide_weight: float,
             gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PatchMatch on the current estimate: propagation from the four neighbours (their source
    moved back by their offset), then random search around the current source in radii halving
    from the level's size down to 1. Returns the improved field and its costs."""
    t_feat = level.target_projection(guide_weight)
    d = level.cost(t_feat, sy, sx)
    sy, sx = sy.clone(), sx.clone()

    def consider(cy, cx):
        c = level.cost(t_feat, cy, cx)
        better = c < d
        d[better] = c[better]
        sy[better] = cy.clamp(0, level.h - 1)[better]
        sx[better] = cx.clamp(0, level.w - 1)[better]

    for _ in range(iterations):
        for dy, dx in SHIFTS:
            ny, nx = level.ty + dy, level.tx + dx
            inside = (ny >= 0) & (ny < level.h) & (nx >= 0) & (nx < level.w)
            n = level.tmap[(ny.clamp(0, level.h - 1) * level.w + nx.clamp(0, level.w - 1))]
            n = torch.where(inside, n, torch.full_like(n, -1))
            has = n >= 0
            ni = n.clamp_min(0)
            consider(torch.where(has, sy[ni] - dy, sy), torch.where(has, sx[ni] - dx, sx))
        radius = max(level.h, level.w)
        while radius >= 1:
            jy = torch.randint(-radius, radius + 1, (len(sy),), generator=gen)
            jx = torch.randint(-radius, radius + 1, (len(sy),), generator=gen)
            consider(sy + jy, sx + jx)
            radius //= 2
    return sy, sx, d


def _upsample_field(coarse: _Level, fine: _Level, sy: torch.Tensor, sx: torch.Tensor,
                    gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The coarse field's offsets, doubled, for every fine target; a random source where that
    lands on no whole known patch (the search then repairs it)."""
    cy = (fine.ty // 2).clamp(max=coarse.h - 1)
    cx = (fine.tx // 2).clamp(max=coarse.w - 1)
    c = coarse.tmap[cy * coarse.w + cx]
    has = c >= 0
    ci = c.clamp_min(0)
    fy = fine.ty + 2 * (sy[ci] - coarse.ty[ci])
    fx = fine.tx + 2 * (sx[ci] - coarse.tx[ci])
    ok = has & (fy >= 0) & (fy < fine.h) & (fx >= 0) & (fx < fine.w)
    ok &= fine.valid[fy.clamp(0, fine.h - 1) * fine.w + fx.clamp(0, fine.w - 1)]
    ry, rx = fine.random_sources(len(fy), gen)
    return torch.where(ok, fy, ry), torch.where(ok, fx, rx)


def synthesize(image: np.ndarray, hole: np.ndarray, guide: np.ndarray | None = None,
               settings: SynthSettings = DEFAULT_SYNTH) -> np.ndarray:
    """``image`` with its ``hole`` filled by multi-scale PatchMatch completion (see the module)."""
    hole = np.asarray(hole, bool)
    if not hole.any():
        return image.copy()
    r = settings.patch_radius
    gen = torch.Generator().manual_seed(settings.seed)
    weight = settings.guide_weight if guide is not None else 0.0
    flat = image[~hole].mean(0) if (~hole).any() else 128.0
    start = np.where(hole[..., None], guide if guide is not None else flat, image)
    # No room for a whole patch, or no whole known patch anywhere: the starting guess stays.
    levels = _pyramid(start, hole, r, settings.coarsest) if min(hole.shape) > 2 * r + 1 else []
    if not levels or levels[-1].n_sources == 0:
        return np.clip(np.round(start), 0, 255).astype(np.uint8)
    for level in levels:
        level.project_sources(settings.dims, gen)
    coarsest = levels[-1]
    sy, sx = _nearest(coarsest)
    n = len(levels)

    def vote(i, level, sy, sx, d):
        if i < settings.sharp_levels:
            level.copy_centres(sy, sx)
        else:
            level.vote(sy, sx, d)

    vote(n - 1, coarsest, sy, sx, None)
    previous = coarsest
    for i in range(n - 1, -1, -1):
        level = levels[i]
        if level is not coarsest:
            sy, sx = _upsample_field(previous, level, sy, sx, gen)
            vote(i, level, sy, sx, None)
        for _ in range(settings.fine_em_steps if i == 0 else settings.em_steps):
            sy, sx, d = _improve(level, sy, sx, settings.iterations, weight, gen)
            vote(i, level, sy, sx, d)
        previous = level
    out = levels[0].img.permute(1, 2, 0).numpy()
    result = image.copy()
    result[hole] = np.clip(np.round(out[hole]), 0, 255).astype(np.uint8)
    return result
