"""The Python API: fill photos in three lines.

::

    from inpaint import Inpainter
    painter = Inpainter.from_checkpoint("model.pt", device="auto")   # or Inpainter.classical("telea")
    filled = painter.fill(Image.open("photo.png"), Image.open("mask.png"))

Masks: PIL images follow the conventions of mask files (:func:`masks.load_mask`): white
(≥ 128, brightest channel) = hole, or transparent (alpha < 128) = hole when the mask has a
not fully opaque alpha channel; for numpy arrays any non-zero value (``uint8`` 255 or
``True``) = hole. Images: PIL images of any common mode, or
numpy ``uint8`` ``H×W`` / ``H×W×3`` (RGB) / ``H×W×4`` (RGBA), or ``uint16`` ``H×W``; the result
has the same kind, mode and shape, and every known pixel (and the alpha channel) is bit-exact.
PIL images are taken as they are (no EXIF rotation; the CLI applies it when reading files).
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from inpaint.errors import ImageError
from inpaint.exif import orientation_mismatch, orientation_of
from inpaint.fill.detail import DEFAULT_DETAIL
from inpaint.fill.engine import DETAIL_DEFAULT, FLIP_DEFAULT, LAYOUT_DEFAULT, ClassicalFiller
from inpaint.fill.layout import layout_name, layout_settings
from inpaint.fill.user_mask import dilate_mask
from inpaint.imageio import Photo, photo_from_array, photo_from_pil, rebuild, rebuild_array
from masks import from_bool
from masks.io import image_hole


def _mask_array(mask) -> np.ndarray:
    """PIL or numpy mask → ``uint8`` ``H×W``, 255 = hole."""
    if isinstance(mask, Image.Image):
        return from_bool(image_hole(mask))
    if isinstance(mask, (str, os.PathLike)):
        raise ImageError(f"fill() takes the mask as a PIL image or a numpy array, not a path: "
                         f"use PIL.Image.open({str(mask)!r})")
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ImageError(f"a mask must be H×W, got shape {mask.shape}")
    if mask.dtype not in (np.uint8, np.bool_):
        raise ImageError(f"a numpy mask must be uint8 (255 = hole) or bool, got {mask.dtype}")
    return np.where(mask > 0, 255, 0).astype(np.uint8)


def _check_exif_rotation(image: Image.Image, size: tuple[int, int], mask_shape: tuple[int, ...]) -> None:
    """A camera photo whose pixels are stored rotated (EXIF orientation 5-8) with a mask drawn on
    the photo as displayed: say so, rather than a bare size mismatch."""
    problem = orientation_mismatch(size, mask_shape, orientation_of(image), displayed=False)
    if problem:
        raise ImageError(f"{problem}: pass PIL.ImageOps.exif_transpose(image) to fill it as displayed")


class Inpainter:
    """Fills holes with one filler (a model loaded once, or a classical method)."""

    def __init__(self, filler, name: str, config=None):
        self.filler, self.name, self.config = filler, name, config

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike | None = None, device: str = "auto",
                        batch_size: int | None = None, refine: float | None = None,
                        flip: bool | None = None, detail: bool | None = None,
                        layout: bool | str | None = None) -> "Inpainter":
        """Load a checkpoint written by ``inpaint train`` (``None``: the shipped default model).

        ``batch_size``: windows per model run (default 16 on CPU, 64 on CUDA); ``refine``:
        re-predict holes whose window was down-scaled more than this factor, tile by tile
        (sharper big holes, one model run per tile; see :mod:`inpaint.fill.refine`); ``flip``:
        also run every window mirrored left-right and average the two predictions (lower error,
        one more model run per window; ``None``: :data:`inpaint.fill.engine.FLIP_DEFAULT`);
        ``detail``: copy the photo's native-resolution texture into holes whose window was scaled
        down (:mod:`inpaint.fill.detail`; ``None``: :data:`inpaint.fill.engine.DETAIL_DEFAULT`);
        ``layout``: give large holes PatchMatch's structure: a name of
        :data:`inpaint.fill.layout.LAYOUTS` (``"guided"``: our PatchMatch at 256 px guided by the
        model's fill, blended with it from the rim inward; ``"native"``: the wheel at the photo's
        resolution; ``"auto"``: native for windows up to 1280 px, guided beyond), ``"off"``, or
        ``True`` / ``False`` for the default layout / ``"off"``; ``None``:
        :data:`inpaint.fill.settings.LAYOUT_DEFAULT` (``"auto"``).
        Raises :class:`inpaint.errors.CheckpointError` for a missing/corrupt/foreign file."""
        from inpaint.checkpoint import load_generator
        from inpaint.default_model import resolve_checkpoint
        from inpaint.device import resolve_device
        from inpaint.fill.engine import ModelFiller

        layout = layout_settings(layout_name(layout, LAYOUT_DEFAULT))  # a bad name fails before loading
        path = resolve_checkpoint(path)
        dev = resolve_device(device)
        model, cfg, _ = load_generator(path, dev)
        if batch_size is None:
            batch_size = 64 if dev.type == "cuda" else 16
        if refine is not None and refine < 1:
            raise ImageError(f"refine must be a down-scaling factor ≥ 1, got {refine}")
        flip = FLIP_DEFAULT if flip is None else flip
        detail = DETAIL_DEFAULT if detail is None else detail
        return cls(ModelFiller(model, cfg, dev, batch_size, refine, flip, DEFAULT_DETAIL if detail else None,
                               layout),
                   f"model:{path.name}", cfg)

    def without_layout(self) -> "Inpainter | None":
        """The same model (shared, not loaded again) without the PatchMatch layout: 2–8× faster on
        large holes in big photos, for a little less PSNR on every mask kind; ``None``
        when this fill has no layout (a classical method, a centre model, ``layout=False``)."""
        if getattr(self.filler, "layout", None) is None:
            return None
        return Inpainter(self.filler.with_layout(None), f"{self.name} (no layout)", self.config)

    def with_layout(self, name: str) -> "Inpainter | None":
        """The same model (shared, not loaded again) with layout ``name`` (see
        :meth:`from_checkpoint`); ``None`` where a layout cannot apply (a classical method, a
        centre model)."""
        from inpaint.fill.settings import LAYOUT_GUIDED, LAYOUT_OFF

        name = layout_name(name, LAYOUT_GUIDED)
        if not hasattr(self.filler, "with_layout"):
            return None
        other = self.filler.with_layout(layout_settings(name))
        if name != LAYOUT_OFF and other.layout is None:
            return None
        return Inpainter(other, f"{self.name} ({name} layout)", self.config)

    @classmethod
    def classical(cls, method: str = "telea", radius: int | None = None) -> "Inpainter":
        """A classical fill: ``telea`` or ``ns`` (OpenCV, ``radius`` default 3) or
        ``patchmatch`` (through the ``pypatchmatch`` package; ``radius`` is the patch
        radius, default 7); needs no checkpoint. ``None``: the method's default."""
        return cls(ClassicalFiller(method, radius), method)

    def fill_array(self, image: np.ndarray, mask: np.ndarray, dilate: int = 0) -> np.ndarray:
        """``uint8`` ``H×W×3`` RGB + ``uint8`` ``H×W`` mask (non-zero = hole) → ``uint8``
        ``H×W×3``; pixels outside the (``dilate``-grown) hole are copied bit-exact."""
        if dilate:
            mask = dilate_mask(_mask_array(mask), dilate)
        return self.filler.fill(image, mask)

    def fill_photo(self, photo: Photo, mask: np.ndarray) -> np.ndarray:
        """Fill a :class:`inpaint.imageio.Photo`; returns the filled ``uint8`` RGB view."""
        return self.fill_array(photo.rgb, mask)

    def fill(self, image, mask, dilate: int = 0):
        """Fill a PIL image or a numpy array; returns the same kind (see module docstring).

        ``dilate``: grow the holes by this many px first (0–256; user masks are often a little
        tight), as ``inpaint fill --dilate``."""
        mask = dilate_mask(_mask_array(mask), dilate)
        if isinstance(image, Image.Image):
            photo = photo_from_pil(image, exif_transpose=False)
            _check_exif_rotation(image, photo.size, mask.shape)
            return rebuild(photo, self.fill_photo(photo, mask), mask)
        if isinstance(image, np.ndarray):
            photo = photo_from_array(image)
            out = rebuild_array(photo, self.fill_photo(photo, mask), mask)
            return out.astype(image.dtype, copy=False)
        hint = f": use PIL.Image.open({str(image)!r})" if isinstance(image, (str, os.PathLike)) else ""
        raise ImageError(f"fill() takes a PIL image or a numpy array, got {type(image).__name__}{hint}")

    def __repr__(self) -> str:
        return f"Inpainter({self.name})"


