"""Clusters of copies in the manifest: every indexed document has a ``copies`` row (its cluster, fingerprint and
what picks a representative) and, when its body is long enough, one ``bands`` row per LSH band key.

A document placed here is compared with the whole archive at the cost of a few indexed lookups: its exact body
hash, then the documents sharing one of its band keys (the ones sharing most bands first, a few per cluster),
each confirmed on the two cleaned bodies (``fingerprint.best_match``). It joins the cluster of its best confirmed
match, else founds its own. Clusters are never merged wholesale: two clusters join only through a document that
is confirmed a copy, so two stories about one event (same names, other text) stay apart.

The representative of a cluster is computed when read, never stored: the earliest published member, else the
longest body, else the first seen, else the smallest id. A cluster's key is an internal label (its founder's id,
or the representative's when the founder leaves); what the commands show is the representative.

Called by ``Manifest`` inside its write transactions, so the clusters always describe the rows it holds.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable
from typing import NamedTuple

from newsdex.index import fingerprint as fp

SCHEMA = """
CREATE TABLE IF NOT EXISTS copies (
    doc_id TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    body_hash TEXT,                  -- normalised body words: equal for exact copies (NULL: too short to compare)
    text_hash TEXT,                  -- title and blocks (CleanDoc.text_hash): whose entities an exact copy reuses
    title TEXT,
    published TEXT,
    words INTEGER NOT NULL DEFAULT 0,
    first_seen REAL NOT NULL,
    version TEXT,                    -- fingerprint.Params.version of the band keys
    similarity REAL                  -- containment in the member it was confirmed against when it joined
);
CREATE INDEX IF NOT EXISTS copies_cluster ON copies(cluster);
CREATE INDEX IF NOT EXISTS copies_body ON copies(body_hash);
CREATE INDEX IF NOT EXISTS copies_text ON copies(text_hash);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    doc_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bands_key ON bands(key);
CREATE INDEX IF NOT EXISTS bands_doc ON bands(doc_id);
"""

MAX_CANDIDATES = 12  # bodies confirmed per new document (the cost of a copy is bounded, whatever the cluster size)
PER_CLUSTER = 2  # of which at most this many from one cluster: one confirmed member is enough to join it


def representative_order(t: str = "") -> str:
    """SQL ORDER BY terms that put a cluster's representative first (``t``: the copies table's alias and dot)."""
    return f"({t}published IS NULL), {t}published, {t}words DESC, {t}first_seen, {t}doc_id"


REPRESENTATIVE_ORDER = representative_order()


class Placement(NamedTuple):
    doc_id: str
    body: str
    fingerprint: fp.Fingerprint | None
    text_hash: str | None
    title: str | None
    published: str | None


def leave(conn: sqlite3.Connection, doc_id: str) -> None:
    """Take a document out of its cluster (deleted, quarantined, or about to be placed again). When it was the
    cluster's key, the others stay together under their representative's id."""
    row = conn.execute("SELECT cluster FROM copies WHERE doc_id = ?", (doc_id,)).fetchone()
    conn.execute("DELETE FROM bands WHERE doc_id = ?", (doc_id,))
    if row is None:
        return
    conn.execute("DELETE FROM copies WHERE doc_id = ?", (doc_id,))
    if row[0] == doc_id:
        heir = conn.execute(
            f"SELECT doc_id FROM copies WHERE cluster = ? ORDER BY {REPRESENTATIVE_ORDER} LIMIT 1", (doc_id,)
        ).fetchone()
        if heir is not None:
            conn.execute("UPDATE copies SET cluster = ? WHERE cluster = ?", (heir[0], doc_id))


def _bodies(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        f"SELECT id, body FROM documents WHERE status = 'indexed' AND body IS NOT NULL AND id IN "
        f"({','.join('?' * len(ids))})", ids,
    )
    return {r[0]: zlib.decompress(r[1]).decode() for r in rows}


def _candidates(conn: sqlite3.Connection, doc_id: str, keys: list[int]) -> list[tuple[str, str]]:
    """(id, cluster) of documents sharing a band key, most shared keys first, a few per cluster."""
    rows = conn.execute(
        f"SELECT b.doc_id, c.cluster, COUNT(*) n FROM bands b JOIN copies c ON c.doc_id = b.doc_id "
        f"WHERE b.key IN ({','.join('?' * len(keys))}) AND b.doc_id != ? "
        f"GROUP BY b.doc_id ORDER BY n DESC, b.doc_id LIMIT 200",
        [*keys, doc_id],
    ).fetchall()
    per: dict[str, int] = {}
    out = []
    for cand, cluster, _ in rows:
        if per.get(cluster, 0) < PER_CLUSTER:
            per[cluster] = per.get(cluster, 0) + 1
            out.append((cand, cluster))
            if len(out) >= MAX_CANDIDATES:
                break
    return out


def place(conn: sqlite3.Connection, p: Placement, params: fp.Params = fp.DEFAULT) -> str:
    """(Re)place one indexed document (its ``documents`` row already written): its cluster key afterwards."""
    leave(conn, p.doc_id)
    seen = conn.execute("SELECT first_seen FROM documents WHERE id = ?", (p.doc_id,)).fetchone()
    first_seen = seen[0] if seen else 0.0
    cluster, similarity = p.doc_id, None
    f = p.fingerprint
    if f is not None:
        exact = conn.execute(
            "SELECT cluster FROM copies WHERE body_hash = ? AND doc_id != ? LIMIT 1", (f.body_hash, p.doc_id)
        ).fetchone()
        if exact is not None:
            cluster, similarity = exact[0], 1.0
        else:
            candidates = _candidates(conn, p.doc_id, f.bands)
            if candidates:
                clusters = dict(candidates)
                bodies = _bodies(conn, [c for c, _ in candidates])
                best = fp.best_match(p.body, [(c, bodies[c]) for c, _ in candidates if c in bodies], params)
                if best is not None:
                    cluster, similarity = clusters[best[0]], fp.similarity(best[1])
        conn.executemany("INSERT INTO bands (key, doc_id) VALUES (?, ?)", [(k, p.doc_id) for k in f.bands])
    conn.execute(
        "INSERT INTO copies (doc_id, cluster, body_hash, text_hash, title, published, words, first_seen, version,"
        " similarity) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (p.doc_id, cluster, f.body_hash if f else None, p.text_hash, p.title, p.published,
         f.words if f else len(fp.words(p.body)), first_seen, params.version, similarity),
    )
    return cluster


def stale(conn: sqlite3.Connection, params: fp.Params = fp.DEFAULT, limit: int = 500) -> list[str]:
    """Indexed documents without a ``copies`` row of the current fingerprint version (indexed before copies were
    found, or under other settings): ``Manifest.refresh_copies`` places them from their stored bodies."""
    rows = conn.execute(
        "SELECT d.id FROM documents d LEFT JOIN copies c ON c.doc_id = d.id WHERE d.status = 'indexed'"
        " AND d.body IS NOT NULL AND (c.doc_id IS NULL OR c.version IS NOT ?) ORDER BY d.first_seen, d.id LIMIT ?",
        (params.version, limit),
    )
    return [r[0] for r in rows]


# -- reads ---------------------------------------------------------------------------------------------------


def available(conn: sqlite3.Connection) -> bool:
    """Whether this manifest has the copies tables (a read-only open of one written before them has not)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'copies'").fetchone() is not None


