"""The parts of `newsdex check --repair` that need no re-cleaning: a lost or damaged manifest rebuilt from what
survives of it and of the index, and raw inputs restored from their original files. The full rebuild of the
Whoosh generation that follows is the reindex flow's (full), which re-cleans every document from the raw store.

Sources for a manifest, most trusted first: the live generation's stored fields (id, path, url, source, rules
version and raw hash of every indexed document, as last committed), then whatever the damaged file still gives
(whole rows, else ids paired with paths through its two indexes, the input locations and the run history), then
the original input files (hashed, for an input whose raw hash was lost). A damaged manifest is renamed aside,
never deleted.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sqlite3
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdex.index.check import Problem, raw_problem, stored_documents
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import Manifest
from newsdex.index.rawstore import put_raw, raw_path
from newsdex.models import Quarantined, document_id
from newsdex.settings import max_bytes

_ROW_COLUMNS = "id, path, url, source, kind, raw_hash, rules_version, status, reason"


@dataclass
class Repaired:
    """What a repair step did and what it could not recover."""

    actions: list[str] = field(default_factory=list)
    not_recovered: list[Problem] = field(default_factory=list)


@dataclass
class _Salvage:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> known columns (path at least)
    locations: dict[str, str] = field(default_factory=dict)  # id -> absolute path of the input
    runs: list[tuple[str, float, float | None, str | None]] = field(default_factory=list)
    complete: bool = True


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def set_aside(paths: IndexPaths) -> Path | None:
    """Rename the damaged manifest to ``manifest.sqlite.corrupt-<timestamp>``, its write-ahead log with it (SQLite
    reads a log next to the file it belongs to); the shared-memory index of the log is a cache and goes."""
    if not paths.manifest.exists():
        return None
    aside = paths.manifest.with_name(f"{paths.manifest.name}.corrupt-{_stamp()}")
    n = 1
    while aside.exists():
        aside = paths.manifest.with_name(f"{paths.manifest.name}.corrupt-{_stamp()}-{n}")
        n += 1
    os.replace(paths.manifest, aside)
    wal = Path(f"{paths.manifest}-wal")
    if wal.exists() and wal.stat().st_size:
        os.replace(wal, Path(f"{aside}-wal"))
    wal.unlink(missing_ok=True)  # empty: what merely opening the damaged file left
    Path(f"{paths.manifest}-shm").unlink(missing_ok=True)
    return aside


def _read_all(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> tuple[list[sqlite3.Row], bool]:
    """The rows a query gives before the file fails it, and whether it finished."""
    out: list[sqlite3.Row] = []
    try:
        for row in conn.execute(sql, args):
            out.append(row)
    except sqlite3.Error:
        return out, False
    return out, True


def _pad(path: Path) -> None:
    """A truncated SQLite file fails even its schema (root pages past the end): pad it with empty pages to the
    size its header records, so that what survives reads and only the lost pages fail."""
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    wanted = int.from_bytes(header[28:32], "big") * page_size
    size = path.stat().st_size
    if size < wanted:
        with open(path, "ab") as fh:
            fh.truncate(wanted)


def salvage(aside: Path, workdir: Path) -> _Salvage:
    """What a damaged manifest still gives, read from a padded copy (the file set aside stays as it was)."""
    found = _Salvage()
    tmp = workdir / f".salvage-{os.getpid()}.sqlite"
    sidecars = [Path(f"{tmp}{s}") for s in ("", "-wal", "-shm")]
    try:
        shutil.copyfile(aside, tmp)
        if Path(f"{aside}-wal").exists():
            shutil.copyfile(f"{aside}-wal", f"{tmp}-wal")
        _pad(tmp)
        conn = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            _salvage_rows(conn, found)
            rows, _ = _read_all(conn, "SELECT id, abspath FROM locations")
            found.locations = {r["id"]: os.fsdecode(r["abspath"]) for r in rows}
            runs, _ = _read_all(
                conn, "SELECT kind, started, finished, report FROM runs WHERE finished IS NOT NULL ORDER BY id"
            )
            found.runs = [(r["kind"], r["started"], r["finished"], r["report"]) for r in runs]
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        found.complete = False
    finally:
        for path in sidecars:
            path.unlink(missing_ok=True)
    return found


def _salvage_rows(conn: sqlite3.Connection, found: _Salvage) -> None:
    """Whole rows by a table scan; when the scan breaks, row by row through the ids and paths that the file's
    two indexes still hold (each index entry carries its row's rowid)."""
    rows, complete = _read_all(conn, f"SELECT {_ROW_COLUMNS} FROM documents")
    found.rows = {r["id"]: dict(r) for r in rows}
    if complete:
        return
    found.complete = False
    ids, _ = _read_all(conn, "SELECT rowid, id FROM documents INDEXED BY sqlite_autoindex_documents_1")
    rows, _ = _read_all(conn, "SELECT rowid, path FROM documents INDEXED BY documents_path")
    paths: dict[int, str] = {r[0]: r[1] for r in rows}
    for rowid, doc_id in ids:
        if doc_id in found.rows:
            continue
        whole, _ = _read_all(conn, f"SELECT {_ROW_COLUMNS} FROM documents WHERE rowid = ?", (rowid,))
        if whole:
            found.rows[doc_id] = dict(whole[0])
        elif rowid in paths:
            found.rows[doc_id] = {"id": doc_id, "path": paths[rowid]}


def _original_bytes(path: str) -> bytes | None:
    """An original input's bytes as the raw store keeps them (decompressed), if it is still a readable file."""
    if not os.path.isfile(path):  # never open a FIFO or a device
        return None
    limit = max_bytes()
    try:
        if path.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
    except (OSError, EOFError, zlib.error):
        return None
    return data if len(data) <= limit else None


def _candidates(doc_id: str, path: str | None, abspath: str | None) -> list[str]:
    """Where an input's original file may be: its recorded location, else its path when that names this id."""
    out = [abspath] if abspath else []
    if path and path not in out and (os.path.isabs(path) or document_id(path) == doc_id):
        out.append(path)
    return out


def restore_from_original(
    paths: IndexPaths, doc_id: str, path: str | None, abspath: str | None, digest: str | None
) -> str | None:
    """Put an input's original file back into the raw store; returns its hash. With ``digest`` only a file with
    exactly those bytes will do; without it (the hash was lost) the file as it is now."""
    for candidate in _candidates(doc_id, path, abspath):
        data = _original_bytes(candidate)
        if data is None:
            continue
        found = hashlib.sha256(data).hexdigest()
        if digest is None or found == digest:
            put_raw(paths.raw, found, data)
            return found
    return None


def restore_raw(paths: IndexPaths, problems: list[Problem]) -> Repaired:
    """Missing or damaged raw inputs of indexed documents, restored from their original files where those still
    hold the same bytes. A damaged blob is renamed aside first, so that nothing re-cleans its bytes."""
    done = Repaired()
    if not problems:
        return done
    with Manifest(paths.manifest) as manifest:
        states = manifest.states_for([p.id for p in problems if p.id])
        where = {r["id"]: os.fsdecode(r["abspath"]) if r["abspath"] else None for r in manifest.all_inputs()}
    restored = 0
    for p in problems:
        row = states.get(p.id or "")
        digest = row["raw_hash"] if row is not None else None
        if digest and p.kind == "raw-corrupt":
            blob = raw_path(paths.raw, digest)
            if blob.exists():
                os.replace(blob, blob.with_name(f"{blob.name}.corrupt-{_stamp()}"))
        if digest and restore_from_original(paths, p.id or "", p.path, where.get(p.id or ""), digest):
            restored += 1
            continue
        done.not_recovered.append(
            Problem(
                p.kind,
                f"{p.path}: raw input lost (its original file is gone or changed): it cannot be re-cleaned, "
                "and a rebuild or `newsdex reindex` quarantines it",
                p.id,
                p.path,
            )
        )
    if restored:
        done.actions.append(f"restored {restored} raw input{'s' if restored != 1 else ''} from the original files")
    return done


def rebuild_manifest(paths: IndexPaths, into: IndexPaths | None = None) -> Repaired:
    """A new manifest from what survives: the damaged one set aside, rows recovered from the live generation,
    the damaged file and the original inputs. Its rows lack the documents themselves: a full rebuild follows.
    ``into``: where the new manifest is written (a repair's, beside the live index); default in place."""
    done = Repaired()
    aside = set_aside(paths)
    found = salvage(aside, paths.root) if aside is not None else _Salvage(complete=False)
    if aside is not None:
        done.actions.append(f"set the damaged manifest aside as {aside.name}")
    stored = stored_documents(paths)
    entries: dict[str, dict[str, Any]] = {}
    for f in stored or []:
        entries[f["id"]] = {
            "id": f["id"],
            "path": f.get("path") or f["id"],
            "url": f.get("url") or None,
            "source": f.get("source") or None,
            "raw_hash": f.get("raw_hash"),
            "rules_version": f.get("rules_version"),
        }
    if stored:
        done.actions.append(f"recovered {len(stored)} documents from the live generation's stored fields")
    quarantined: list[tuple[str, Quarantined]] = []
    from_file = 0
    for doc_id, row in found.rows.items():
        if doc_id in entries:
            continue
        if row.get("status") == "quarantined":
            quarantined.append((doc_id, Quarantined(path=row["path"], reason=row.get("reason") or "unknown reason")))
            continue
        entries[doc_id] = {k: row.get(k) for k in ("id", "path", "url", "source", "kind", "raw_hash", "rules_version")}
        from_file += 1
    if from_file:
        done.actions.append(f"recovered {from_file} documents from the damaged manifest")
    locations = dict(found.locations)
    for doc_id, entry in list(entries.items()):
        if doc_id not in locations and (os.path.isabs(entry["path"]) or document_id(entry["path"]) == doc_id):
            locations[doc_id] = os.path.abspath(entry["path"])
        digest = entry.get("raw_hash")
        if digest and raw_problem(paths, digest) is None:
            continue
        got = restore_from_original(paths, doc_id, entry["path"], locations.get(doc_id), digest)
        if got is not None:
            entry["raw_hash"] = got
        elif not digest:
            del entries[doc_id]
            done.not_recovered.append(
                Problem(
                    "manifest-corrupt",
                    f"{entry['path']}: no raw hash survived and its original file is gone",
                    doc_id,
                    entry["path"],
                )
            )
        else:
            done.not_recovered.append(
                Problem(
                    "raw-missing",
                    f"{entry['path']}: raw input lost and its original file is gone or changed "
                    "(the rebuild quarantines it)",
                    doc_id,
                    entry["path"],
                )
            )
    _write_manifest(into or paths, entries, quarantined, locations, found.runs)
    known = {e["raw_hash"] for e in entries.values()}
    unclaimed = sum(1 for blob in paths.raw.glob("*/*.gz") if blob.name[:-3] not in known) if paths.raw.is_dir() else 0
    if unclaimed:
        done.not_recovered.append(
            Problem(
                "raw-unclaimed",
                f"{unclaimed} raw input{'s' if unclaimed != 1 else ''} in raw/ match no recovered "
                "document (older versions, or inputs whose path was lost); kept in raw/",
            )
        )
    if not found.complete:
        done.not_recovered.append(
            Problem(
                "manifest-corrupt" if aside is not None else "manifest-missing",
                "quarantined inputs and runs recorded only in the lost part of the manifest are not listed any more "
                "(the next ingest quarantines bad inputs again)",
            )
        )
    return done


def _write_manifest(
    paths: IndexPaths,
    entries: dict[str, dict[str, Any]],
    quarantined: list[tuple[str, Quarantined]],
    locations: dict[str, str],
    runs: list[tuple[str, float, float | None, str | None]],
) -> None:
    """Written under a temporary name, then renamed into place: a crash leaves no half-written manifest."""
    tmp = paths.root / f".manifest-rebuild-{os.getpid()}.sqlite"
    for side in ("", "-wal", "-shm"):
        Path(f"{tmp}{side}").unlink(missing_ok=True)
    with Manifest(tmp) as manifest:
        manifest.record_recovered(entries.values())
        manifest.record_quarantined(quarantined)
        listed = set(entries) | {doc_id for doc_id, _ in quarantined}
        manifest.record_locations(sorted((i, p) for i, p in locations.items() if i in listed))
        manifest.restore_runs(runs)
        manifest.conn.execute("PRAGMA journal_mode=DELETE")  # folds the log into the file before the rename
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, paths.manifest)
