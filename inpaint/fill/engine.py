"""The fill engine: photo of any size + mask of any shape → filled photo, known pixels bit-exact.

Fillers take ``image``: ``uint8`` ``H×W×3`` RGB and ``mask``: ``uint8`` ``H×W`` (non-zero =
hole) and return a new ``uint8`` ``H×W×3``; every pixel where the mask is 0 is copied from
``image``. An empty mask returns a copy; a mask with no known pixel is an :class:`ImageError`.

:class:`ModelFiller` (one model, loaded once):

1. group the holes and choose one square window per group (:mod:`inpaint.fill.planning`);
2. cut every window out at the model's size ``S`` (reflection padding past the borders,
   ``INTER_AREA`` down-scaling, :mod:`inpaint.fill.windows`) and build the input exactly as
   training does: ``inpaint.prefill.prefill(…, cfg.prefill)`` + ``network_input``. Centre-mode
   models get the inner square (``center_box`` shrunk by ``overlap``) as their hole, as in
   training; other holes lying in their context are Telea-filled first so the context looks
   like a photo;
3. run the windows through the model in batches of ``batch_size`` (all windows of a photo in
   one forward pass when they fit; chunking bounds memory) under ``torch.inference_mode()``;
   with ``layout`` (default :data:`LAYOUT_DEFAULT`) a large hole whose window was scaled
   down 2× or more gets its structure from PatchMatch at a finer scale (the photo's own, for the
   default's windows up to 1280 px), blended with the model's fill from the rim inward
   (:mod:`inpaint.fill.layout`);
4. scale each prediction back and paste it into its own group's hole pixels only, with the
   seam-matched feather of :mod:`inpaint.fill.blend`;
   With ``flip`` (default :data:`FLIP_DEFAULT`) each window is also run mirrored left-right
   and the two predictions are averaged;
5. optionally (``refine``) re-predict holes whose window was heavily down-scaled, tile by tile
   at a finer scale, with the coarse fill as context (:mod:`inpaint.fill.refine`);
6. with ``detail`` (default :data:`DETAIL_DEFAULT`), give every hole group whose window was
   scaled down 2× or more (``DetailSettings.min_scale``) the photo's own native-resolution texture: the model's fill is kept as the low band and the high band is
   copied from the group's window by contextual residual aggregation (:mod:`inpaint.fill.detail`).

:class:`ClassicalFiller` fills all holes at once with a classical method, on the context its
registry entry asks for: OpenCV (``telea``/``ns``) on the holes' bounding box (faster than
windowing, because OpenCV's cost is set by the hole pixels), PatchMatch on the whole photo.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np
import torch

from inpaint.classical import CLASSICAL_METHODS, classical_fill
from inpaint.config import GeneratorConfig
from inpaint.errors import ImageError
from inpaint.fill.blend import RING, SMOOTH, feather_width, seam_blend
from inpaint.fill.detail import DEFAULT_DETAIL, DetailSettings, add_detail
from inpaint.fill.layout import LAYOUTS, LayoutSettings, SizedLayout, layout_fills, wants_layout
from inpaint.fill.planning import Window, grow, plan_windows
from inpaint.fill.refine import refine_windows
from inpaint.fill.settings import LAYOUT_DEFAULT
from inpaint.fill.windows import Geometry, crop, extract_image, extract_mask, geometry, map_back
from inpaint.finite import require_finite_prediction
from inpaint.network_input import center_box, network_input
from inpaint.prefill import prefill
from inpaint.tensors import image_to_tensor, mask_to_tensor, tensor_to_image

MAX_FIT_TRIES = 8
# A mirrored photo is as likely as the photo, so averaging both predictions lowers the error (one more model run per window).
FLIP_DEFAULT = True
# An L1 model's fill, scaled up from its window, is a smooth low band: without copied
# native-resolution texture it reads as a smear (detail ratio 0.1–0.3 against the photo's 1).
DETAIL_DEFAULT = True


def check_inputs(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Validate an image/mask pair; returns the hole as bool ``H×W``."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ImageError(f"the image must be a uint8 H×W×3 array, got {getattr(image, 'dtype', type(image))} "
                         f"{getattr(image, 'shape', '')}")
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        raise ImageError(f"the mask must be an H×W array, got shape {getattr(mask, 'shape', type(mask))}")
    if mask.shape != image.shape[:2]:
        raise ImageError(f"mask size {mask.shape[1]}×{mask.shape[0]} does not match the photo "
                         f"{image.shape[1]}×{image.shape[0]} (scale it first; `inpaint fill` has --resize-mask)")
    hole = mask > 0
    if hole.all():
        raise ImageError("the mask covers the whole photo: there is nothing to fill from")
    return hole


class ClassicalFiller:
    """A classical fill (``method`` from :data:`inpaint.classical.CLASSICAL_METHODS`) with
    that method's own context rule.

    OpenCV (``telea``/``ns``) only reads pixels within ``radius`` of the holes, so filling the
    bounding box of all holes plus a margin gives exactly the whole-photo result; it is much
    faster for small holes in big photos (a 20×30 hole in a 4096² photo: 0.15 s → 0.01 s), and
    the same for large holes. Cheaper than windowing (``benchmarks/bench_fill.py``): Telea's
    cost is set by the number of hole pixels, which windows do not reduce. PatchMatch copies
    patches from anywhere in the photo, so it is given the whole photo.

    ``radius``: the method's size parameter (OpenCV radius, PatchMatch patch radius); None
    takes the method's default. A method that cannot run here (``patchmatch`` without its
    package) is refused when the filler is made, with one :class:`InpaintError` line."""

    def __init__(self, method: str = "telea", radius: int | None = None):
        if method not in CLASSICAL_METHODS:
            raise ImageError(f"unknown classical method {method!r}: use {', '.join(CLASSICAL_METHODS)}")
        self.spec = CLASSICAL_METHODS[method]
        self.spec.check()
        self.method = method
        self.radius = self.spec.default_size if radius is None else int(radius)

    def fill(self, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        hole = check_inputs(image, mask)
        if not hole.any():
            return image.copy()
        box = self.spec.context_box(hole, self.radius)
        out = image.copy()
        part = self.spec.fill(image[box], hole[box].astype(np.uint8) * 255, self.radius)
        out[box][hole[box]] = part[hole[box]]  # known pixels stay the input's, explicitly
        return out


class _Layout(NamedTuple):
    """A window's layout: its settings, and its geometry, window and hole at the layout's size."""
    settings: LayoutSettings
    geo: Geometry
    window: np.ndarray
    hole: np.ndarray


def _inside(geo: Geometry) -> tuple[slice, slice]:
    """Where the photo lies in a ``geo.size``² window (the rest is padding)."""
    return slice(geo.pt, geo.pt + geo.h), slice(geo.pl, geo.pl + geo.w)


class _Job:
    """One window: its geometry, the prefilled model input and (after the run) the prediction."""

    def __init__(self, window: Window, geo: Geometry, prefilled: np.ndarray, net_mask: np.ndarray):
        self.window, self.geo = window, geo
        self.prefilled, self.net_mask = prefilled, net_mask
        self.prediction: np.ndarray | None = None   # uint8 S×S×3 (geo.size², after a layout)
        self.valid: np.ndarray | None = None        # uint8 S×S, 1 where predicted
        self.layout: _Layout | None = None


def _target(labels: np.ndarray, window: Window, y0: int, x0: int, y1: int, x1: int) -> np.ndarray:
    """bool map of region [y0:y1, x0:x1]: the pixels ``window`` fills (its group, inside its box)."""
    target = labels[y0:y1, x0:x1] == window.group
    by0, bx0, by1, bx1 = window.box
    target[:max(0, by0 - y0)] = False
    target[max(0, by1 - y0):] = False
    target[:, :max(0, bx0 - x0)] = False
    target[:, max(0, bx1 - x0):] = False
    return target


class ModelFiller:
    """Fill with a generator built from ``cfg`` (already on ``device``, in eval mode).

    ``refine``: re-predict holes whose window was down-scaled more than this factor tile by
    tile at that scale (:mod:`inpaint.fill.refine`); ``None`` keeps the single coarse window.
    ``flip``: also run every window mirrored left-right and average the two predictions (a
    mirrored photo is as likely as the photo, so the average is a lower-error estimate of the
    fill; it costs a second model run per window). Default: :data:`FLIP_DEFAULT`.
    ``detail``: :class:`inpaint.fill.detail.DetailSettings` for the native-resolution texture
    step, or ``None`` to keep the model's fill as it is (what callers choose by default is
    :data:`DETAIL_DEFAULT`).
    ``layout``: :class:`inpaint.fill.layout.LayoutSettings` for the PatchMatch structure of
    large holes (full-mode models only), a :class:`inpaint.fill.layout.SizedLayout` that picks
    them per window, or ``None`` for the model's fill alone (default:
    ``inpaint.fill.layout.LAYOUTS[LAYOUT_DEFAULT]``). A layout through a PatchMatch wheel that
    cannot load here is refused at once; a sized one falls back to its ``large`` settings.
    """

    def __init__(self, model: torch.nn.Module, cfg: GeneratorConfig, device: torch.device | str = "cpu",
                 batch_size: int = 16, refine: float | None = None, flip: bool = FLIP_DEFAULT,
                 detail: DetailSettings | None = DEFAULT_DETAIL,
                 layout: LayoutSettings | SizedLayout | None = LAYOUTS[LAYOUT_DEFAULT]):
        self.model, self.cfg = model.eval(), cfg
        self.layout = self._usable_layout(layout)
        self.device = torch.device(device)
        self.batch_size = max(1, int(batch_size))
        self.refine = refine
        self.flip = flip
        self.detail = detail
        self.size = cfg.image_size
        self.overlap = cfg.overlap if cfg.mode == "center" else 0
        a, b = center_box(self.size)
        self.inner = (a + cfg.overlap, b - cfg.overlap)

    def _usable_layout(self, layout: LayoutSettings | SizedLayout | None) -> LayoutSettings | SizedLayout | None:
        if layout is not None:
            layout = layout.usable()
        # A centre-mode model predicts a fixed square, not the hole's shape: it keeps its own fill.
        return layout if self.cfg.mode == "full" else None

    def with_layout(self, layout: LayoutSettings | SizedLayout | None) -> "ModelFiller":
        """This filler with another ``layout`` setting, sharing the model (nothing is loaded or
        copied but the settings)."""
        other = copy.copy(self)
        other.layout = self._usable_layout(layout)
        return other

    # -- step 2: model inputs ------------------------------------------------------------
    def _inner_fits(self, own: np.ndarray) -> bool:
        lo, hi = self.inner
        rows, cols = np.nonzero(own)
        return bool(len(rows)) and rows.min() >= lo and rows.max() < hi and cols.min() >= lo and cols.max() < hi

    def _prepare(self, source, hole, labels, window: Window, refining: bool) -> _Job:
        """Model input for ``window``. Context holes: every hole of the photo (first pass), or
        only the pixels being re-filled (refinement: the rest of the hole holds the coarse fill)."""
        height, width = labels.shape
        for _ in range(MAX_FIT_TRIES):
            geo = geometry(window, height, width, self.size)
            target = _target(labels, window, geo.y0, geo.x0, geo.y1, geo.x1)
            win_image = extract_image(source, geo)
            win_hole = extract_mask(target if refining else crop(hole, geo), geo)
            if self.cfg.mode == "full":
                net_mask = win_hole
                break
            if self._inner_fits(extract_mask(target, geo, reflect=False)):
                lo, hi = self.inner
                net_mask = np.zeros_like(win_hole)
                net_mask[lo:hi, lo:hi] = True
                context_holes = win_hole & ~net_mask
                if context_holes.any():
                    win_image = classical_fill(win_image, context_holes.astype(np.uint8) * 255, "telea")
                break
            window = grow(window)
        else:
            raise ImageError(f"the hole at rows {window.box[0]}..{window.box[2]}, cols {window.box[1]}..{window.box[3]} "
                             f"cannot be placed inside this centre-mode model's {self.inner[1] - self.inner[0]} px hole square")
        filled = prefill(win_image, net_mask.astype(np.uint8) * 255, self.cfg.prefill)
        job = _Job(window, geo, filled, net_mask)
        chosen = None if self.layout is None or refining else self.layout.for_window(window.side)
        if chosen is not None and wants_layout(chosen, window.side / self.size):
            # Never finer than the photo itself: a small window is PatchMatch-filled at native size.
            fine = geometry(window, height, width, min(chosen.size, window.side))
            job.layout = _Layout(chosen, fine, extract_image(source, fine), extract_mask(crop(hole, fine), fine))
        return job

    # -- step 3: batched model runs ------------------------------------------------------
    @torch.inference_mode()
    def _run(self, jobs: list[_Job]) -> None:
        a, b = center_box(self.size)
        images = torch.stack([image_to_tensor(j.prefilled) for j in jobs]).to(self.device)
        masks = torch.stack([mask_to_tensor(j.net_mask) for j in jobs]).to(self.device)
        out = self._predict(jobs, network_input(images, masks, self.cfg))
        require_finite_prediction(out)
        for job, pred in zip(jobs, out):
            patch = tensor_to_image(pred)
            valid = np.zeros((self.size, self.size), np.uint8)
            if self.cfg.mode == "center":
                full = job.prefilled.copy()
                full[a:b, a:b] = patch
                valid[a:b, a:b] = 1
            else:
                full = patch
                valid[:] = 1
            job.prediction, job.valid = full, valid
        laid_out = [job for job in jobs if job.layout is not None]
        fills = layout_fills([(job.prediction, job.net_mask, job.layout.window, job.layout.hole, job.layout.settings,
                               _inside(job.layout.geo)) for job in laid_out])
        for job, laid in zip(laid_out, fills):
            if laid is not None:
                job.prediction, job.geo = laid, job.layout.geo
                job.valid = np.ones(laid.shape[:2], np.uint8)

    def _predict(self, jobs: list[_Job], inputs: torch.Tensor) -> torch.Tensor:
        """The network on ``inputs`` (N×C×S×S, :func:`network_input` of ``jobs``), mirror-averaged
        when ``flip``: float N×3×S×S in [-1, 1] on the CPU (N×3×s×s, the centre, for centre mode)."""
        out = self.model(inputs).float()
        if self.flip:
            out = 0.5 * (out + self.model(inputs.flip(-1)).float().flip(-1))
        return out.cpu()

    # -- step 4: paste back --------------------------------------------------------------
    def _paste(self, out, source, labels, job: _Job, refining: bool) -> None:
        geo = job.geo
        pred = map_back(job.prediction, geo)
        valid = map_back(job.valid * 255, geo) == 255
        y0, x0, y1, x1 = job.window.box
        feather = feather_width(job.window.side / geo.size)
        margin = RING + feather + SMOOTH
        sy0, sx0 = max(y0 - margin, geo.y0), max(x0 - margin, geo.x0)
        sy1, sx1 = min(y1 + margin, geo.y1), min(x1 + margin, geo.x1)
        target = _target(labels, job.window, sy0, sx0, sy1, sx1)
        # Seam reference: real pixels; when refining, also the coarse fill around the tile.
        reference = ~target if refining else labels[sy0:sy1, sx0:sx1] == 0
        local = (slice(sy0 - geo.y0, sy1 - geo.y0), slice(sx0 - geo.x0, sx1 - geo.x0))
        blended = seam_blend(source[sy0:sy1, sx0:sx1], pred[local], target, reference, valid[local], feather)
        region = out[sy0:sy1, sx0:sx1]
        region[target] = blended[target]

    def _pass(self, out, source, hole, labels, windows, refining: bool) -> dict[int, int]:
        """Fill ``windows``; returns the size (px) each group's window was finally filled at."""
        sizes = {}
        # Windows go through in chunks (prepare → run → paste) so memory stays bounded.
        for start in range(0, len(windows), self.batch_size):
            jobs = [self._prepare(source, hole, labels, w, refining) for w in windows[start:start + self.batch_size]]
            self._run(jobs)
            for job in jobs:
                self._paste(out, source, labels, job, refining)
                sizes[job.window.group] = job.geo.size
        return sizes

    def fill(self, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        hole = check_inputs(image, mask)
        if not hole.any():
            return image.copy()
        labels, windows = plan_windows(hole, self.size, self.cfg.mode, self.overlap)
        out = image.copy()
        sizes = self._pass(out, image, hole, labels, windows, refining=False)
        finest = max(labels.shape)   # refinement tiles, when used, cap the scale the fill was predicted at
        if self.refine:
            tiles = refine_windows(labels, windows, self.size, self.cfg.mode, self.overlap, self.refine)
            if tiles:
                self._pass(out, out.copy(), hole, labels, tiles, refining=True)
                finest = tiles[0].side
        if self.detail is not None:
            for window in windows:
                # Detail finer than the fill already has: the scale it was predicted at (a
                # layout's finer size, or the model's, or a refinement tile's).
                scale = min(window.side / sizes[window.group], finest / self.size)
                self._add_detail(out, labels, window, scale)
        return out

    # -- step 6: native-resolution texture ------------------------------------------------
    def _add_detail(self, out, labels, window: Window, scale: float) -> None:
        """Texture for one group's pixels, copied from the known pixels of its window (the
        context the model saw); ``scale``: how much the fill was finally up-scaled."""
        geo = geometry(window, *labels.shape, self.size)
        region = (slice(geo.y0, geo.y1), slice(geo.x0, geo.x1))
        part_labels = labels[region]
        target = _target(labels, window, geo.y0, geo.x0, geo.y1, geo.x1)
        part = out[region]
        part[...] = add_detail(part, part, target, part_labels == 0, scale, self.detail)
