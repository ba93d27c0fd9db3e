"""A full disk (or a read-only one) under the index: said in one line, exit 1, never an internal error. Every
write commits Whoosh first and the manifest second, each atomically, so a write that fails for want of space
leaves the index as it was; reads keep working (the manifest is opened read-only, ``manifest._open_readonly``).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

# Below this, a writer does not start: its first manifest transaction or segment would fail part way.
MIN_FREE = 1024 * 1024
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# SQLite says "disk I/O error" when the disk fills while it grows its log or shared memory: full only if the
# file system is (nearly) out of space; otherwise a real I/O error, left to be reported as one.
_SQLITE_FULL = ("database or disk is full", "disk I/O error")


def free_bytes(root: Path) -> int | None:
    """Bytes an unprivileged writer may still use on the file system holding ``root`` (or its nearest existing
    parent); None when it cannot be told."""
    for part in (root, *root.parents):
        try:
            st = os.statvfs(part)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 20:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return seen


def disk_full(exc: BaseException, root: Path) -> str | None:
    """The one line a failure means when the index's disk is full, else None."""
    for err in _chain(exc):
        if isinstance(err, OSError) and err.errno in _FULL_ERRNOS:
            return (
                f"the disk holding {root} is full ({err.strerror}); the index is unchanged: free space, then "
                "run it again"
            )
        if isinstance(err, sqlite3.OperationalError) and any(s in str(err) for s in _SQLITE_FULL):
            free = free_bytes(root)
            if "full" in str(err) or (free is not None and free < MIN_FREE):
                return f"the disk holding {root} is full ({err}); the index is unchanged: free space, then run it again"
    return None


def read_only(exc: BaseException, root: Path) -> str | None:
    """The one line a failure means when the index folder cannot be written (a read-only mount), else None."""
    for err in _chain(exc):
        if isinstance(err, OSError) and err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"index folder {root} cannot be written ({err.strerror})"
        if isinstance(err, sqlite3.OperationalError) and "readonly" in str(err):
            return f"index folder {root} cannot be written ({err})"
    return None


def check_space(root: Path) -> None:
    """Before a writer starts: an OSError(ENOSPC) when the disk has no room for even one batch."""
    free = free_bytes(root)
    if free is not None and free < MIN_FREE:
        raise OSError(errno.ENOSPC, f"No space left on device: {free} bytes free")
