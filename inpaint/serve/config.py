"""Settings of ``inpaint serve`` (torch- and Starlette-free, so ``inpaint serve --help`` shows
the defaults without loading either). The upload limits are defined here only."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000          # upload limits are decimal: 100 MB, 100 MP
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServeConfig:
    """``host``/``port``: where to listen (localhost by default: nothing else on the network can
    reach it); ``max_upload_mb``: largest request body, in MB (larger ones get 413 unread);
    ``max_megapixels``: largest photo or mask, in millions of pixels (checked from the file's
    header, before decoding); ``workers``: fills that run at once; ``queue``: requests that may
    wait for a worker beyond those (more get 503), so memory stays bounded."""

    host: str = "127.0.0.1"
    port: int = 8080
    max_upload_mb: float = 100
    max_megapixels: float = 100
    workers: int = 1
    queue: int = 32

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)

    @property
    def max_pixels(self) -> int:
        return int(self.max_megapixels * 1_000_000)

    @property
    def local_only(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    def allowed_hosts(self) -> list[str]:
        """``Host`` headers accepted: on a loopback address only local names, so a web page
        elsewhere cannot reach the server through DNS rebinding."""
        return ["127.0.0.1", "localhost", "[::1]", "::1"] if self.local_only else ["*"]
