"""Native-resolution detail for a coarse fill: contextual residual aggregation.

A model that predicts at ``S`` px fills a hole whose window was scaled down ``s`` times with
content that has no detail finer than about ``s`` photo px (and an L1-trained model blurs even
that). The known part of the photo has the missing frequencies. As in HiFill (Yi et al.,
CVPR 2020), the fill is split at a scale ``σ ∝ s``: the low band comes from the model, the high
band, the *residual* ``photo − low_σ(photo)``, is copied from the known context into the hole,
patch by patch, from where the low band of the context looks most like the low band of the fill.
Matching runs on a grid of ``≈ 2σ``-px cells, so its cost grows with the hole's area in cells,
not with the photo's resolution.

* Patches are two cells wide, overlap by half and are blended with separable ``sin²`` windows
  (which sum to one): no block seams.
* Neighbouring hole cells are pushed to copy neighbouring context cells (a PatchMatch-like
  coherence term, :func:`_coherent`), and the match runs coarse to fine (each level starts from
  the coarser level's offsets and, with ``local``, only searches around them), so copied texture
  comes in contiguous pieces whose overlaps agree and keep their contrast.
* Every source pays for its residual energy (``energy``): an edge's residual (an eye, the tip of
  a star) is pasted only where its low band fits clearly better than plain texture. This term
  trades detail for fidelity; the model card lists the measurements behind its default.
* Copied texture ramps in over ``ramp``·σ px from the hole's rim.

Arrays: ``image`` / ``fill`` ``uint8`` ``H×W×3`` (``fill`` = the photo with the coarse fill in
its holes); ``hole`` bool ``H×W``, True = a pixel to give detail; ``known`` bool ``H×W``, True =
a real photo pixel (usable as a source). Only ``hole`` pixels change.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))
MIN_LEVEL_CELLS = 4   # a coarser level is added while the hole still spans this many of its cells
SELECT_BLOCK = 64     # sources per block in the k-best selection (:func:`_smallest`)


@dataclass(frozen=True)
class DetailSettings:
    """``min_scale``: windows scaled by less are left alone (the model predicted them near native
    resolution; copying texture there costs 0.5–1 dB on 128 px crops for no visible gain);
    ``sigma_per_scale``: band split σ (photo px) per unit of window down-scaling, bounded by
    ``min_sigma`` / ``max_sigma``; ``cells``: descriptor neighbourhood (cells per side);
    ``spatial``: cost of the distance to the hole (in hole extents), favouring nearby context;
    ``energy``: cost of a source's residual energy (log); ``coherence``: bonus per neighbour that
    copies from the same relative place; ``candidates``: best matches kept per cell;
    ``iterations``: coherence rounds; ``max_sources``: candidate patches per hole group (a
    regular subsample beyond it); ``ramp``: copied texture reaches full strength ``ramp``·σ px
    inside the hole (0: at once); ``local``: below the coarsest level, a hole cell the coarser
    level placed only considers the 3×3 cells around that choice (and its neighbours' copies)
    instead of every source: fills that look the same (public object holes 16.71 dB / detail
    0.85 against 16.73 / 0.81) for 0.7–0.8 s less at 2048². Costs are in units of the
    descriptors' variance."""

    min_scale: float = 2.0
    sigma_per_scale: float = 0.8
    min_sigma: float = 1.5
    max_sigma: float = 16.0
    cells: int = 3
    spatial: float = 0.05
    energy: float = 0.002
    coherence: float = 0.5
    candidates: int = 8
    iterations: int = 6
    max_sources: int = 40000
    levels: int = 4
    ramp: float = 1.0
    local: bool = True


DEFAULT_DETAIL = DetailSettings()


def band_sigma(scale: float, settings: DetailSettings = DEFAULT_DETAIL) -> float:
    """σ (photo px) of the split between model band and copied band for a window scaled by ``scale``."""
    return float(np.clip(settings.sigma_per_scale * scale, settings.min_sigma, settings.max_sigma))


def _low_band(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian low-pass of ``float32`` ``H×W×3`` at ``σ``, computed on a grid ``σ/1.5`` times
    coarser (area down, blur, linear up): the same band for a fraction of the cost on big photos."""
    height, width = image.shape[:2]
    f = max(1.0, sigma / 1.5)
    if f < 2:
        return cv2.GaussianBlur(image, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    small = cv2.resize(image, (max(1, round(width / f)), max(1, round(height / f))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / f, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def _window(p: int) -> np.ndarray:
    n = np.arange(p, dtype=np.float32)
    w = np.sin(np.pi * (n + 0.5) / p) ** 2
    return np.outer(w, w)


def _cell_means(a: np.ndarray, step: int) -> torch.Tensor:
    """Means of ``a`` (``H×W`` or ``H×W×C``) over ``step``-px cells: cell ``c`` covers photo rows
    ``(c−1)·step … c·step`` (cell 0 and the cells past the photo are outside: 0). ``C×Ny×Nx``."""
    height, width = a.shape[:2]
    a = np.ascontiguousarray(a, dtype=np.float32)
    a = a[..., None] if a.ndim == 2 else a
    gy, gx = height // step, width // step
    ny, nx = -(-height // step) + 2, -(-width // step) + 2
    out = np.zeros((ny, nx, a.shape[2]), np.float32)
    # Whole cells by OpenCV's integer-factor area resize (an exact box mean, and far cheaper
    # than pooling an interleaved array); the cells cut by the photo's edge (zeros past it) apart.
    if gy and gx:
        out[1:1 + gy, 1:1 + gx] = cv2.resize(a[:gy * step, :gx * step], (gx, gy),
                                             interpolation=cv2.INTER_AREA).reshape(gy, gx, -1)
    if height % step:
        edge = np.zeros((step, width - width % step + (step if width % step else 0), a.shape[2]), np.float32)
        edge[:height % step, :width] = a[gy * step:]
        out[1 + gy, 1:1 + edge.shape[1] // step] = edge.reshape(step, -1, step, a.shape[2]).mean((0, 2))
    if width % step:
        edge = np.zeros((gy * step, step, a.shape[2]), np.float32)
        edge[:, :width % step] = a[:gy * step, gx * step:]
        out[1:1 + gy, 1 + gx] = edge.reshape(gy, step, step, a.shape[2]).mean((1, 2))
    return torch.from_numpy(out).permute(2, 0, 1).contiguous()


def _edge_fraction(height: int, width: int, step: int) -> torch.Tensor:
    """``Ny×Nx`` (cells inside the photo): the part of each ``step``-px cell inside it."""
    fy = torch.clamp(height - torch.arange(0, height, step, dtype=torch.float32), max=step) / step
    fx = torch.clamp(width - torch.arange(0, width, step, dtype=torch.float32), max=step) / step
    return fy[:, None] * fx[None]


def _inside_means(height: int, width: int, step: int) -> torch.Tensor:
    """:func:`_cell_means` of an all-ones ``H×W`` image (the part of each cell in the photo), ``1×Ny×Nx``."""
    ny, nx = -(-height // step) + 2, -(-width // step) + 2
    out = torch.zeros(1, ny, nx)
    frac = _edge_fraction(height, width, step)
    out[0, 1:1 + frac.shape[0], 1:1 + frac.shape[1]] = frac
    return out


def _patch_means(cells: torch.Tensor, factor: int, gh: int, gw: int) -> np.ndarray:
    """Means over the patches of a grid ``factor`` times coarser than ``cells``' (see
    :func:`_cell_means`): patch ``i`` covers rows ``(i−1)·S … (i+1)·S``, ``S = factor·step``,
    i.e. cells ``(i−1)·factor + 1 …`` — computed on the small cell grid, never at full resolution."""
    c, ny, nx = cells.shape
    pad = factor - 1
    need_y, need_x = (gh + 1) * factor + pad, (gw + 1) * factor + pad
    t = F.pad(cells[None], (pad, max(0, need_x - nx - pad), pad, max(0, need_y - ny - pad)))
    out = F.avg_pool2d(t, 2 * factor, stride=factor)[0, :, :gh, :gw]
    return out.permute(1, 2, 0).numpy()


def _smallest(d: torch.Tensor, k: int) -> torch.Tensor:
    """Column indices of the ``k`` smallest entries of each row of ``d`` (``R×N``, ``N`` a multiple
    of :data:`SELECT_BLOCK`), best first. The ``k`` smallest of a row lie in the ``k`` blocks
    with the smallest minima (a block left out has ``k`` smaller entries in other blocks), so
    only those are searched: the same result as ``topk`` over the row for a fraction of its cost."""
    rows, n = d.shape
    blocks = d.view(rows, n // SELECT_BLOCK, SELECT_BLOCK).amin(2)
    picked = blocks.topk(min(k, blocks.shape[1]), 1, largest=False, sorted=False).indices
    cols = (picked[:, :, None] * SELECT_BLOCK + torch.arange(SELECT_BLOCK)).reshape(rows, -1)
    best = d.gather(1, cols).topk(k, 1, largest=False).indices
    return cols.gather(1, best)


def _coherent(desc_all: torch.Tensor, desc_t: torch.Tensor, cand: np.ndarray, t_idx: np.ndarray,
              grid: tuple[int, int], valid: np.ndarray, lam: float, extent: float, bonus: float,
              iterations: int) -> np.ndarray:
    """One source cell per target cell: its ``cand`` (T×K flat cell indices) or a neighbour's
    source moved back by the neighbour's offset, minimising match cost − ``bonus`` × (neighbours
    copying from the same relative place). Checkerboard updates, ``iterations`` rounds."""
    gh, gw = grid
    ty, tx = np.divmod(t_idx, gw)
    index = -np.ones(gh * gw, np.int64)
    index[t_idx] = np.arange(len(t_idx))

    def cost(cells):
        d = ((desc_all[torch.from_numpy(cells)] - desc_t[:, None]) ** 2).sum(-1).numpy()
        cy, cx = np.divmod(cells, gw)
        return d + lam * ((cy - ty[:, None]) ** 2 + (cx - tx[:, None]) ** 2) / extent ** 2

    neighbours = []
    for dy, dx in SHIFTS:
        ny, nx = ty + dy, tx + dx
        ok = (ny >= 0) & (ny < gh) & (nx >= 0) & (nx < gw)
        neighbours.append((dy, dx, np.where(ok, index[np.where(ok, ny * gw + nx, 0)], -1)))
    base = cost(cand)
    choice = cand[:, 0].copy()
    parity = (ty + tx) % 2
    rows = np.arange(len(t_idx))
    for _ in range(iterations):
        for par in (0, 1):
            wants = []
            for dy, dx, ni in neighbours:
                sy, sx = np.divmod(choice[np.maximum(ni, 0)], gw)
                sy, sx = sy - dy, sx - dx
                flat = sy * gw + sx
                good = (ni >= 0) & (sy >= 0) & (sy < gh) & (sx >= 0) & (sx < gw)
                good &= valid[np.clip(flat, 0, len(valid) - 1)]
                wants.append(np.where(good, flat, -1))
            want = np.stack(wants, 1)                                  # T×4, −1 = none
            prop = np.where(want >= 0, want, cand[:, :1])
            options = np.concatenate([cand, prop], 1)
            c = np.concatenate([base, cost(prop)], 1)
            c -= bonus * ((options[:, :, None] == want[:, None, :]) & (want[:, None, :] >= 0)).sum(-1)
            pick = options[rows, c.argmin(1)]
            upd = parity == par
            choice[upd] = pick[upd]
    return choice


@dataclass
class _Level:
    """One grid of the coarse-to-fine match: cells of ``step`` px; ``t_idx`` the target cells
    (flat indices on the ``gh × gw`` grid) and ``src`` the source cell each copies."""

    step: int
    gh: int
    gw: int
    t_idx: np.ndarray
    src: np.ndarray


def _init_from(coarse: _Level | None, level_step: int, t_idx: np.ndarray, gw: int, gh: int,
               valid: np.ndarray) -> np.ndarray:
    """Each target's source cell continuing the coarser level's copy offset (−1: none)."""
    init = -np.ones(len(t_idx), np.int64)
    if coarse is None:
        return init
    ratio = coarse.step / level_step
    ty, tx = np.divmod(t_idx, gw)
    offy = np.full(coarse.gh * coarse.gw, np.nan)
    offx = np.full(coarse.gh * coarse.gw, np.nan)
    cy, cx = np.divmod(coarse.t_idx, coarse.gw)
    sy, sx = np.divmod(coarse.src, coarse.gw)
    offy[coarse.t_idx], offx[coarse.t_idx] = (sy - cy) * ratio, (sx - cx) * ratio
    ci = np.clip(np.round(ty / ratio).astype(np.int64), 0, coarse.gh - 1)
    cj = np.clip(np.round(tx / ratio).astype(np.int64), 0, coarse.gw - 1)
    oy, ox = offy[ci * coarse.gw + cj], offx[ci * coarse.gw + cj]
    ok = ~np.isnan(oy)
    ny = ty + np.where(ok, np.round(np.nan_to_num(oy)), 0).astype(np.int64)
    nx = tx + np.where(ok, np.round(np.nan_to_num(ox)), 0).astype(np.int64)
    ok &= (ny >= 0) & (ny < gh) & (nx >= 0) & (nx < gw)
    flat = np.clip(ny * gw + nx, 0, gh * gw - 1)
    ok &= valid[flat]
    return np.where(ok, flat, -1)


def _local_candidates(init: np.ndarray, gh: int, gw: int, valid: np.ndarray) -> np.ndarray:
    """``init`` (flat cells, −1 = none) and its 8 neighbours, as ``T×9`` candidates; a neighbour
    off the grid or not a source is replaced by ``init`` itself."""
    iy, ix = np.divmod(np.maximum(init, 0), gw)
    out = np.empty((len(init), 9), np.int64)
    for n, (dy, dx) in enumerate(((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))):
        y, x = iy + dy, ix + dx
        flat = np.clip(y, 0, gh - 1) * gw + np.clip(x, 0, gw - 1)
        ok = (y >= 0) & (y < gh) & (x >= 0) & (x < gw) & valid[flat]
        out[:, n] = np.where(ok, flat, init)
    return out


def _match(cells: torch.Tensor, shape: tuple[int, int], step: int, factor: int, coarse: _Level | None,
           settings: DetailSettings) -> _Level | None:
    """Choose a source cell for every hole cell of the grid ``factor`` times coarser than the
    ``step``-px cell means ``cells`` (channels: hole, good, low band RGB, inside, energy — see
    :func:`add_detail`). ``None``: no target or too few sources."""
    height, width = shape
    level_step = step * factor
    gh, gw = -(-height // level_step) + 1, -(-width // level_step) + 1
    pooled = _patch_means(cells, factor, gh, gw)
    target_cells = pooled[..., 0] > 0
    source_cells = pooled[..., 1] > 1 - 1e-6      # every pixel under the patch (and its reach) is good
    if not target_cells.any() or source_cells.sum() < 2:
        return None
    # Descriptors: the low band averaged per cell, in a ``cells``² neighbourhood, plus the
    # source's residual energy (targets ask for none: smooth unless a match is clearly better).
    means = pooled[..., 2:5] / np.maximum(pooled[..., 5:6], 1e-6)   # border cells: their in-photo part
    r = settings.cells // 2
    grid_t = torch.from_numpy(np.ascontiguousarray(means, dtype=np.float32)).permute(2, 0, 1)[None]
    neigh = F.unfold(F.pad(grid_t, (r, r, r, r), mode="replicate"), settings.cells)[0].T   # cells×(3c²)
    energy = np.log1p(np.maximum(pooled[..., 6], 0.0)).ravel()

    t_idx = np.flatnonzero(target_cells.ravel())
    s_idx = np.flatnonzero(source_cells.ravel())
    if len(s_idx) > settings.max_sources:
        s_idx = s_idx[np.linspace(0, len(s_idx) - 1, settings.max_sources).astype(np.int64)]
    var = float(neigh[s_idx].var(0).sum()) + 1e-6
    e = torch.from_numpy(energy.astype(np.float32))[:, None] * float(np.sqrt(settings.energy * var))
    desc_all = torch.cat([neigh, e], 1)
    desc_t = torch.cat([neigh[t_idx], torch.zeros(len(t_idx), 1)], 1)
    desc_s = desc_all[s_idx]

    ty, tx = np.divmod(t_idx, gw)
    sy, sx = np.divmod(s_idx, gw)
    extent = float(max(np.ptp(ty) + 1, np.ptp(tx) + 1, 4))
    lam = settings.spatial * var
    # Match cost = |Δdesc|² + (λ/extent²)·|Δpos|² = |Δ[desc, c·pos]|², c = √λ/extent. Ranking a
    # target's sources needs only |s|² − 2·t·s (|t|² is the same for all of them): one
    # matrix product per chunk, no square roots.
    c = float(np.sqrt(lam)) / extent
    aug_t = torch.cat([desc_t, c * torch.from_numpy(np.stack([ty, tx], 1).astype(np.float32))], 1)
    aug_s = torch.cat([desc_s, c * torch.from_numpy(np.stack([sy, sx], 1).astype(np.float32))], 1)
    # Sources padded to whole selection blocks with an infinite cost (never among the k best).
    n_s = len(s_idx)
    pad = -n_s % SELECT_BLOCK
    sq_s = F.pad((aug_s ** 2).sum(1), (0, pad), value=float("inf"))[None]
    aug_s_t = F.pad(aug_s, (0, 0, 0, pad)).T.contiguous()
    k = min(settings.candidates, n_s)
    init = _init_from(coarse, level_step, t_idx, gw, gh, source_cells.ravel())
    local = _local_candidates(init, gh, gw, source_cells.ravel()) if settings.local and coarse is not None else None
    # Targets the coarser level placed are searched around its choice only (the whole-source
    # search costs most of this step at the finest levels); the others search every source.
    wide = np.ones(len(t_idx), bool) if local is None else init < 0
    width = k + 1 if local is None else max(k + 1, local.shape[1])
    cand = np.empty((len(t_idx), width), np.int64)
    if local is not None:
        placed = local[~wide]
        cand[~wide, :placed.shape[1]] = placed
        cand[~wide, placed.shape[1]:] = placed[:, :1]       # more candidates asked for than 9
    rows = np.flatnonzero(wide)
    chunk = max(1, int(2e7 // (n_s + pad)))       # bounds the distance matrix at ~80 MB
    for a in range(0, len(rows), chunk):
        part = rows[a:a + chunk]
        d = torch.addmm(sq_s, aug_t[torch.from_numpy(part)], aug_s_t, alpha=-2.0)
        best = s_idx[_smallest(d, k).numpy()]
        cand[part, 1:k + 1] = best
        cand[part, k + 1:] = best[:, :1]
    # The coarser level's offset is candidate 0 (and the starting choice) where it is valid.
    cand[:, 0] = np.where(init >= 0, init, cand[:, 1])
    src = _coherent(desc_all, desc_t, cand, t_idx, (gh, gw), source_cells.ravel(), lam, extent,
                    settings.coherence * var, settings.iterations)
    return _Level(level_step, gh, gw, t_idx, src)


def _blend(residual: np.ndarray, ty: np.ndarray, tx: np.ndarray, sy: np.ndarray, sx: np.ndarray,
           step: int, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """Window-weighted sum of the source residual patches over the targets' box, and the summed
    weights. The patch of cell ``(i, j)`` covers photo rows ``(i−1)·step … (i+1)·step``, i.e. the
    ``step``-px blocks ``i−1`` and ``i``: each of a patch's four quarter blocks is moved with one
    gather per quarter, since no two targets share a block in the same quarter. Sources lie inside
    the photo; target blocks past it are cut off. Returns ``acc`` ``h×w×3``, ``wsum`` ``h×w`` and
    the box ``(y0, x0, y1, x1)`` in photo px."""
    height, width = shape
    by0, bx0 = int(ty.min()) - 1, int(tx.min()) - 1
    nby, nbx = int(ty.max()) - by0 + 1, int(tx.max()) - bx0 + 1
    acc = np.zeros((nby, nbx, step, step, 3), np.float32)
    wsum = np.zeros((nby, nbx, step, step), np.float32)
    win = _window(2 * step)
    # The residual as whole step-px blocks (the last ones cut by the photo's edge are never a
    # source), so each quarter is one block gather instead of a per-pixel one.
    gy, gx = height // step, width // step
    blocks = residual[:gy * step, :gx * step].reshape(gy, step, gx, step, 3).transpose(0, 2, 1, 3, 4)
    for u in (0, 1):
        for v in (0, 1):
            w = win[u * step:(u + 1) * step, v * step:(v + 1) * step]
            ay, ax = ty - 1 + u - by0, tx - 1 + v - bx0
            acc[ay, ax] += w[None, :, :, None] * blocks[sy - 1 + u, sx - 1 + v]
            wsum[ay, ax] += w
    acc = acc.transpose(0, 2, 1, 3, 4).reshape(nby * step, nbx * step, 3)
    wsum = wsum.transpose(0, 2, 1, 3).reshape(nby * step, nbx * step)
    y0, x0 = max(0, by0 * step), max(0, bx0 * step)
    y1, x1 = min(height, (by0 + nby) * step), min(width, (bx0 + nbx) * step)
    cut = (slice(y0 - by0 * step, y1 - by0 * step), slice(x0 - bx0 * step, x1 - bx0 * step))
    return acc[cut], wsum[cut], (y0, x0, y1, x1)


def add_detail(image: np.ndarray, fill: np.ndarray, hole: np.ndarray, known: np.ndarray,
               scale: float, settings: DetailSettings = DEFAULT_DETAIL) -> np.ndarray:
    """``fill`` with its ``hole`` pixels replaced by (low band of ``fill``) + (residual copied
    from ``known`` pixels); other pixels as in ``fill``. ``scale``: how much the fill was
    up-scaled (window side / model size). Deterministic."""
    if not hole.any() or scale < settings.min_scale:
        return fill
    sigma = band_sigma(scale, settings)
    step = 2 * max(1, int(round(sigma)))     # a grid cell (even), photo px; patches are 2 cells wide
    height, width = hole.shape
    comp = fill.astype(np.float32)
    if image is not fill:
        comp[~hole] = image[~hole]
    low = _low_band(comp, sigma)
    residual = comp
    residual -= low                             # in place: the composite is not needed again
    # A source patch must be real photo wherever its residual was computed from: its footprint
    # grown by 2σ (the low-pass's reach) avoids holes and the photo's border.
    reach = 2 * int(np.ceil(2 * sigma)) + 1
    good = cv2.erode(known.astype(np.uint8), np.ones((reach, reach), np.uint8))  # outside the photo counts as known
    # Everything the matcher needs, reduced once to step-px cells (its last full-resolution work).
    cells = torch.cat([_cell_means(hole, step), _cell_means(good, step), _cell_means(low, step),
                       _inside_means(height, width, step),
                       _cell_means(((residual[..., 0] + residual[..., 1] + residual[..., 2]) / 3) ** 2, step)])

    # Coarse to fine: a coarse grid sees the hole as few cells, so its copies are whole regions;
    # each finer grid starts from them and only refines where a better match is clearly better.
    rows, cols = np.nonzero(hole)
    extent = max(np.ptp(rows), np.ptp(cols)) + 1
    factors = [1]
    while len(factors) < settings.levels and extent / (step * factors[-1] * 2) >= MIN_LEVEL_CELLS:
        factors.append(factors[-1] * 2)
    level = None
    for factor in reversed(factors):
        level = _match(cells, hole.shape, step, factor, level, settings) or level
    if level is None or level.step != step:
        return fill
    gw = level.gw
    ty, tx = np.divmod(level.t_idx, gw)
    src = level.src
    acc, wsum, (y0, x0, y1, x1) = _blend(residual, ty, tx, *np.divmod(src, gw), step, (height, width))
    box_hole = hole[y0:y1, x0:x1]
    # Whole-box arithmetic, then one masked write: cheaper than indexing the hole's pixels.
    copied = acc
    copied /= np.maximum(wsum, 1e-6)[..., None]
    if settings.ramp > 0:
        # Texture grows in with the distance from the known pixels: in a thin hole the fill is
        # pinned by the photo on both sides, and copied texture there mostly adds error
        # (measured: ramp 1σ +0.1 dB on strokes for the same detail ratio; more ramp trades
        # detail for PSNR at a steady rate).
        depth = cv2.distanceTransform(np.pad(box_hole, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
        copied *= np.minimum(depth / np.float32(settings.ramp * sigma), 1.0)[..., None]
    copied += low[y0:y1, x0:x1]
    np.round(copied, out=copied)
    np.clip(copied, 0, 255, out=copied)
    out = fill.copy()
    np.copyto(out[y0:y1, x0:x1], copied.astype(np.uint8), where=box_hole[..., None])
    return out
