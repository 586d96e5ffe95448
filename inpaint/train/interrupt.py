"""Ctrl-C during training: finish the running step, then stop cleanly.

A KeyboardInterrupt raised in the middle of a step can leave the generator updated and the
discriminator not (or an optimiser half-way), so a checkpoint written then would not be a
step of the run. The first SIGINT only sets a flag that the loop reads after each step; a
second one interrupts at once, as usual.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def interrupt_guard() -> Iterator[Callable[[], bool]]:
    """Yield ``interrupted()``: True once SIGINT was received inside the block.

    Outside the main thread (where no signal handler can be installed) it stays False and
    Ctrl-C behaves as usual."""
    state = {"hit": False}
    if threading.current_thread() is not threading.main_thread():
        yield lambda: state["hit"]
        return

    def handler(signum, frame):
        if state["hit"]:
            raise KeyboardInterrupt
        state["hit"] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: state["hit"]
    finally:
        signal.signal(signal.SIGINT, previous)
