"""The web server's readers: a few threads, each with its own Archive (its searcher and memos), that answer the
requests. No lock is held across requests: a request waits only for a free thread, and two requests on two
threads read the index side by side (SQLite and file reads release the GIL)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from newsdex.reading.archive import Archive
from newsdex.search_cli.options import alias_names

T = TypeVar("T")
DEFAULT_THREADS = 2  # per process: each holds its own searcher's memory; more with --threads (docs/web.md)
MAX_THREADS = 64


class Readers:
    """``threads`` worker threads over the index folder ``root``; ``run(fn, ...)`` calls ``fn(archive, ...)`` on
    one of them with that thread's Archive, made on the thread's first request."""

    def __init__(self, root: Path, threads: int = DEFAULT_THREADS) -> None:
        self.root = root
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="newsdex-reader")
        self._made: list[Archive] = []
        self._making = threading.Lock()  # taken once per thread, when it makes its Archive: never per request

    def archive(self) -> Archive:
        """This thread's Archive."""
        found: Archive | None = getattr(self._local, "archive", None)
        if found is None:
            # With mmap, as one process's searcher had: faster queries; each thread's searcher holds its own copy
            # of the segments' terms and postings (the memory per thread: docs/web.md).
            found = self._local.archive = Archive(self.root, aliases=alias_names)
            with self._making:
                self._made.append(found)
        return found

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(archive, *args)`` on a reader thread, awaited without holding the event loop."""
        return await asyncio.wrap_future(self._pool.submit(lambda: fn(self.archive(), *args)))

    def close(self) -> None:
        """Let the threads finish their requests, then close every Archive."""
        self._pool.shutdown(wait=True)
        with self._making:
            for archive in self._made:
                archive.close()
            self._made.clear()
