"""Crypto-shredding helpers (SECURITY.md property 6).

On journaling or copy-on-write file systems and SSDs an overwrite may not
reach the original blocks; that is why probidad shreds *keys* (destroying a
KEK or every wrapped copy of a DEK makes the ciphertext useless) and treats
file overwriting as defence in depth only.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

_BLOCK = 65536


def wipe(buf: bytearray | memoryview) -> None:
    """Overwrite a mutable buffer with zeros in place.

    Python may hold other copies of the data (immutable ``bytes``, the
    allocator); this limits exposure, it does not guarantee erasure.
    """
    view = memoryview(buf).cast("B")
    if view.readonly:
        raise TypeError("wipe needs a writable buffer")
    view[:] = bytes(len(view))


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def destroy_file(path: str | os.PathLike[str], *, missing_ok: bool = False) -> None:
    """Overwrite a regular file with random bytes, fsync it, then unlink it.

    Symlinks are refused (``O_NOFOLLOW``) so a planted link cannot make us
    overwrite another file.  A missing file raises FileNotFoundError unless
    ``missing_ok``.
    """
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"not a regular file: {target.name}")
        size = info.st_size
        written = 0
        while written < size:
            written += os.write(fd, os.urandom(min(_BLOCK, size - written)))
        os.fsync(fd)
    finally:
        os.close(fd)
    target.unlink()
    _fsync_dir(target.parent)
