"""Atomic file writes: write to a temporary file beside the target, then rename.

A crash or an error half-way never leaves a truncated file at the target path, and an
existing file is only replaced once the new one is complete. Standard library only: this is the
one implementation, used by :mod:`masks` and re-exported by :mod:`inpaint.atomic`.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def default_mode(directory: bool = False) -> int:
    """Permissions a plain ``open()``/``mkdir()`` would give (``mkstemp``/``mkdtemp`` use 0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


@contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto ``target``.

    ``suffix`` defaults to the target's own suffix, so writers that pick a format from the
    extension (PIL, OpenCV) still see the right one.
    """
    target = Path(target)
    suffix = (target.suffix if suffix is None else suffix) or ".tmp"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, default_mode())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then ``os.replace`` it onto ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
