"""A bounded fill queue: ``workers`` fills run at once in their own threads; up to ``waiting``
more requests wait their turn; any further request is refused at once (:class:`QueueFull`,
HTTP 503). Requests are admitted before their upload is read, so a refused one costs nothing,
and an admitted one holds only its upload (spooled to disk) until its turn."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


class QueueFull(Exception):
    """Every worker is busy and the queue is full (HTTP 503)."""


class FillQueue:
    def __init__(self, workers: int, waiting: int):
        if workers < 1 or waiting < 0:
            raise ValueError(f"workers must be ≥ 1 and waiting ≥ 0, got {workers}, {waiting}")
        self.capacity = workers + waiting
        self._admitted = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inpaint-fill")

    @property
    def admitted(self) -> int:
        """Requests running or waiting now."""
        return self._admitted

    @contextmanager
    def admit(self):
        """Hold a place (running or waiting) for one request, or raise :class:`QueueFull`."""
        with self._lock:
            if self._admitted >= self.capacity:
                raise QueueFull(f"the server is busy ({self.capacity} fills running or waiting): try again shortly")
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    async def run(self, fn, *args):
        """``fn(*args)`` on a worker thread, once one is free."""
        return await asyncio.wrap_future(self._pool.submit(fn, *args))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