def clusters_of(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """The cluster key of each of ``ids`` that has copies in the archive (ids alone in theirs are left out)."""
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = conn.execute(
            f"SELECT c.doc_id, c.cluster FROM copies c WHERE c.doc_id IN ({','.join('?' * len(chunk))}) AND "
            "EXISTS (SELECT 1 FROM copies o WHERE o.cluster = c.cluster AND o.doc_id != c.doc_id)",
            chunk,
        )
        out.update({r[0]: r[1] for r in rows})
    return out


def members(conn: sqlite3.Connection, cluster: str) -> list[sqlite3.Row]:
    """A cluster's members, representative first (``REPRESENTATIVE_ORDER``), with what the commands print."""
    return conn.execute(
        f"SELECT c.doc_id id, d.path, d.url, d.source, c.title, c.published, c.words, c.similarity FROM copies c "
        f"JOIN documents d ON d.id = c.doc_id AND d.status = 'indexed' WHERE c.cluster = ? "
        f"ORDER BY {representative_order('c.')}",
        (cluster,),
    ).fetchall()


def clusters(conn: sqlite3.Connection, min_size: int = 2) -> Iterable[str]:
    """Cluster keys with at least ``min_size`` members, the largest first."""
    rows = conn.execute(
        "SELECT cluster, COUNT(*) n FROM copies GROUP BY cluster HAVING n >= ? ORDER BY n DESC, cluster",
        (max(1, min_size),),
    )
    return [r[0] for r in rows]


def cluster_of(conn: sqlite3.Connection, doc_id: str) -> str | None:
    row = conn.execute("SELECT cluster FROM copies WHERE doc_id = ?", (doc_id,)).fetchone()
    return row[0] if row else None


def originals(conn: sqlite3.Connection, text_hashes: list[str]) -> dict[str, str]:
    """For each text hash, an indexed document with exactly that title and text (the first seen)."""
    out: dict[str, str] = {}
    for i in range(0, len(text_hashes), 500):
        chunk = text_hashes[i : i + 500]
        rows = conn.execute(
            f"SELECT c.text_hash, c.doc_id FROM copies c JOIN documents d ON d.id = c.doc_id AND d.status = 'indexed'"
            f" AND d.doc IS NOT NULL WHERE c.text_hash IN ({','.join('?' * len(chunk))}) ORDER BY c.first_seen DESC",
            chunk,
        )
        out.update({r[0]: r[1] for r in rows})  # the earliest wins (ordered last)
    return out
