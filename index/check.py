"""Verifying an index folder: the manifest, the raw store and the live Whoosh generation agree.

``check_index`` is the full check behind `newsdex check`: every manifest row, every document stored in the live
generation and every raw blob is read. ``quick_problem`` is the cheap one that writers run before they start
(the manifest reads, the live generation opens and holds at least the documents the manifest lists).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sqlite3
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from newsdex.index.damage import is_corruption
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import Manifest
from newsdex.index.rawstore import raw_path

# What a full rebuild of the generation from the manifest and the raw store repairs.
REBUILD_KINDS = frozenset(
    {
        "generation-missing",
        "generation-unreadable",
        "not-in-index",
        "unknown-in-index",
        "stale-in-index",
        "duplicate-in-index",
        "incomplete-row",
    }
)
MANIFEST_KINDS = frozenset({"manifest-missing", "manifest-corrupt"})
RAW_KINDS = frozenset({"raw-missing", "raw-corrupt"})


@dataclass
class Problem:
    kind: str
    message: str
    id: str | None = None
    path: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "message": self.message, "id": self.id, "path": self.path}


def summarize(problems: list[Problem]) -> str:
    """One line: each kind once, with its first message and how many more of that kind there are."""
    by_kind: dict[str, list[Problem]] = {}
    for p in problems:
        by_kind.setdefault(p.kind, []).append(p)
    parts = []
    for kind, items in by_kind.items():
        message = " ".join(items[0].message.split())
        message = message if len(message) <= 160 else message[:159] + "…"
        parts.append(f"{kind}: {message}" + (f" (+{len(items) - 1} more)" if len(items) > 1 else ""))
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}: " + "; ".join(parts)


@dataclass
class CheckResult:
    index: Path
    documents: int | None = None  # indexed in the manifest; None when it does not read
    index_documents: int | None = None  # in the live generation; None when it does not open
    raw_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}

    def add(self, kind: str, message: str, doc_id: str | None = None, path: str | None = None) -> None:
        self.problems.append(Problem(kind, message, doc_id, path))

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "index": str(self.index),
            "documents": self.documents,
            "index_documents": self.index_documents,
            "raw_checked": self.raw_checked,
            "problems": [p.as_dict() for p in self.problems],
            "summary": summarize(self.problems) if self.problems else "healthy",
        }


def _storage(folder: Path) -> FileStorage:
    return FileStorage(str(folder), supports_mmap=False, readonly=True)


def _generation_name(paths: IndexPaths, live: Path) -> str:
    return os.path.relpath(live, paths.root)


def generation_problem(paths: IndexPaths, live: Path) -> str | None:
    """Why the live generation cannot be read as a whole, or None. Opening a reader opens every segment's files."""
    name = _generation_name(paths, live)
    if not live.is_dir():
        return f"`current` points to {name}, which does not exist"
    if not whoosh_index.exists_in(live):
        return f"the live generation {name} has no table of contents (_MAIN_*.toc)"
    try:
        _storage(live).open_index().reader().close()
    except FileNotFoundError as exc:
        return f"the live generation {name} does not open: its file {os.path.basename(exc.filename or '?')} is missing"
    except Exception as exc:  # whatever a damaged generation raises is the damage to report
        return f"the live generation {name} does not open ({type(exc).__name__}: {exc})"
    return None


def quick_problem(paths: IndexPaths, whoosh: bool = True) -> str | None:
    """What a writer notices cheaply before it starts: a missing or unreadable manifest and, with ``whoosh``, a
    live generation that does not open or holds fewer documents than the manifest lists (more is a run killed
    between its Whoosh commit and its manifest write, which the next run completes)."""
    live = paths.live_generation()
    if not paths.manifest.exists():
        return f"{paths.manifest.name} is missing" if live is not None else None
    try:
        with Manifest(paths.manifest, readonly=True) as manifest:
            listed = manifest.indexed_count()
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        return f"{paths.manifest.name} does not read ({exc})"
    if not whoosh:
        return None
    if live is None:
        return f"no live Whoosh generation, but the manifest lists {listed} documents" if listed else None
    problem = generation_problem(paths, live)
    if problem is not None:
        return problem
    held = _storage(live).open_index().doc_count()
    if held < listed:
        return f"the manifest lists {listed} documents, the live generation holds {held}"
    return None


def raw_problem(paths: IndexPaths, digest: str | None) -> tuple[str, str] | None:
    """(kind, message) when the raw input ``digest`` is missing or does not match its sha256."""
    if not digest:
        return "raw-missing", "no raw hash recorded"
    try:
        with open(raw_path(paths.raw, digest), "rb") as fh:
            data = gzip.decompress(fh.read())
    except FileNotFoundError:
        return "raw-missing", f"raw input {digest[:12]}… is missing from raw/"
    except (OSError, EOFError, zlib.error) as exc:
        return "raw-corrupt", f"raw input {digest[:12]}… does not read ({exc})"
    if hashlib.sha256(data).hexdigest() != digest:
        return "raw-corrupt", f"raw input {digest[:12]}… does not match its sha256"
    return None


