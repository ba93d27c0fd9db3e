"""The manifest: one SQLite row per input (hashes, rules version, status, the enriched document) plus the
entity mention table and the run log. Written only after the Whoosh commit it describes, so a crash between
the two leaves work to redo, never a manifest that claims more than the index holds."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.request import pathname2url

from newsdex.index import copies, vocabulary
from newsdex.index import fingerprint as fp
from newsdex.index.sql import rows_in

if TYPE_CHECKING:  # the model layer (pydantic) is imported by what packs and unpacks documents, not by a search
    from newsdex.models import CleanDoc, EnrichedDoc, Quarantined

MAX_ID_LENGTH = 64  # ids are 16 hex characters; a longer reference is no id prefix (but may be a path)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    url TEXT,
    source TEXT,
    kind TEXT,
    raw_hash TEXT,
    clean_hash TEXT,
    removed_hash TEXT,               -- which lines were removed by which rules (what --explain shows)
    rules_version TEXT,
    status TEXT NOT NULL,            -- indexed | quarantined
    reason TEXT,
    passages INTEGER DEFAULT 0,
    body BLOB,                       -- zlib-compressed cleaned body: what search snippets highlight
    first_seen REAL NOT NULL,
    updated REAL NOT NULL,
    doc BLOB,                        -- zlib-compressed JSON of the EnrichedDoc (what `show` prints)
    page_kind TEXT,                  -- article | listing | other (models.CleanDoc.page_kind); NULL: before kinds
    language TEXT                    -- ISO 639-1 (models.CleanDoc.language); NULL: none, or written before it
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS locations (  -- absolute path of each input: relative paths depend on the folder
    id TEXT PRIMARY KEY,
    abspath TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
    doc_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    mentions INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_doc ON entities(doc_id);
CREATE INDEX IF NOT EXISTS entities_name ON entities(type, name);
CREATE TABLE IF NOT EXISTS staged (   -- a full rebuild's documents, applied only once its index is swapped in
    id TEXT PRIMARY KEY,
    generation TEXT NOT NULL,
    doc BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    report TEXT
);
"""


