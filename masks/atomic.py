"""Atomic file writes: write to a temporary file beside the target, then rename.

A crash or an error half-way never leaves a truncated file at the target path, and an
existing file is only replaced once the new one is complete. Standard library only: this is the
one implementation, used by :mod:`masks` and re-exported by :mod:`inpaint.atomic`.

Temporary files are named ``.<target name>.<8 random chars><suffix>``. A process killed
mid-write leaves one behind; the next write of the same target removes it
(:func:`remove_stale_temps`), so one writer per target is assumed.

Every ``OSError`` raised while writing is re-raised with the *target* as its file name (the
user knows that name, not the temporary one); :func:`describe_os_error` words it for people.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

# tempfile.mkstemp's random part: 8 characters of this alphabet
_RANDOM = r"[a-z0-9_]{8}"


def default_mode(directory: bool = False) -> int:
    """Permissions a plain ``open()``/``mkdir()`` would give (``mkstemp``/``mkdtemp`` use 0600/0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def temp_pattern(name_regex: str, suffix_regex: str) -> re.Pattern:
    """Names of this module's temporary files for targets whose name matches ``name_regex``."""
    return re.compile(rf"^\.(?:{name_regex})\.{_RANDOM}(?:{suffix_regex})$")


def remove_stale_temps(folder: str | os.PathLike, pattern: re.Pattern) -> list[Path]:
    """Delete the leftover temporary files in ``folder`` whose name matches ``pattern`` (see
    :func:`temp_pattern`); only plain files, never anything else. Returns what was removed."""
    folder = Path(folder)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed


def _suffix(target: Path, suffix: str | None) -> str:
    return (target.suffix if suffix is None else suffix) or ".tmp"


def _with_target(exc: OSError, target: Path) -> OSError:
    """The same error, naming ``target`` (not the temporary file) as its file."""
    return OSError(exc.errno, exc.strerror or str(exc), str(target))


@contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto ``target``.

    ``suffix`` defaults to the target's own suffix, so writers that pick a format from the
    extension (PIL, OpenCV) still see the right one.
    """
    target = Path(target)
    suffix = _suffix(target, suffix)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temps(folder, temp_pattern(re.escape(target.name), re.escape(suffix)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=folder)
    except OSError as exc:
        raise _with_target(exc, target) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, default_mode())
        os.replace(tmp_path, target)
    except OSError as exc:
        raise _with_target(exc, target) from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _open_for_write(path: Path) -> BinaryIO:
    """The file object writers write through (one place, so tests can simulate a full disk)."""
    return open(path, "wb")


class _WriteThrough:
    """A binary file that remembers the first ``OSError`` of its writes and has no ``fileno``.

    Without ``fileno`` every writer goes through :meth:`write` (PIL otherwise encodes straight
    to the descriptor and reports a full disk as "encoder error -2"); the remembered error is
    the real cause when a writer later fails with its own message (torch's zip writer says
    "unexpected pos" when a write failed under it)."""

    def __init__(self, fh):
        self._fh = fh
        self.error: OSError | None = None

    def write(self, data) -> int:
        try:
            return self._fh.write(data)
        except OSError as exc:
            self.error = self.error or exc
            raise

    def __getattr__(self, name):
        if name == "fileno":
            raise AttributeError(name)
        return getattr(self._fh, name)


@contextmanager
def atomic_open(target: str | os.PathLike, suffix: str | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file open on a temporary file beside ``target``; renamed onto it on success.

    Writers that take a file object (``torch.save``, ``PIL.Image.save``) should use this rather
    than :func:`atomic_path`: a full disk is then always the ``OSError(ENOSPC)`` it is, naming
    ``target``, while some writers given a path report it as an unrelated ``RuntimeError``."""
    with atomic_path(target, suffix) as tmp:
        with _open_for_write(tmp) as raw:
            fh = _WriteThrough(raw)
            try:
                yield fh
            except Exception:
                if fh.error is not None:
                    raise fh.error from None
                raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then ``os.replace`` it onto ``path``."""
    with atomic_open(path) as fh:
        fh.write(data)


def append_line(path: str | os.PathLike, line: str) -> None:
    """Append ``line`` plus a newline to ``path`` as a whole line or not at all.

    One ``os.write`` on an ``O_APPEND`` descriptor; when it fails or writes only part (full
    disk), the file is truncated back to its length before, so readers never see a torn line."""
    path = Path(path)
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, default_mode())
    except OSError as exc:
        raise _with_target(exc, path) from None
    try:
        before = os.fstat(fd).st_size
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as exc:
            try:
                os.ftruncate(fd, before)
            except OSError:
                pass
            raise _with_target(exc, path) from None
    finally:
        os.close(fd)


def describe_os_error(exc: OSError) -> str:
    """One line for people: what failed, on which file, and why (a full disk said plainly)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full (ENOSPC)" if exc.errno == errno.ENOSPC else "the disk quota is exceeded (EDQUOT)"
        return f"cannot write {exc.filename}: {why}" if exc.filename else f"cannot write: {why}"
    else:
        reason = exc.strerror or str(exc)
        code = errno.errorcode.get(exc.errno or -1)
        if code and code not in reason:
            reason = f"{reason} ({code})"
    return f"{exc.filename}: {reason}" if exc.filename else reason