def stored_documents(paths: IndexPaths) -> list[dict[str, Any]] | None:
    """The stored fields of every live document in the live generation, or None when it does not read."""
    live = paths.live_generation()
    if live is None:
        return []
    if generation_problem(paths, live) is not None:
        return None
    try:
        reader = _storage(live).open_index().reader()
        try:
            return [dict(f) for f in reader.all_stored_fields()]
        finally:
            reader.close()
    except Exception:  # a generation that opens but does not read: nothing to recover from it
        return None


def unfinished_generations(paths: IndexPaths) -> list[Path]:
    """Generation folders other than the live one: a full rebuild or repair that stopped (a full disk, a kill)
    before its swap. The caller holds the write lock, so none is being built."""
    if not paths.gens.is_dir():
        return []
    live = paths.live_generation()
    keep = live.resolve() if live is not None else None
    return sorted(g for g in paths.gens.iterdir() if g.is_dir() and g.resolve() != keep)


def check_index(paths: IndexPaths) -> CheckResult:
    """Every problem in the index folder (the caller holds the write lock, so nothing moves meanwhile)."""
    result = CheckResult(paths.root)
    rows = _manifest_rows(paths, result)
    stored = _whoosh_documents(paths, result, expect=bool(rows))
    if rows is not None and stored is not None:
        _compare(rows, stored, result)
    for leftover in unfinished_generations(paths):
        result.add("generation-unfinished", f"gens/{leftover.name}: left by an interrupted write or rebuild (not live)")
    if rows is not None:
        for row in rows.values():
            found = raw_problem(paths, row["raw_hash"])
            result.raw_checked += 1
            if found is not None:
                result.add(found[0], f"{row['path']}: {found[1]}", row["id"], row["path"])
    return result


def _manifest_rows(paths: IndexPaths, result: CheckResult) -> dict[str, dict[str, Any]] | None:
    """Indexed rows by id (id, path, raw_hash, incomplete), or None when the manifest is missing or damaged."""
    name = paths.manifest.name
    if not paths.manifest.exists():
        result.add("manifest-missing", f"{name} is missing")
        return None
    try:
        with Manifest(paths.manifest, readonly=True) as manifest:
            verdict = manifest.integrity_check()
            if verdict != ["ok"]:
                result.add("manifest-corrupt", f"{name} fails SQLite's integrity check: {'; '.join(verdict[:3])}")
                return None
            rows = {
                r["id"]: {"id": r["id"], "path": r["path"], "raw_hash": r["raw_hash"], "incomplete": False}
                for r in manifest.indexed()
            }
            for r in manifest.incomplete():
                rows[r["id"]]["incomplete"] = True
            staged = manifest.staged_generations()
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        result.add("manifest-corrupt", f"{name} does not read ({exc})")
        return None
    result.documents = len(rows)
    for row in rows.values():
        if row["incomplete"]:
            result.add("incomplete-row", f"{row['path']}: its manifest row has no document", row["id"], row["path"])
    if staged:  # the next writer applies or drops them; a repair does it at once
        result.add("rebuild-unfinished", f"an interrupted full rebuild left rows staged for {', '.join(staged)}")
    return rows


def _whoosh_documents(paths: IndexPaths, result: CheckResult, expect: bool) -> list[dict[str, Any]] | None:
    live = paths.live_generation()
    if live is None:
        if expect:
            result.add("generation-missing", "no live Whoosh generation (`current` is missing)")
            return None
        result.index_documents = 0
        return []
    problem = generation_problem(paths, live)
    if problem is not None:
        result.add("generation-missing" if not live.is_dir() else "generation-unreadable", problem)
        return None
    stored = stored_documents(paths)
    if stored is None:
        result.add("generation-unreadable", f"the stored fields of {_generation_name(paths, live)} do not read")
        return None
    result.index_documents = len(stored)
    return stored


def _compare(rows: dict[str, dict[str, Any]], stored: list[dict[str, Any]], result: CheckResult) -> None:
    """Whoosh holds each indexed document once, as the manifest describes it (same input, same raw bytes), and
    nothing else. The rules version is not compared: a reindex that leaves a document's cleaned text unchanged
    records the new version in the manifest only (``Manifest.mark_rules_version``), and the cleaned-text hash
    is not stored in Whoosh."""
    copies = Counter(f.get("id") for f in stored)
    by_id = {f.get("id"): f for f in stored}
    for doc_id, n in copies.items():
        if n > 1:
            path = by_id[doc_id].get("path")
            result.add("duplicate-in-index", f"{path}: {n} copies in Whoosh", doc_id, path)
    for doc_id, row in rows.items():
        fields = by_id.get(doc_id)
        if fields is None:
            result.add("not-in-index", f"{row['path']}: in the manifest, missing from Whoosh", doc_id, row["path"])
        elif fields.get("raw_hash") != row["raw_hash"] or fields.get("path") != row["path"]:
            result.add("stale-in-index", f"{row['path']}: Whoosh holds another version", doc_id, row["path"])
    for doc_id, fields in by_id.items():
        if doc_id not in rows:
            path = fields.get("path")
            result.add("unknown-in-index", f"{path}: in Whoosh, not indexed in the manifest", doc_id, path)
