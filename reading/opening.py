"""Opening an index folder to read: the live Whoosh generation (retrying a race with a commit), its searcher
kept and reopened when a writer committed, and the manifest, read-only. A missing index is IndexMissing, a
damaged one IndexDamaged, whatever the underlying error was."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from newsdex.errors import IndexDamaged, IndexMissing
from newsdex.index import whoosh_internals as internals
from newsdex.index.check import generation_problem
from newsdex.index.damage import manifest_guard
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import Manifest, open_readonly
from newsdex.reading import caches


def open_index(root: Path, attempts: int = 5, mmap: bool = False):  # -> whoosh.index.FileIndex
    """Open the live generation; a reader racing a commit can rarely see a vanished file, so retry.

    ``mmap=False`` (default) reads segments through ordinary file reads. With ``mmap=True`` Whoosh copies
    each segment's terms and postings out of the mapping into memory when a searcher opens (~0.3 s and
    ~0.5 GB at 50k documents) and queries then run ~20% faster: only worth it for a process that searches
    many times (see ``Searchers``)."""
    paths = IndexPaths(root)
    for attempt in range(attempts):
        live = paths.live_generation()
        if live is None:
            raise _without_generation(root)
        try:
            if not whoosh_index.exists_in(live):  # or a rebuild swapped `current` and dropped it: look again
                raise FileNotFoundError(f"{live} holds no index")
            return FileStorage(str(live), supports_mmap=mmap, readonly=True).open_index()
        except FileNotFoundError as exc:
            if attempt == attempts - 1:
                raise damaged_generation(root, exc) from None
            time.sleep(0.05 * (attempt + 1))
        except Exception as exc:  # a table of contents that does not read: damage, not a crash
            raise damaged_generation(root, exc) from None
    raise AssertionError("unreachable")


def _without_generation(root: Path) -> IndexMissing | IndexDamaged:
    """No live generation: a new index, or a damaged one when the manifest lists indexed documents."""
    paths = IndexPaths(root)
    manifest = open_readonly(paths.manifest)
    if manifest is not None:
        with manifest, manifest_guard(paths.manifest):
            listed = manifest.indexed_count()
        if listed:
            return IndexDamaged(f"no live Whoosh generation, but the manifest lists {listed} documents")
    return IndexMissing(f"no index at {root} (run `newsdex ingest` first)")


def damaged_generation(root: Path, exc: BaseException) -> IndexDamaged:
    paths = IndexPaths(root)
    live = paths.live_generation()
    found = generation_problem(paths, live) if live is not None else None
    return IndexDamaged(found or f"the live generation does not open ({type(exc).__name__}: {exc})")


def open_searcher(root: Path, mmap: bool):  # -> whoosh.searching.Searcher
    """``open_index`` reads the table of contents; the searcher opens every segment's files, one of which a
    commit racing it may have merged away (retry), else the generation is damaged."""
    for attempt in range(3):
        ix = open_index(root, mmap=mmap)
        try:
            return ix.searcher()
        except FileNotFoundError as exc:
            if attempt == 2:
                raise damaged_generation(root, exc) from None
            time.sleep(0.05 * (attempt + 1))
        except Exception as exc:  # a segment that does not read: damage, not a crash
            raise damaged_generation(root, exc) from None
    raise AssertionError("unreachable")


def live_documents(root: Path) -> int:
    """Documents in the live generation, every segment opened (0 before the first one); IndexDamaged when it
    does not open, or is gone while the manifest lists documents."""
    try:
        ix = open_index(root)
    except IndexMissing:
        return 0
    try:
        return ix.doc_count()
    except Exception as exc:  # see open_searcher
        raise damaged_generation(root, exc) from None


def manifest_present(root: Path) -> None:
    """IndexDamaged when the live generation is there but the manifest is not (lost, or being rebuilt beside it
    by `check --repair`): every command says so, search too. Only a folder the store made (its marker, or its raw
    store) had a manifest to lose: a bare Whoosh generation written without the store has none. Stat calls only."""
    paths = IndexPaths(root)
    made_by_store = paths.marker.exists() or paths.raw.exists()
    if made_by_store and not paths.manifest.exists() and paths.live_generation() is not None:
        raise IndexDamaged(f"{paths.manifest.name} is missing")


def open_manifest(root: Path) -> Manifest:
    """The manifest, read-only: IndexMissing before the first ingest, IndexDamaged when it is lost (its errors
    when damaged come at the first query: read it under ``manifest_guard``)."""
    paths = IndexPaths(root)
    manifest = open_readonly(paths.manifest)
    if manifest is None:
        if paths.live_generation() is not None:
            raise IndexDamaged(f"{paths.manifest.name} is missing")
        raise IndexMissing(f"no index at {root} (run `newsdex ingest` first)")
    return manifest


def toc_generation(live: Path | None) -> int:
    """Whoosh's commit counter for a generation folder: a directory listing, no file opened."""
    if live is None:
        return -1
    return internals.latest_generation(live)


class Searchers:
    """One searcher of one index, reopened when a writer committed or a rebuild was swapped in: a long-lived
    owner (an Archive in a test session or a web server's thread) pays for opening the index once, not per
    query. (Whoosh's own up_to_date() misses commits that only delete, so the commit counter is compared.)

    The first search reads the index without mmap: a one-shot ``newsdex search`` opens a 50k index in ~5 ms
    instead of ~0.3 s. From the second search on, the owner is a repeat caller and the searcher is reopened
    once with mmap, for faster queries (``open_index``), unless ``mmap`` is False: mmap copies the segments' terms
    and postings into memory per searcher, which several threads' searchers would each pay for. Not for sharing
    between threads."""

    def __init__(self, root: Path, mmap: bool = True) -> None:
        self.root = root
        self.mmap = mmap
        self.uses = 0
        self._held: tuple[Path | None, int, bool, Any] | None = None  # (generation, commit, mmap, searcher)

    def get(self) -> Any:  # -> whoosh.searching.Searcher
        self.uses += 1
        want_mmap = self.mmap and self.uses > 1
        live = IndexPaths(self.root).live_generation()
        toc = toc_generation(live)
        if self._held is not None:
            generation, held_toc, mapped, searcher = self._held
            if generation == live and held_toc == toc and mapped == want_mmap:
                return searcher
            self.close()
        searcher = open_searcher(self.root, want_mmap)
        caches.of(searcher)  # its memos live and go with it
        self._held = (live, toc, want_mmap, searcher)
        return searcher

    def close(self) -> None:
        if self._held is not None:
            self._held[3].close()
            self._held = None
