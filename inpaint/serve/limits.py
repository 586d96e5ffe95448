"""Request-size guards: bodies over the limit are refused (413) from their ``Content-Length``
before any byte is read, or — when the client sends no length (chunked) — as soon as the bytes
counted so far pass it; photos and masks over the pixel limit are refused from their header."""

from __future__ import annotations

from typing import BinaryIO

from PIL import Image


class TooLarge(Exception):
    """A request or an image over the server's limits (HTTP 413)."""


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body. A body that passes the limit
    while streaming raises :class:`TooLarge` from ``receive`` inside the route, so the route's
    error handling answers 413."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await _refuse(send, f"the upload is {_mb(int(length))}, over the server's limit of "
                                       f"{_mb(self.limit)}")
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise TooLarge(f"the upload is over the server's limit of {_mb(self.limit)}")
            return message

        await self.app(scope, counted, send)


async def _refuse(send, message: str) -> None:
    import json

    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def check_pixels(fh: BinaryIO, what: str, limit: int) -> None:
    """:class:`TooLarge` when the image in ``fh`` has more than ``limit`` pixels; reads only its
    header (files that are not images are left for the reader to report)."""
    try:
        with Image.open(fh) as img:
            width, height = img.size
    except Image.DecompressionBombError:
        raise TooLarge(f"the {what} is over the server's limit of {limit / 1e6:g} MP") from None
    except Exception:  # not an image, or corrupt: the photo/mask reader words that error
        return
    finally:
        fh.seek(0)
    if width * height > limit:
        raise TooLarge(f"the {what} is {width}×{height} = {width * height / 1e6:.1f} MP, over the server's "
                       f"limit of {limit / 1e6:g} MP")
