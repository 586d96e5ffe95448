"""The routes of ``inpaint serve``. They parse the request and call the shared fill pipeline
(:func:`inpaint.fill.pipeline.fill_upload`) or colourisation
(:func:`inpaint.colorize.photo.colorize_upload`); no path from a request ever reaches the file
system (uploads are read from memory or Starlette's anonymous spool files, and the page's
assets come from the package).

API (every error is JSON ``{"error": "…"}`` with a 4xx status; 5xx only for a bug):

* ``GET /api/methods`` → ``{"methods": [{"name", "label"}], "default", "unavailable": {name: why},
  "limits": {"max_upload_bytes", "max_pixels"}, "colorize": true/false, "version"}``
  (``unavailable["colorize"]`` says why there is no colouriser).
* ``POST /api/fill`` multipart: ``image`` (a photo file), ``mask`` (a mask file: white / 255 =
  hole, or transparent = hole), optional ``method`` (from ``/api/methods``; default: its
  ``default``), ``invert``, ``resize_mask`` (``1``/``0``), ``dilate`` (px) → ``image/png``, the
  filled photo: lossless, known pixels bit-exact, alpha, 16 bits, palette and EXIF kept (the
  rules of ``inpaint fill``). Headers: ``X-Inpaint-Method``, ``X-Inpaint-Seconds``,
  ``X-Inpaint-Notes`` (a JSON list).
* ``POST /api/colorize`` multipart: ``image`` → ``image/png``, the photo colourised from its
  luminance, which it keeps (the rules of ``inpaint colorize``: alpha, EXIF kept; 8-bit RGB).
  Headers ``X-Inpaint-Seconds``, ``X-Inpaint-Notes``. 400 as for a fill, and when the server
  has no colourisation model.
* ``POST /api/mask`` multipart: ``mask``, ``width``, ``height`` and the optional ``invert``,
  ``resize_mask``, ``dilate`` → the mask as the fill will use it, a greyscale PNG (255 = hole):
  how the page shows an uploaded mask.

400: a missing or bad field, not an image, a size mismatch, an unknown method, nothing to fill
from; 413: over the upload or pixel limit; 503: the fill queue is full.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from inpaint import __version__
from inpaint.colorize.photo import colorize_upload
from inpaint.errors import InpaintError
from inpaint.fill.pipeline import fill_upload
from inpaint.fill.settings import MAX_DILATE, FillSettings
from inpaint.fill.user_mask import fit_mask_to
from inpaint.serve.config import ServeConfig
from inpaint.serve.jobs import FillQueue, QueueFull
from inpaint.serve.limits import BodyLimit, TooLarge, check_pixels
from inpaint.serve.methods import COLORIZE, Methods
from masks.errors import MaskError
from masks.io import encode_png, read_mask

STATIC = Path(__file__).resolve().parent / "static"
RESIZE_HINT = "send resize_mask=1 to scale it"
MAX_FIELDS = 16  # a fill has at most 6 fields; more is not the page or a script of ours
MAX_SIDE = 1 << 16
log = logging.getLogger("inpaint.serve")


class BadRequest(InpaintError):
    """A field that is missing or malformed (HTTP 400)."""


def _file(form, name: str, fields: str = "the fields image and mask") -> UploadFile:
    value = form.get(name)
    if value is None:
        raise BadRequest(f"missing field {name!r} (send multipart/form-data with {fields})")
    if not isinstance(value, UploadFile):
        raise BadRequest(f"field {name!r} must be a file upload, not text")
    return value


def _flag(form, name: str) -> bool:
    value = str(form.get(name, "")).strip().lower()
    if value in ("", "0", "false", "off", "no"):
        return False
    if value in ("1", "true", "on", "yes"):
        return True
    raise BadRequest(f"field {name!r} must be 1 or 0, got {value[:40]!r}")


def _int(form, name: str, low: int, high: int, default: int | None = None) -> int:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise BadRequest(f"missing field {name!r}")
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadRequest(f"field {name!r} must be a whole number, got {str(value)[:40]!r}") from None
    if not low <= number <= high:
        raise BadRequest(f"field {name!r} must be {low}–{high}, got {number}")
    return number


def _settings(form) -> FillSettings:
    return FillSettings(invert=_flag(form, "invert"), resize_mask=_flag(form, "resize_mask"),
                        dilate=_int(form, "dilate", 0, MAX_DILATE, default=0))


def _fill_job(painter, image, mask, settings: FillSettings, max_pixels: int):
    check_pixels(image, "photo", max_pixels)
    check_pixels(mask, "mask", max_pixels)
    start = time.perf_counter()
    png, notes = fill_upload(painter, image, mask, settings, RESIZE_HINT)
    return png, notes, time.perf_counter() - start


def _colorize_job(engine, image, max_pixels: int):
    check_pixels(image, "photo", max_pixels)
    start = time.perf_counter()
    png, notes = colorize_upload(engine, image)
    return png, notes, time.perf_counter() - start


def _result(png: bytes, notes: list[str], seconds: float, filename: str, **headers) -> Response:
    return Response(png, media_type="image/png", headers={
        **headers, "X-Inpaint-Seconds": f"{seconds:.3f}", "X-Inpaint-Notes": json.dumps(notes),
        "Cache-Control": "no-store", "Content-Disposition": f'inline; filename="{filename}"'})


def _mask_job(mask, size, settings: FillSettings, max_pixels: int) -> bytes:
    check_pixels(mask, "mask", max_pixels)
    hole = read_mask(mask, "mask", settings.invert)
    return encode_png(fit_mask_to(hole, size, "mask", settings.resize_mask, settings.dilate, RESIZE_HINT))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _closing(queue: FillQueue):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        queue.close()
    return lifespan


def create_app(config: ServeConfig, methods: Methods) -> Starlette:
    """The ASGI app: the page, its assets and the API, with ``methods`` loaded once."""
    queue = FillQueue(config.workers, config.queue)

    async def index(request: Request):
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def api_methods(request: Request):
        return JSONResponse({
            "methods": [{"name": name, "label": methods.labels.get(name, name)} for name in methods.painters],
            "default": methods.default,
            "unavailable": methods.unavailable,
            "limits": {"max_upload_bytes": config.max_upload_bytes, "max_pixels": config.max_pixels},
            "colorize": methods.colorizer is not None,
            "version": __version__,
        })

    async def api_fill(request: Request):
        with queue.admit():
            async with request.form(max_files=MAX_FIELDS, max_fields=MAX_FIELDS) as form:
                image, mask = _file(form, "image"), _file(form, "mask")
                name, painter = methods.get(str(form.get("method", "")).strip() or None)
                png, notes, seconds = await queue.run(_fill_job, painter, image.file, mask.file,
                                                      _settings(form), config.max_pixels)
        return _result(png, notes, seconds, "filled.png", **{"X-Inpaint-Method": name})

    async def api_colorize(request: Request):
        if methods.colorizer is None:
            raise BadRequest(f"this server cannot colourise: {methods.unavailable.get(COLORIZE, 'no model')}")
        with queue.admit():
            async with request.form(max_files=MAX_FIELDS, max_fields=MAX_FIELDS) as form:
                image = _file(form, "image", "the field image")
                png, notes, seconds = await queue.run(_colorize_job, methods.colorizer, image.file,
                                                      config.max_pixels)
        return _result(png, notes, seconds, "colourised.png")

    async def api_mask(request: Request):
        with queue.admit():
            async with request.form(max_files=MAX_FIELDS, max_fields=MAX_FIELDS) as form:
                mask = _file(form, "mask")
                size = (_int(form, "height", 1, MAX_SIDE), _int(form, "width", 1, MAX_SIDE))
                png = await queue.run(_mask_job, mask.file, size, _settings(form), config.max_pixels)
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    async def on_user_error(request, exc):
        return _error(400, str(exc))

    async def on_too_large(request, exc):
        return _error(413, str(exc))

    async def on_busy(request, exc):
        return _error(503, str(exc))

    async def on_http(request, exc):
        return _error(exc.status_code, exc.detail if isinstance(exc.detail, str) else str(exc.detail))

    async def on_bug(request, exc):
        log.exception("fill failed", exc_info=exc)
        return _error(500, f"internal error: {exc.__class__.__name__} (see the server's log)")

    app = Starlette(
        routes=[Route("/", index), Route("/api/methods", api_methods),
                Route("/api/fill", api_fill, methods=["POST"]), Route("/api/mask", api_mask, methods=["POST"]),
                Route("/api/colorize", api_colorize, methods=["POST"]),
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=config.allowed_hosts()),
                    Middleware(BodyLimit, limit=config.max_upload_bytes)],
        exception_handlers={InpaintError: on_user_error, MaskError: on_user_error, TooLarge: on_too_large,
                            QueueFull: on_busy, HTTPException: on_http, Exception: on_bug},
        lifespan=_closing(queue))
    app.state.queue = queue
    return app