class _PhotoConverter:
    """Shared by :class:`Colorizer` and :class:`Translator`: PIL or numpy in, the same kind out."""

    verb = "convert"

    def __init__(self, engine, name: str):
        self.engine, self.name = engine, name

    def convert_photo(self, photo: Photo):
        """A :class:`inpaint.imageio.Photo` → (PIL image to write, notes)."""
        raise NotImplementedError

    def _convert(self, image):
        if isinstance(image, Image.Image):
            return self.convert_photo(photo_from_pil(image, exif_transpose=False))[0]
        if isinstance(image, np.ndarray):
            return np.asarray(self.convert_photo(photo_from_array(image))[0])
        hint = f": use PIL.Image.open({str(image)!r})" if isinstance(image, (str, os.PathLike)) else ""
        raise ImageError(f"{self.verb}() takes a PIL image or a numpy array, got {type(image).__name__}{hint}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"


class Colorizer(_PhotoConverter):
    """Colourise photos with a model loaded once::

        from inpaint.api import Colorizer
        colorizer = Colorizer.from_checkpoint("colorize.pt")      # None: the shipped model
        colour = colorizer.colorize(Image.open("grey.jpg"))

    Any size; the result keeps the photo's own luminance (≤ 1 level) and has RGB (RGBA when the
    input has alpha) of the input's kind: PIL in, PIL out; numpy ``H×W`` / ``H×W×3`` / ``H×W×4``
    ``uint8`` or ``H×W`` ``uint16`` in, ``uint8`` ``H×W×3`` (``×4``) out. A colour input is
    taken as its luminance. PIL images are taken as they are (no EXIF rotation)."""

    verb = "colorize"

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike | None = None, device: str = "auto",
                        size: int | None = None, strength: float = 1.0,
                        upsample: str = "guided") -> "Colorizer":
        """A checkpoint of ``inpaint train --task colorize`` (``None``: the shipped model).
        ``size``: the side the model runs at (a multiple of its stride; default its training
        size); ``strength``: chroma scale (1 = as predicted); ``upsample``: ``guided`` (colour
        follows the photo's edges) or ``bilinear``."""
        from inpaint.colorize.model import colorize_engine
        from inpaint.default_model import resolve_colorize_checkpoint

        path = resolve_colorize_checkpoint(path)
        engine = colorize_engine(path, device, size=size, strength=strength, upsample=upsample)
        return cls(engine, f"colorize:{path.name}")

    def convert_photo(self, photo: Photo):
        from inpaint.colorize.photo import colorize_photo

        return colorize_photo(self.engine, photo)

    def colorize(self, image):
        """Colourise a PIL image or a numpy array; returns the same kind (see the class docstring)."""
        return self._convert(image)


class Translator(_PhotoConverter):
    """Paired translation (A → B) of photos with a model of ``inpaint train --task paired``::

        Translator.from_checkpoint("facades.pt").translate(Image.open("labels.png"))

    Inputs and outputs as :class:`Colorizer`; the output is the photo's size."""

    verb = "translate"

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike, device: str = "auto", size: int | None = None,
                        fit: str = "pad") -> "Translator":
        """``size``: as :meth:`Colorizer.from_checkpoint`; ``fit``: ``pad`` (aspect ratio kept,
        reflection padding) or ``stretch`` (resized to a square)."""
        from inpaint.colorize.model import translate_engine

        engine = translate_engine(path, device, size=size, fit=fit)
        return cls(engine, f"translate:{os.path.basename(path)}")

    def convert_photo(self, photo: Photo):
        from inpaint.colorize.photo import translate_photo

        return translate_photo(self.engine, photo)

    def translate(self, image):
        """Translate a PIL image or a numpy array; returns the same kind."""
        return self._convert(image)
