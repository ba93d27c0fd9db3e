"""Where things live inside an index folder, the single-writer lock, and the atomic generation swap."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsdex.errors import IndexBusy as IndexBusy  # re-exported: defined with the other errors
from newsdex.errors import IndexReadOnly as IndexReadOnly
from newsdex.errors import NotAnIndex as NotAnIndex

MARKER = "newsdex-index.json"  # what says "newsdex made this folder": its format and the version that made it
INDEX_FORMAT = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"


MANIFEST = "manifest.sqlite"
# A manifest rebuilt by `check --repair`, beside the live one until the rebuild that completes it is swapped in.
REPAIR_MANIFEST = ".manifest-repairing.sqlite"


@dataclass(frozen=True)
class IndexPaths:
    root: Path
    manifest_name: str = MANIFEST  # REPAIR_MANIFEST while a repair builds beside the live index

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def gens(self) -> Path:
        return self.root / "gens"

    @property
    def manifest(self) -> Path:
        return self.root / self.manifest_name

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def lock(self) -> Path:
        return self.root / "write.lock"

    @property
    def marker(self) -> Path:
        return self.root / MARKER

    def live_generation(self) -> Path | None:
        """The Whoosh folder readers should open, or None before the first ingest."""
        try:
            target = os.readlink(self.current)
        except OSError:
            return None
        return (self.root / target) if not os.path.isabs(target) else Path(target)

    def new_generation(self) -> Path:
        self.gens.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name) for p in self.gens.iterdir() if p.name.isdigit()]
        path = self.gens / f"{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        return path


def live_generation_name(paths: IndexPaths) -> str | None:
    live = paths.live_generation()
    return live.name if live is not None else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Whoosh never fsyncs; do it before a generation becomes visible."""
    for entry in path.iterdir():
        if entry.is_file():
            with open(entry, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def swap_generation(paths: IndexPaths, generation: Path) -> Path | None:
    """Point ``current`` at ``generation`` atomically (rename of a symlink); returns the previous target."""
    previous = paths.live_generation()
    fsync_tree(generation)
    tmp = paths.root / f".current.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(generation, paths.root), tmp)
    os.replace(tmp, paths.current)
    _fsync_dir(paths.root)
    return previous


def drop_generations(paths: IndexPaths, keep: Path | None) -> None:
    """Remove generations other than the live one (open readers keep their files until they close them)."""
    if not paths.gens.is_dir():
        return
    for gen in paths.gens.iterdir():
        if keep is not None and gen.resolve() == keep.resolve():
            continue
        shutil.rmtree(gen, ignore_errors=True)


@contextmanager
def held_or_take(paths: IndexPaths, held: bool) -> Iterator[None]:
    """The flows take the write lock themselves unless their caller (the CLI) already holds it: a second
    flock on another descriptor in the same process would conflict with the first."""
    if held:
        yield
        return
    with writer_lock(paths):
        yield


def marker_format(paths: IndexPaths) -> int | None:
    """The index format the folder's marker names; None without a marker (or one that does not read)."""
    try:
        found = json.loads(paths.marker.read_text(encoding="utf-8"))
        return int(found["format"]) if isinstance(found, dict) and found.get("kind") == "newsdex-index" else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _earlier_index(paths: IndexPaths) -> bool:
    """An index an earlier newsdex made (before the marker): its manifest is an SQLite file, or ``current`` is
    the link into ``gens`` that newsdex swaps."""
    try:
        with open(paths.manifest, "rb") as fh:
            if fh.read(16) == _SQLITE_MAGIC:
                return True
    except OSError:
        pass
    try:
        target = os.readlink(paths.current)
    except OSError:
        return False
    return Path(target).parts[:1] == ("gens",)


def claim(paths: IndexPaths) -> None:
    """Make sure newsdex may write into ``paths.root``: a new or empty folder gets the marker; a folder with the
    marker, or an index of an earlier version (adopted: the marker is added), is ours; anything else is
    NotAnIndex, and nothing is written. Every writer calls this before its first write (``writer_lock``)."""
    found = marker_format(paths)
    if found is not None:
        if found > INDEX_FORMAT:
            raise NotAnIndex(
                f"{paths.root} holds an index of format {found}, newer than this newsdex writes "
                f"(format {INDEX_FORMAT}); upgrade newsdex"
            )
        return
    try:
        entries = os.listdir(paths.root)
    except FileNotFoundError:
        entries = []
    except NotADirectoryError:
        raise NotAnIndex(f"{paths.root} is a file, not an index folder") from None
    if entries and not _earlier_index(paths):
        raise NotAnIndex(
            f"{paths.root} is not empty and is not a newsdex index (no {MARKER}): newsdex writes only "
            "into a folder it made; name a new or empty folder"
        )
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        _write_marker(paths)
    except PermissionError as exc:
        raise IndexReadOnly(f"index folder {paths.root} cannot be written: {exc.strerror}") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise IndexReadOnly(f"index folder {paths.root} is on a read-only file system") from None
        raise


def _write_marker(paths: IndexPaths) -> None:
    from newsdex import version

    body = json.dumps({"kind": "newsdex-index", "format": INDEX_FORMAT, "made_by": f"newsdex {version()}"})
    tmp = paths.root / f".{MARKER}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(body + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, paths.marker)


@contextmanager
def writer_lock(paths: IndexPaths, wait: bool = False, timeout: float = 3600.0) -> Iterator[None]:
    """Hold the index's write lock. ``wait=False`` fails at once with IndexBusy naming the holder. The folder
    is claimed first (``claim``): a folder newsdex did not make is never written into."""
    claim(paths)
    try:
        fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise IndexReadOnly(f"index folder {paths.root} cannot be written: {exc.strerror}") from None
        raise
    try:
        _flock(fd, fcntl.LOCK_EX, paths, wait, timeout)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


@contextmanager
def reader_lock(paths: IndexPaths, wait: bool = False, timeout: float = 3600.0) -> Iterator[None]:
    """A shared hold on the write lock, for a consistent read (``check``) that writes nothing: no writer runs
    meanwhile, and a read-only index folder can be checked (the lock file is opened read-only; an index that
    never had a writer has none, and needs none)."""
    try:
        fd = os.open(paths.lock, os.O_RDONLY)
    except FileNotFoundError:
        yield
        return
    try:
        _flock(fd, fcntl.LOCK_SH, paths, wait, timeout)
        yield
    finally:
        os.close(fd)


def _flock(fd: int, kind: int, paths: IndexPaths, wait: bool, timeout: float) -> None:
    """Take ``kind`` (exclusive or shared) on the lock file ``fd``; IndexBusy naming the writer's pid when
    another writer holds it (at once, or after ``timeout`` seconds with ``wait``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if not wait or time.monotonic() > deadline:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                raise IndexBusy(
                    f"another newsdex writer (pid {holder}) is using {paths.root}; retry later or pass --wait"
                ) from None
            time.sleep(0.5)
