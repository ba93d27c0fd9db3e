"""Where things live inside an index folder, the single-writer lock, and the atomic generation swap."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsdex.errors import IndexBusy as IndexBusy  # re-exported: defined with the other errors


@dataclass(frozen=True)
class IndexPaths:
    root: Path

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def gens(self) -> Path:
        return self.root / "gens"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.sqlite"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def lock(self) -> Path:
        return self.root / "write.lock"

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


@contextmanager
def writer_lock(paths: IndexPaths, wait: bool = False, timeout: float = 3600.0) -> Iterator[None]:
    """Hold the index's write lock. ``wait=False`` fails at once with IndexBusy naming the holder."""
    paths.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if not wait or time.monotonic() > deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                    raise IndexBusy(
                        f"another newsdex writer (pid {holder}) is using {paths.root}; retry later or pass --wait"
                    ) from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock
