"""A PatchMatch layout for large holes: the coarse fill's structure copied from the photo.

An L1-trained model fills a large hole with the *mean* of what could be there: right on
average (it beats PatchMatch on hole PSNR) but it reads as a smudge, with ghosts of the
removed object where it hedges between colours. PatchMatch commits to one source per
patch, and its coherent copies are what people prefer at a glance (issue 10's blind tests).
So for a hole whose window was scaled down ``min_scale``× or more and that is at least
``min_depth`` model px deep, the window is filled again by PatchMatch at ``size`` px (finer
than the model's ``S``, so copied structure is sharper; a window smaller than that is filled at
its own size), and the two are blended by the
distance from the hole's rim: the model's fill within ``rim`` model px of the rim (where it
continues the edges around it and is usually right), PatchMatch's from ``rim + ramp`` px
inward. The native-resolution detail step then runs on the result as on a model fill, at the
scale it was predicted at (``window side / size``). The model card has the measurements.

Two ways to copy the structure (``LayoutSettings.method``): ``own``, our multi-scale PatchMatch
completion guided by the model's fill (:mod:`inpaint.fill.synth`; the default: its cost follows
the hole, not the window), or the ``pypatchmatch`` wheel (:mod:`inpaint.patchmatch_fill`). On the
8 public photos' object holes ``own`` measured 17.03 dB / SSIM 0.840 / detail 0.76 at 0.9 s per
photo against the wheel's 16.71 / 0.836 / 0.85 at 1.5 s, and on the 12 held-out photos 17.87 /
0.815 / 0.84 against 17.39 / 0.814 / 0.84; the two tied in blind looks (the model card).
Named layouts (:data:`LAYOUTS`, ``inpaint fill --layout NAME``): ``guided`` (``own`` at 256 px,
guided by the model's fill, which keeps the rim), ``native`` (the wheel at the photo's own
resolution, up to 2048 px windows, with the model's fill kept only for thin holes and windows near
native scale) and ``auto``, the default (:class:`SizedLayout`: ``native`` for windows up to
:data:`AUTO_MAX_SIDE` px, ``guided`` for larger ones and wherever the wheel cannot load). On whole
1280-px photos ``native`` looked as good as whole-photo PatchMatch in blind A/B tests (28 object
cases: an independent judge 14 : 14, me 15 : 6, 7 ties) in a third of its time, and much better
than ``guided`` (the same judge 23 : 5); it costs about 1 dB of hole PSNR against ``guided`` and
is about 25x slower than Telea on a 2048² photo with a 25 % hole, whose 2048-px window ``auto``
gives to ``guided`` (the model card).
Arrays: ``uint8`` ``size×size×3`` RGB windows; masks bool/``uint8`` ``size×size``, True /
non-zero = hole.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from inpaint.errors import InpaintError
from inpaint.fill.settings import (LAYOUT_AUTO, LAYOUT_DEFAULT, LAYOUT_GUIDED, LAYOUT_NAMES, LAYOUT_NATIVE,
                                   LAYOUT_OFF)
from inpaint.fill.synth import SynthSettings, synthesize
from inpaint.patchmatch_fill import patchmatch_fill, require_patchmatch


METHODS = ("pypatchmatch", "own")


@dataclass(frozen=True)
class LayoutSettings:
    """``size``: px the window is PatchMatch-filled at; ``patch_radius``: PatchMatch patches of
    ``2r + 1`` px at that size; ``min_scale``: windows scaled down by less keep the model's
    fill (it predicted them near native resolution); ``min_depth``, ``rim``, ``ramp``: in model
    px (the ``S``-px window): holes whose deepest pixel is closer than ``min_depth`` to the rim
    (thin strokes, scratches) keep the model's fill; otherwise the model's fill is kept whole
    within ``rim`` px of the rim and gives way to PatchMatch's over the next ``ramp`` px;
    ``method``: how the structure is copied, one of :data:`METHODS` (see the module);
    ``sharp_levels``: for ``own``, :attr:`inpaint.fill.synth.SynthSettings.sharp_levels` (the
    finest level copies each pixel from its own match instead of averaging: 0.25 s less per
    photo for the same figures, public objects 17.03 / 0.840 / 0.76 against 17.05 / 0.840 / 0.77)."""

    size: int = 256
    patch_radius: int = 3
    min_scale: float = 2.0
    min_depth: float = 4.0
    rim: float = 2.0
    ramp: float = 4.0
    method: str = "own"
    sharp_levels: int = 1

    def check(self) -> None:
        """Raise :class:`inpaint.errors.InpaintError` (one line) when PatchMatch cannot run here."""
        if self.method not in METHODS:
            raise InpaintError(f"unknown layout method {self.method!r}: use one of {', '.join(METHODS)}")
        if self.method == "pypatchmatch":
            require_patchmatch()

    def for_window(self, side: int) -> "LayoutSettings":
        """The settings for a hole window ``side`` photo px wide: these, whatever the size."""
        return self

    def usable(self) -> "LayoutSettings":
        """These settings, checked (:meth:`check`)."""
        self.check()
        return self


DEFAULT_LAYOUT = LayoutSettings()
# rim / ramp are model px: at native size the model's blurry rim band would show (a 2 + 4 px
# band at a 6x scale is 36 photo px wide, and no detail step sharpens it), so none
NATIVE_LAYOUT = LayoutSettings(size=2048, method="pypatchmatch", rim=0.0, ramp=0.25)
# The wheel's time grows with the hole it fills (about 2.5 s for a 1280-px photo's object hole,
# 20 s for a 2048² photo's 25 % hole, whose window is 2048 px): beyond this side (photo px) the
# guided layout's 0.5–1 s keeps big photos near Telea's time and under 2 GiB (bench_fill.py).
AUTO_MAX_SIDE = 1280


@dataclass(frozen=True)
class SizedLayout:
    """A layout chosen per hole window: ``small`` for windows up to ``max_side`` photo px wide,
    ``large`` for wider ones (both :class:`LayoutSettings`)."""

    small: LayoutSettings
    large: LayoutSettings
    max_side: int

    def for_window(self, side: int) -> LayoutSettings:
        return self.small if side <= self.max_side else self.large

    def usable(self) -> "SizedLayout | LayoutSettings":
        """This layout, or ``large`` alone where ``small`` cannot run here (the wheel missing):
        a default should degrade, not refuse."""
        self.large.check()
        try:
            self.small.check()
        except InpaintError:
            return self.large
        return self


AUTO_LAYOUT = SizedLayout(NATIVE_LAYOUT, DEFAULT_LAYOUT, AUTO_MAX_SIDE)
# with LAYOUT_OFF: settings.LAYOUT_NAMES
LAYOUTS = {LAYOUT_AUTO: AUTO_LAYOUT, LAYOUT_GUIDED: DEFAULT_LAYOUT, LAYOUT_NATIVE: NATIVE_LAYOUT}


def layout_name(value: bool | str | None, default: str) -> str:
    """``None`` → ``default``; ``True`` → :data:`inpaint.fill.settings.LAYOUT_DEFAULT` (a layout,
    the usual one); ``False`` → ``"off"``; a name of :data:`inpaint.fill.settings.LAYOUT_NAMES` →
    itself; anything else: one-line error."""
    if value is None:
        return default
    if value is True or value is False:
        return LAYOUT_DEFAULT if value else LAYOUT_OFF
    if value not in LAYOUT_NAMES:
        raise InpaintError(f"unknown layout {value!r}: use one of {', '.join(LAYOUT_NAMES)}")
    return value


def layout_settings(name: str) -> LayoutSettings | SizedLayout | None:
    """The settings of layout ``name`` (``None`` for ``"off"``)."""
    return None if name == LAYOUT_OFF else LAYOUTS[name]


def wants_layout(settings: LayoutSettings, scale: float) -> bool:
    """Whether a window scaled down ``scale``× (window side / model size) gets a layout."""
    return scale >= settings.min_scale


def _depth(mask: np.ndarray) -> np.ndarray:
    """``float32`` distance (px) of every hole pixel from the nearest known pixel."""
    return cv2.distanceTransform((mask > 0).astype(np.uint8), cv2.DIST_L2, 5)


def layout_fill(model_fill: np.ndarray, model_mask: np.ndarray, window: np.ndarray, mask: np.ndarray,
                settings: LayoutSettings = DEFAULT_LAYOUT,
                inside: tuple[slice, slice] | None = None) -> np.ndarray | None:
    """The blended coarse fill at ``settings.size`` px, or None where the hole is too thin to
    need one (the model's fill stays). ``model_fill``/``model_mask``: the model's ``S×S``
    prediction and its hole; ``window``/``mask``: the same window cut at ``settings.size`` px
    (or less: the caller never enlarges a window for this; its hole pixels are never read);
    ``inside``: the part of ``window`` inside the photo (the rest is reflection padding), or None
    for all of it. The wheel fills that part only: mirrored padding would give it mirrored
    structure to copy (a judge saw a mirrored roof line) and mirrored holes to fill; outside it
    the model's fill stays (the engine never pastes there)."""
    if _depth(model_mask).max() < settings.min_depth:
        return None
    size = window.shape[0]
    hole = (mask > 0).astype(np.uint8)
    model = cv2.resize(model_fill, (size, size), interpolation=cv2.INTER_LINEAR)
    if settings.method == "own":
        copied = synthesize(window, hole > 0, model, SynthSettings(patch_radius=settings.patch_radius,
                                                                  sharp_levels=settings.sharp_levels))
    else:
        rows, cols = inside or (slice(None), slice(None))
        copied = model.copy()
        copied[rows, cols] = patchmatch_fill(np.ascontiguousarray(window[rows, cols]), hole[rows, cols],
                                             settings.patch_radius)
    copied, model = copied.astype(np.float32), model.astype(np.float32)
    per_model_px = size / model_fill.shape[0]
    weight = np.clip((_depth(hole) - settings.rim * per_model_px) / (settings.ramp * per_model_px), 0.0, 1.0)
    blended = model + weight[..., None] * (copied - model)
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def layout_fills(items: list[tuple], workers: int | None = None) -> list[np.ndarray | None]:
    """:func:`layout_fill` of every ``(model_fill, model_mask, window, mask, settings, inside)`` in
    ``items``, in order. The windows of a photo are independent, and the wheel (a ctypes call)
    and our synthesis (torch) release the GIL, so they run side by side on up to ``workers``
    threads (default: the CPU count); each fill seeds its own search, so the result is the same
    as one after another (a test checks)."""
    workers = min(len(items), workers or os.cpu_count() or 1)
    if workers <= 1:
        return [layout_fill(*item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: layout_fill(*item), items))
