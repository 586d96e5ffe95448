"""Listen and serve: the socket is bound before the (slow) model load, so a port in use is one
error line at once; uvicorn then serves the app on it."""

from __future__ import annotations

import socket

from inpaint.errors import InpaintError
from inpaint.serve.config import ServeConfig

MISSING_EXTRA = "inpaint serve needs the serve extra: pip install \"inpaint[serve]\" (Starlette, uvicorn, python-multipart)"


def require_server_packages() -> None:
    """One :class:`InpaintError` line when the ``serve`` extra is not installed."""
    try:
        import python_multipart  # noqa: F401  (python-multipart: Starlette parses forms with it)
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise InpaintError(MISSING_EXTRA) from None


def bind(config: ServeConfig) -> socket.socket:
    """A listening socket on ``config.host``:``config.port`` (port 0: any free port)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise InpaintError(f"cannot listen on {config.host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)  # connections made before uvicorn starts wait here
    except OSError as exc:
        sock.close()
        raise InpaintError(f"cannot listen on {config.host}:{config.port}: {exc.strerror}"
                           f"{' (try another --port)' if exc.errno in (98, 48) else ''}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve_forever(app, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C (uvicorn, access log off)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown: that is a normal stop
        pass
