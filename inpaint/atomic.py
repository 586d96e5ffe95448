"""Atomic file writes (temporary file beside the target, then rename): the implementation lives
in :mod:`masks.atomic` (standard library only), shared by both packages."""

from __future__ import annotations

import os

from masks.atomic import (append_line, atomic_open, atomic_path, describe_os_error, remove_stale_temps,
                          temp_pattern, write_bytes_atomic)

__all__ = ["append_line", "atomic_open", "atomic_path", "atomic_write_bytes", "atomic_write_text",
           "describe_os_error", "remove_stale_temps", "temp_pattern"]

atomic_write_bytes = write_bytes_atomic


def atomic_write_text(target: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))