def _open_readonly(path: Path) -> sqlite3.Connection:
    """The manifest opened for reading, writing nothing. A reader of a WAL database still creates its shared-
    memory file when none is there: on a full disk or a read-only folder that fails ("disk I/O error",
    "unable to open"), and the manifest is then read as an immutable file (no shared memory, no locks). No
    writer can be changing it then (none can write there), so the view is whole; a log a killed writer left
    is not read until a writer can open the manifest again (which folds it in)."""
    uri = f"file:{pathname2url(str(path))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the file (and its WAL) now
        return conn
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if not any(s in message for s in ("disk I/O error", "unable to open", "readonly", "read-only")):
            raise
        conn.close()
    return sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30)


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = _open_readonly(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor the writer readers
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA + copies.SCHEMA + vocabulary.SCHEMA)
        copies.migrate(conn)
        _migrate(conn)
    conn.row_factory = sqlite3.Row
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """A manifest made before page kinds or languages gains the columns (its documents count as articles, of no
    language, until they are written again: ``reindex --full``)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
    for column in ("page_kind", "language"):
        if column not in columns:
            conn.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS documents_page_kind ON documents(page_kind)")


def pack(doc: EnrichedDoc) -> bytes:
    return zlib.compress(doc.model_dump_json().encode(), 6)


class ManifestRow(NamedTuple):
    """What the manifest records of one indexed document, ready to write: the document and its body already
    serialised and compressed. A Dask worker builds these next to the batch's Whoosh segment, so the flow's
    one process (which every batch goes through) neither unpickles whole documents nor compresses them."""

    id: str
    path: str
    url: str | None
    source: str | None
    kind: str
    raw_hash: str
    clean_hash: str
    removed_hash: str
    rules_version: str
    passages: int
    doc: bytes
    body: bytes
    entities: list[tuple[str, str, int]]  # (type, canonical name, mentions)
    removed_rules: list[str]  # the rule of each removed line (for the run report)
    published: str | None = None  # for the run report's date coverage, and a cluster's representative
    language: str | None = None  # and its language coverage
    title: str | None = None
    text_hash: str | None = None  # models.CleanDoc.text_hash: finds exact copies to reuse entities from
    fingerprint: fp.Fingerprint | None = None  # of the cleaned body, for copies (None: too short)
    page_kind: str = "article"  # models.CleanDoc.page_kind: counted by the run report and stats


def manifest_row(d: EnrichedDoc) -> ManifestRow:
    from newsdex.models import removed_hash

    return ManifestRow(
        d.id,
        d.path,
        d.url,
        d.source,
        d.kind,
        d.raw_hash,
        d.clean_hash,
        removed_hash(d.removed),
        d.rules_version,
        len(d.segments),
        pack(d),
        zlib.compress(d.body.encode(), 6),
        [(e.type, e.name, e.count) for e in d.entities if not e.caption_only],
        [r.rule for r in d.removed],
        d.published,
        d.language,
        d.title,
        d.text_hash,
        fp.fingerprint(d.body),
        d.page_kind,
    )


def _placement(r: ManifestRow, body: str) -> copies.Placement:
    return copies.Placement(r.id, body, r.fingerprint, r.text_hash, r.title, r.published)


def unpack(blob: bytes) -> EnrichedDoc:
    from newsdex.models import EnrichedDoc

    return EnrichedDoc.model_validate_json(zlib.decompress(blob))


class Manifest:
    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self.conn = connect(path, readonly=readonly)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads -------------------------------------------------------------------------------------------
    def states_for(self, ids: list[str]) -> dict[str, sqlite3.Row]:
        rows = rows_in(
            self.conn,
            "SELECT id, path, raw_hash, clean_hash, removed_hash, rules_version, status "
            "FROM documents WHERE id IN ({marks})",
            ids,
        )
        return {r["id"]: r for r in rows}

    def get(self, doc_id: str) -> EnrichedDoc | None:
        row = self.conn.execute(
            "SELECT doc, rules_version FROM documents WHERE id = ? AND status = 'indexed'", (doc_id,)
        ).fetchone()
        if not row or not row["doc"]:
            return None
        # mark_rules_version updates only the column (unchanged documents are not rewritten): it is the truth.
        return unpack(row["doc"]).model_copy(update={"rules_version": row["rules_version"]})

    def bodies(self, ids: list[str]) -> dict[str, str]:
        rows = rows_in(self.conn, "SELECT id, body FROM documents WHERE id IN ({marks})", ids)
        return {r["id"]: zlib.decompress(r["body"]).decode() for r in rows if r["body"]}

    def find_ids(self, prefix: str) -> list[str]:
        """Indexed ids starting with ``prefix``, or the document whose input path it is. A prefix longer than any
        id matches no id (SQLite refuses a LIKE pattern over 50,000 bytes: "pattern too complex")."""
        cleaned = prefix.replace("\\", "").replace("%", "").replace("_", "")
        if len(cleaned) > MAX_ID_LENGTH:
            rows = self.conn.execute(
                "SELECT id FROM documents WHERE status = 'indexed' AND path = ? LIMIT 5", (prefix,)
            )
        else:
            rows = self.conn.execute(
                "SELECT id FROM documents WHERE status = 'indexed' AND (id LIKE ? OR path = ?) LIMIT 5",
                (cleaned + "%", prefix),
            )
        return [r["id"] for r in rows]

    def indexed(self) -> Iterator[sqlite3.Row]:
        yield from self.conn.execute(
            "SELECT id, path, kind, raw_hash, clean_hash, rules_version, source, url FROM documents "
            "WHERE status = 'indexed' ORDER BY path"
        )

    def all_inputs(self) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT d.id, d.path, d.status, l.abspath FROM documents d LEFT JOIN locations l ON l.id = d.id"
        ).fetchall()  # an abspath kept as bytes (a name that is not UTF-8) comes back as bytes: os accepts both

    def record_locations(self, items: list[tuple[str, str]]) -> None:
        # A name that is not UTF-8 is kept as its bytes (os.fsencode): SQLite text cannot hold it, and prune and
        # repair must find the very file again.
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO locations (id, abspath) VALUES (?, ?)",
                [(i, _storable(loc)) for i, loc in items],
            )

    def clear_quarantined(self, locations: Iterable[str], before: float) -> int:
        """Quarantine rows of feed files read whole that this run did not quarantine again (``updated`` before
        it began): the record was fixed (it indexes now under its URL) or has left the file."""
        cleared = 0
        with self.conn:
            for loc in locations:
                cur = self.conn.execute(
                    "DELETE FROM documents WHERE status = 'quarantined' AND updated < ? AND id IN "
                    "(SELECT id FROM locations WHERE abspath = ?)",
                    (before, _storable(loc)),
                )
                cleared += cur.rowcount
        return cleared

    def quarantined(self) -> list[dict[str, str]]:
        rows = self.conn.execute("SELECT path, reason FROM documents WHERE status = 'quarantined' ORDER BY path")
        return [{"path": r["path"], "reason": r["reason"]} for r in rows]

    def counts(self) -> dict[str, Any]:
        c = self.conn.execute(
            "SELECT COUNT(*) n, COALESCE(SUM(passages), 0) p, COUNT(DISTINCT source) s FROM documents "
            "WHERE status = 'indexed'"
        ).fetchone()
        versions = self.conn.execute(
            "SELECT rules_version, COUNT(*) n FROM documents WHERE status = 'indexed' GROUP BY rules_version"
        ).fetchall()
        kinds = dict(
            self.conn.execute(
                "SELECT COALESCE(page_kind, 'article'), COUNT(*) FROM documents WHERE status = 'indexed' GROUP BY 1"
            ).fetchall()
        )
        return {
            "documents": c["n"],
            "passages": c["p"],
            "sources": c["s"],
            "rules_versions": {r["rules_version"]: r["n"] for r in versions},
            "kinds": {k: kinds.get(k, 0) for k in ("article", "listing", "other")},
        }

    def indexed_since(self, since: float) -> int:
        """Documents indexed (written) at or after ``since`` (Unix time): what a run has committed so far."""
        return int(
            self.conn.execute(
                "SELECT COUNT(*) FROM documents WHERE status = 'indexed' AND updated >= ?", (since,)
            ).fetchone()[0]
        )

    def indexed_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents WHERE status = 'indexed'").fetchone()[0])

    def incomplete(self) -> list[sqlite3.Row]:
        """Indexed rows without their document (a manifest rebuilt by a repair whose full rebuild did not run)."""
        return self.conn.execute(
            "SELECT id, path FROM documents WHERE status = 'indexed' AND (doc IS NULL OR body IS NULL)"
        ).fetchall()

    def integrity_check(self) -> list[str]:
        """SQLite's own verdict on the file: ``["ok"]``, or the first problems it found."""
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check(20)")]

    def staged_generations(self) -> list[str]:
        """Generations an interrupted full rebuild staged rows for (none in a settled index)."""
        return [r["generation"] for r in self.conn.execute("SELECT DISTINCT generation FROM staged")]

    def top_entities(self, type_: str | None, limit: int, ids: list[str] | None = None) -> list[dict[str, Any]]:
        """The most mentioned entities (in the documents ``ids`` when given): names that differ only in case or
        hyphens ("Chung In-beom", "Chung In Beom": one indexed term, schema.name_key) count as one, shown under
        the spelling most documents use."""
        key = "lower(replace(replace(replace(e.name, '-', ' '), '\u2010', ' '), '\u2011', ' '))"
        where = [("e.type = ?", type_)] if type_ else []
        if ids is not None:
            where.append(("e.doc_id IN (SELECT value FROM json_each(?))", json.dumps(ids)))
        sql = (
            f"SELECT e.type, {key} k, COUNT(DISTINCT e.doc_id) documents, SUM(e.mentions) mentions,"
            " json_group_array(DISTINCT e.name) names FROM entities e "
            "JOIN documents d ON d.id = e.doc_id AND d.status = 'indexed' "
            + ("WHERE " + " AND ".join(w for w, _ in where) + " " if where else "")
            + "GROUP BY e.type, k ORDER BY documents DESC, mentions DESC, MIN(e.name) LIMIT ?"
        )
        args: tuple[Any, ...] = (*(a for _, a in where), limit)
        out = []
        for r in self.conn.execute(sql, args).fetchall():
            names = sorted(json.loads(r["names"]))
            if len(names) > 1:  # the spelling of the most documents (the first by name on a tie)
                names = [
                    self.conn.execute(
                        f"SELECT name FROM entities WHERE type = ? AND name IN ({','.join('?' * len(names))}) "
                        "GROUP BY name ORDER BY COUNT(DISTINCT doc_id) DESC, name LIMIT 1",
                        (r["type"], *names),
                    ).fetchone()[0]
                ]
            out.append({"name": names[0], "type": r["type"], "documents": r["documents"], "mentions": r["mentions"]})
        return out

    def known_names(
        self, language: str, types: tuple[str, ...], min_documents: int, limit: int
    ) -> list[tuple[str, str]]:
        """(canonical name, type) of the names of ``types`` found in at least ``min_documents`` indexed articles
        in ``language``, the most documents first: the names the archive knows, for texts of languages without
        a recogniser (tasks/enrich/known.py)."""
        rows = self.conn.execute(
            "SELECT e.name, e.type FROM entities e JOIN documents d ON d.id = e.doc_id AND d.status = 'indexed'"
            " AND d.language = ? AND COALESCE(d.page_kind, 'article') = 'article'"
            " WHERE e.type IN (SELECT value FROM json_each(?)) GROUP BY e.name, e.type"
            " HAVING COUNT(DISTINCT e.doc_id) >= ? ORDER BY COUNT(DISTINCT e.doc_id) DESC, e.name LIMIT ?",
            (language, json.dumps(list(types)), min_documents, limit),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    # --- copies (index/copies.py) --------------------------------------------------------------------------
    def cluster_keys(self, ids: list[str]) -> dict[str, str]:
        """Cluster key of each of ``ids`` that has copies in the archive."""
        return copies.clusters_of(self.conn, ids) if copies.available(self.conn) else {}

    def cluster(self, key: str) -> list[dict[str, Any]]:
        """A cluster's members, representative first."""
        return [dict(r) for r in copies.members(self.conn, key)] if copies.available(self.conn) else []

    def cluster_summary(self, key: str, exclude: str, sources: int) -> tuple[int, list[str]]:
        """How many members of a cluster there are besides ``exclude``, and up to ``sources`` of their distinct
        sources (a member without a source: its path), representative first."""
        if not copies.available(self.conn):
            return 0, []
        return copies.summary(self.conn, key, exclude, sources)

    def cluster_keys_all(self, min_size: int = 2) -> list[str]:
        return list(copies.clusters(self.conn, min_size)) if copies.available(self.conn) else []

    def cluster_of(self, doc_id: str) -> str | None:
        return copies.cluster_of(self.conn, doc_id) if copies.available(self.conn) else None

    def originals(self, text_hashes: list[str]) -> dict[str, EnrichedDoc]:
        """Indexed documents with exactly these title-and-text hashes (an exact copy's entities come from one)."""
        if not text_hashes or not copies.available(self.conn):
            return {}
        found = copies.originals(self.conn, text_hashes)
        docs = {i: self.get(i) for i in set(found.values())}
        return {h: d for h, i in found.items() if (d := docs.get(i)) is not None}

    def refresh_copies(self, chunk: int = 500) -> int:
        """Place the indexed documents that have no cluster under the current fingerprint settings (an index
        made before copies were found, or after a full rebuild): from their stored bodies, in the order they
        were first seen, a chunk per transaction. Returns how many. O(1) once settled."""
        if copies.settled(self.conn):
            return 0
        n = 0
        while ids := copies.stale(self.conn, limit=chunk):
            with self.conn:
                for r in self.conn.execute(
                    f"SELECT id, body, doc FROM documents WHERE id IN ({','.join('?' * len(ids))})", ids
                ).fetchall():
                    body = zlib.decompress(r["body"]).decode()
                    doc = unpack(r["doc"]) if r["doc"] else None
                    copies.place(
                        self.conn,
                        copies.Placement(
                            r["id"],
                            body,
                            fp.fingerprint(body),
                            doc.text_hash if doc else None,
                            doc.title if doc else None,
                            doc.published if doc else None,
                        ),
                    )
            n += len(ids)
        with self.conn:
            copies.mark_settled(self.conn)
        return n

    def fill_vocabulary(self) -> int:
        """Store the words of an index made before did-you-mean kept them (index/vocabulary.py). O(1) once done."""
        return vocabulary.fill(self.conn)

    def vocabulary_candidates(self, word: str, distance: int) -> list[str] | None:
        """Stored words near ``word`` (about ``distance`` edits); None when the table is not filled yet."""
        if not vocabulary.available(self.conn):
            return None
        return vocabulary.candidates(self.conn, word, distance)

    def runs(self, limit: int = 5) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT kind, started, finished, report FROM runs WHERE finished IS NOT NULL ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            {"kind": r["kind"], "started": r["started"], "finished": r["finished"], **json.loads(r["report"] or "{}")}
            for r in rows
        ]

    # --- writes ------------------------------------------------------------------------------------------
    def record_indexed(self, docs: Iterable[EnrichedDoc], place: bool = True) -> None:
        self.record_rows((manifest_row(d) for d in docs), place)

    def record_rows(self, rows: Iterable[ManifestRow], place: bool = True) -> None:
        """Write indexed documents' rows, each placed among the copies as it is written (``place``), in the same
        transaction."""
        now = time.time()
        texts: list[str] = []
        with self.conn:
            for r in rows:
                self.conn.execute(
                    "INSERT INTO documents (id, path, url, source, kind, raw_hash, clean_hash, removed_hash,"
                    " rules_version, status, reason, passages, first_seen, updated, doc, body, page_kind, language)"
                    " VALUES (?,?,?,?,?,?,?,?,?,'indexed',NULL,?,?,?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET path=excluded.path, url=excluded.url, source=excluded.source,"
                    " kind=excluded.kind, raw_hash=excluded.raw_hash, clean_hash=excluded.clean_hash,"
                    " removed_hash=excluded.removed_hash,"
                    " rules_version=excluded.rules_version, status='indexed', reason=NULL,"
                    " passages=excluded.passages, updated=excluded.updated, doc=excluded.doc, body=excluded.body,"
                    " page_kind=excluded.page_kind, language=excluded.language",
                    (
                        r.id,
                        r.path,
                        r.url,
                        r.source,
                        r.kind,
                        r.raw_hash,
                        r.clean_hash,
                        r.removed_hash,
                        r.rules_version,
                        r.passages,
                        now,
                        now,
                        r.doc,
                        r.body,
                        r.page_kind,
                        r.language,
                    ),
                )
                self.conn.execute("DELETE FROM entities WHERE doc_id = ?", (r.id,))
                self.conn.executemany(
                    "INSERT INTO entities (doc_id, type, name, mentions) VALUES (?,?,?,?)",
                    [(r.id, *e) for e in r.entities],
                )
                body = zlib.decompress(r.body).decode()  # once, for the copies and the word table
                if place:  # in order, within the transaction: a copy later in the batch finds the earlier one
                    copies.place(self.conn, _placement(r, body))
                texts += [body, r.title or ""]
            vocabulary.add(self.conn, texts)  # did-you-mean's words (index/vocabulary.py)

    def stage(self, docs: Iterable[EnrichedDoc], generation: str) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO staged (id, generation, doc) VALUES (?, ?, ?)",
                [(d.id, generation, pack(d)) for d in docs],
            )

    def recover_staged(self, live_generation: str | None) -> int:
        """After a crash: a rebuild swapped in but not yet recorded is applied; any other is dropped."""
        row = self.conn.execute("SELECT generation FROM staged LIMIT 1").fetchone()
        if row is None:
            return 0
        if live_generation is not None and row["generation"] == live_generation:
            return self.apply_staged()
        self.clear_staged()
        return 0

    def clear_staged(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM staged")

    def apply_staged(self, chunk: int = 500) -> int:
        """Move a finished rebuild's documents into the manifest, a chunk at a time (memory stays flat); then place
        every document among the copies again, in the order they were first seen (each against the new bodies
        of the others, not the old ones a rebuild replaces)."""
        with self.conn:
            copies.clear(self.conn)
        n = 0
        last = ""
        while True:
            rows = self.conn.execute(
                "SELECT id, doc FROM staged WHERE id > ? ORDER BY id LIMIT ?", (last, chunk)
            ).fetchall()
            if not rows:
                break
            self.record_indexed((unpack(r["doc"]) for r in rows), place=False)
            last = rows[-1]["id"]
            n += len(rows)
        self.clear_staged()
        self.refresh_copies()
        indexed = self.conn.execute("SELECT COUNT(*) FROM documents WHERE status = 'indexed'").fetchone()[0]
        if n and n == indexed:  # every document's words were just stored: did-you-mean's table is whole again
            vocabulary.mark_complete(self.conn)
        return n

    def record_recovered(self, rows: Iterable[dict[str, Any]]) -> None:
        """Rows of a manifest rebuilt by ``check --repair``: what was recovered of each indexed input (id, path,
        raw hash and what else is known), without the document itself, which the full rebuild that follows
        re-creates from the raw store."""
        now = time.time()
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO documents (id, path, url, source, kind, raw_hash, rules_version, status,"
                " first_seen, updated) VALUES (:id, :path, :url, :source, :kind, :raw_hash, :rules_version,"
                " 'indexed', :now, :now)",
                [{"url": None, "source": None, "kind": None, "rules_version": None, **r, "now": now} for r in rows],
            )

    def restore_runs(self, runs: Iterable[tuple[str, float, float | None, str | None]]) -> None:
        """Run records (kind, started, finished, report JSON) read back from a damaged manifest."""
        with self.conn:
            self.conn.executemany("INSERT INTO runs (kind, started, finished, report) VALUES (?, ?, ?, ?)", runs)

    def record_quarantined(self, items: Iterable[tuple[str, Quarantined]]) -> None:
        now = time.time()
        with self.conn:
            for doc_id, q in items:
                self.conn.execute(
                    "INSERT INTO documents (id, path, status, reason, first_seen, updated) "
                    "VALUES (?,?,'quarantined',?,?,?) ON CONFLICT(id) DO UPDATE SET path=excluded.path,"
                    " status='quarantined', reason=excluded.reason, updated=excluded.updated, doc=NULL, body=NULL,"
                    " raw_hash=NULL, clean_hash=NULL",
                    (doc_id, q.path, q.reason, now, now),
                )
                self.conn.execute("DELETE FROM entities WHERE doc_id = ?", (doc_id,))
                copies.leave(self.conn, doc_id)

    def mark_rules_version(self, ids: Iterable[str], version: str) -> None:
        """Documents whose cleaned text did not change under new rules: record the version, touch nothing else."""
        with self.conn:
            self.conn.executemany("UPDATE documents SET rules_version = ? WHERE id = ?", [(version, i) for i in ids])

    def update_explanations(self, docs: Iterable[CleanDoc]) -> None:
        """Same cleaned text under new rules, other rule names for the removed lines: refresh what --explain
        shows without touching the index entry."""
        from newsdex.models import removed_hash

        with self.conn:
            for new in docs:
                old = self.get(new.id)
                if old is None:
                    continue
                doc = old.model_copy(
                    update={"removed": new.removed, "trace": new.trace, "rules_version": new.rules_version}
                )
                self.conn.execute(
                    "UPDATE documents SET doc = ?, rules_version = ?, removed_hash = ? WHERE id = ?",
                    (pack(doc), new.rules_version, removed_hash(new.removed), new.id),
                )

    def remove(self, ids: Iterable[str]) -> None:
        with self.conn:
            for i in ids:
                self.conn.execute("DELETE FROM documents WHERE id = ?", (i,))
                self.conn.execute("DELETE FROM entities WHERE doc_id = ?", (i,))
                copies.leave(self.conn, i)

    def start_run(self, kind: str) -> int:
        with self.conn:
            cur = self.conn.execute("INSERT INTO runs (kind, started) VALUES (?, ?)", (kind, time.time()))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, report: dict[str, Any]) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished = ?, report = ? WHERE id = ?",
                (time.time(), json.dumps(report, default=str), run_id),
            )


def open_readonly(path: Path) -> Manifest | None:
    if not path.exists():
        return None
    return Manifest(path, readonly=True)


def _storable(path: str) -> str | bytes:
    """``path`` as SQLite can keep it: its bytes when it is no UTF-8 (a name read as surrogate escapes)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)
