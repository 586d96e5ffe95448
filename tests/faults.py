"""Fault injection for the reliability tests: a full disk, and the files a killed write leaves.

A full disk is simulated where every toolkit write goes through: the file object of
:func:`masks.atomic.atomic_open` accepts a few bytes, then raises ``OSError(ENOSPC)`` as the
kernel does, and appends (``os.write``) write half their bytes and then fail.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import masks.atomic

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullFile:
    """A binary file that takes ``room`` bytes, then fails every write with ENOSPC."""

    def __init__(self, path, room: int):
        self._fh = open(path, "wb")
        self.room = room

    def write(self, data) -> int:
        data = bytes(data)
        if len(data) > self.room:
            self._fh.write(data[:self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name):  # flush, tell, seek, fileno... as a real file
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


def fill_disk(monkeypatch, room: int = 100, only: str | None = None) -> None:
    """From now on atomic writes (of targets whose name contains ``only``) hit a full disk."""
    real = masks.atomic._open_for_write

    def opener(path: Path):
        # ``path`` is the temporary file ``.<target>.<8 random chars><suffix>``: match the target's
        # name, not the random part (which can end in, say, ``c`` and so contain ``c.png``)
        target = Path(path).name[1:].rsplit(".", 2)[0] if Path(path).name.startswith(".") else Path(path).name
        if only is None or only in target:
            return FullFile(path, room)
        return real(path)

    monkeypatch.setattr(masks.atomic, "_open_for_write", opener)


def torn_appends(monkeypatch) -> None:
    """``os.write`` writes half of what it is given, then reports ENOSPC (a disk filling up)."""
    real = os.write

    def write(fd, data):
        real(fd, data[:len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(masks.atomic.os, "write", write)


def killed_write_leftover(target: Path, suffix: str | None = None) -> Path:
    """The temporary file a process killed while writing ``target`` leaves (same naming as
    :func:`masks.atomic.atomic_path`)."""
    target = Path(target)
    leftover = target.parent / f".{target.name}.k1ll3d_x{suffix or target.suffix}"
    leftover.write_bytes(b"half a file")
    return leftover
