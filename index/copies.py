"""Clusters of copies in the manifest: every indexed document has a ``copies`` row (its cluster, fingerprint and
what picks a representative) and, when its body is long enough, one ``bands`` row per LSH band key.

A document placed here is compared with the whole archive at the cost of a few indexed lookups: its exact body
hash, then the documents sharing one of its band keys (a bounded number per key, the ones sharing most keys
first, a few per cluster), each confirmed on the two cleaned bodies (``fingerprint.best_match``). It joins the
cluster of its best confirmed match (``via``: that member), else founds its own. Clusters are never merged
wholesale: two clusters join only through a document that is confirmed a copy, so two stories about one event
(same names, other text) stay apart.

The ``via`` links make each cluster a tree of confirmed pairs. When a document leaves (deleted, quarantined,
changed), the members that joined through it are placed again, each with the members that joined through them:
a cluster held together only by the text that left splits, and a copy never stays in a cluster for a text that
is gone.

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
from newsdex.index.sql import rows_in

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
    via TEXT,                        -- the member it was confirmed a copy of when it joined (NULL: it founded)
    similarity REAL                  -- its containment in that member
);
CREATE TABLE IF NOT EXISTS copies_meta (  -- 'version': every indexed document placed under these settings
    name TEXT PRIMARY KEY,
    value TEXT
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
PER_KEY = 16  # documents read per band key: a key shared by a big cluster costs no more than a small one
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


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a ``copies`` table of an earlier layout up to this one (after ``SCHEMA`` ran). Its rows are placed
    again anyway: their version differs."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(copies)")}
    if "via" not in columns:
        conn.execute("ALTER TABLE copies ADD COLUMN via TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS copies_via ON copies(via)")


def _subtree(conn: sqlite3.Connection, root: str) -> list[str]:
    """``root`` and every member that joined through it, directly or not."""
    out, frontier = [root], [root]
    while frontier:
        rows = conn.execute(
            f"SELECT doc_id FROM copies WHERE via IN ({','.join('?' * len(frontier))})", frontier
        ).fetchall()
        frontier = [r[0] for r in rows]
        out += frontier
    return out


def leave(conn: sqlite3.Connection, doc_id: str, params: fp.Params = fp.DEFAULT) -> None:
    """Take a document out of its cluster (deleted, quarantined, or about to be placed again). Each member that
    joined through it is placed again, with the members that joined through that one: it rejoins the cluster
    only if it is confirmed a copy of another member."""
    row = conn.execute("SELECT cluster FROM copies WHERE doc_id = ?", (doc_id,)).fetchone()
    conn.execute("DELETE FROM bands WHERE doc_id = ?", (doc_id,))
    if row is None:
        return
    conn.execute("DELETE FROM copies WHERE doc_id = ?", (doc_id,))
    children = [
        r[0] for r in conn.execute("SELECT doc_id FROM copies WHERE via = ? ORDER BY first_seen, doc_id", (doc_id,))
    ]
    for child in children:  # each with its own subtree: a group of its own until it finds a match
        group = _subtree(conn, child)
        for i in range(0, len(group), 500):
            chunk = group[i : i + 500]
            conn.execute(
                f"UPDATE copies SET cluster = ? WHERE doc_id IN ({','.join('?' * len(chunk))})", [child, *chunk]
            )
        conn.execute("UPDATE copies SET via = NULL, similarity = NULL WHERE doc_id = ?", (child,))
    for child in children:
        found = _rematch(conn, child, params)
        if found is not None:
            cluster, via, similarity = found
            key = conn.execute("SELECT cluster FROM copies WHERE doc_id = ?", (child,)).fetchone()[0]
            conn.execute("UPDATE copies SET cluster = ? WHERE cluster = ?", (cluster, key))
            conn.execute("UPDATE copies SET via = ?, similarity = ? WHERE doc_id = ?", (via, similarity, child))
    if row[0] == doc_id:  # it was the key: the members outside its subtrees (none, in a tree) keep a member's id
        heir = conn.execute(
            f"SELECT doc_id FROM copies WHERE cluster = ? ORDER BY {REPRESENTATIVE_ORDER} LIMIT 1", (doc_id,)
        ).fetchone()
        if heir is not None:
            conn.execute("UPDATE copies SET cluster = ? WHERE cluster = ?", (heir[0], doc_id))


def _bodies(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        f"SELECT id, body FROM documents WHERE status = 'indexed' AND body IS NOT NULL AND id IN "
        f"({','.join('?' * len(ids))})",
        ids,
    )
    return {r[0]: zlib.decompress(r[1]).decode() for r in rows}


def _candidates(conn: sqlite3.Connection, doc_id: str, keys: list[int], own: str) -> list[tuple[str, str]]:
    """(id, cluster) of documents outside cluster ``own`` sharing a band key with ``doc_id``: at most
    ``PER_KEY`` read per key (a big cluster costs no more than a small one), most shared keys first, a few per
    cluster."""
    shared: dict[str, int] = {}
    for key in keys:
        for (cand,) in conn.execute("SELECT doc_id FROM bands WHERE key = ? LIMIT ?", (key, PER_KEY)):
            if cand != doc_id:
                shared[cand] = shared.get(cand, 0) + 1
    if not shared:
        return []
    ranked = sorted(shared, key=lambda c: (-shared[c], c))[:200]
    clusters = dict(
        conn.execute(
            f"SELECT doc_id, cluster FROM copies WHERE doc_id IN ({','.join('?' * len(ranked))})", ranked
        ).fetchall()
    )
    per: dict[str, int] = {}
    out = []
    for cand in ranked:
        cluster = clusters.get(cand)
        if cluster is None or cluster == own or per.get(cluster, 0) >= PER_CLUSTER:
            continue
        per[cluster] = per.get(cluster, 0) + 1
        out.append((cand, cluster))
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def _match(
    conn: sqlite3.Connection,
    doc_id: str,
    body: str,
    body_hash: str,
    keys: list[int],
    own: str,
    params: fp.Params,
) -> tuple[str, str, float] | None:
    """(cluster, member, similarity) of the best confirmed copy outside cluster ``own``, or None."""
    exact = conn.execute(
        "SELECT cluster, doc_id FROM copies WHERE body_hash = ? AND doc_id != ? AND cluster != ? LIMIT 1",
        (body_hash, doc_id, own),
    ).fetchone()
    if exact is not None:
        return exact[0], exact[1], 1.0
    candidates = _candidates(conn, doc_id, keys, own)
    if not candidates:
        return None
    clusters = dict(candidates)
    bodies = _bodies(conn, [c for c, _ in candidates])
    best = fp.best_match(body, [(c, bodies[c]) for c, _ in candidates if c in bodies], params)
    if best is None:
        return None
    return clusters[best[0]], best[0], fp.similarity(best[1])


def _rematch(conn: sqlite3.Connection, doc_id: str, params: fp.Params) -> tuple[str, str, float] | None:
    """``_match`` for a member already placed (its row and band keys stored), outside its current group."""
    row = conn.execute("SELECT cluster, body_hash FROM copies WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None or row[1] is None:
        return None
    body = _bodies(conn, [doc_id]).get(doc_id)
    if body is None:
        return None
    keys = [r[0] for r in conn.execute("SELECT key FROM bands WHERE doc_id = ?", (doc_id,))]
    return _match(conn, doc_id, body, row[1], keys, row[0], params)


def place(conn: sqlite3.Connection, p: Placement, params: fp.Params = fp.DEFAULT) -> str:
    """(Re)place one indexed document (its ``documents`` row already written): its cluster key afterwards."""
    leave(conn, p.doc_id, params)
    seen = conn.execute("SELECT first_seen FROM documents WHERE id = ?", (p.doc_id,)).fetchone()
    first_seen = seen[0] if seen else 0.0
    cluster, via, similarity = p.doc_id, None, None
    f = p.fingerprint
    if f is not None:
        found = _match(conn, p.doc_id, p.body, f.body_hash, f.bands, p.doc_id, params)
        if found is not None:
            cluster, via, similarity = found
        conn.executemany("INSERT INTO bands (key, doc_id) VALUES (?, ?)", [(k, p.doc_id) for k in f.bands])
    conn.execute(
        "INSERT INTO copies (doc_id, cluster, body_hash, text_hash, title, published, words, first_seen, version,"
        " via, similarity) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            p.doc_id,
            cluster,
            f.body_hash if f else None,
            p.text_hash,
            p.title,
            p.published,
            f.words if f else len(fp.words(p.body)),
            first_seen,
            params.version,
            via,
            similarity,
        ),
    )
    return cluster


def clear(conn: sqlite3.Connection) -> None:
    """Forget every placement (a full rebuild places every document again, in the order they were first seen)."""
    conn.execute("DELETE FROM copies")
    conn.execute("DELETE FROM bands")
    conn.execute("DELETE FROM copies_meta WHERE name = 'version'")


def settled(conn: sqlite3.Connection, params: fp.Params = fp.DEFAULT) -> bool:
    """Whether every indexed document was placed under ``params`` (an O(1) check: ``mark_settled`` records it)."""
    row = conn.execute("SELECT value FROM copies_meta WHERE name = 'version'").fetchone()
    return row is not None and row[0] == params.version


def mark_settled(conn: sqlite3.Connection, params: fp.Params = fp.DEFAULT) -> None:
    conn.execute("INSERT OR REPLACE INTO copies_meta (name, value) VALUES ('version', ?)", (params.version,))


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
    rows = rows_in(
        conn,
        "SELECT c.doc_id, c.cluster FROM copies c WHERE c.doc_id IN ({marks}) AND EXISTS "
        "(SELECT 1 FROM copies o WHERE o.cluster = c.cluster AND o.doc_id != c.doc_id)",
        ids,
    )
    return {r[0]: r[1] for r in rows}


def members(conn: sqlite3.Connection, cluster: str) -> list[sqlite3.Row]:
    """A cluster's members, representative first (``REPRESENTATIVE_ORDER``), with what the commands print."""
    return conn.execute(
        f"SELECT c.doc_id id, d.path, d.url, d.source, c.title, c.published, c.words, c.similarity FROM copies c "
        f"JOIN documents d ON d.id = c.doc_id AND d.status = 'indexed' WHERE c.cluster = ? "
        f"ORDER BY {representative_order('c.')}",
        (cluster,),
    ).fetchall()


def summary(conn: sqlite3.Connection, cluster: str, exclude: str, sources: int) -> tuple[int, list[str]]:
    """(members besides ``exclude``, up to ``sources`` of their distinct sources, representative first)."""
    count = conn.execute(
        "SELECT COUNT(*) FROM copies c JOIN documents d ON d.id = c.doc_id AND d.status = 'indexed' "
        "WHERE c.cluster = ? AND c.doc_id != ?",
        (cluster, exclude),
    ).fetchone()[0]
    rows = conn.execute(
        f"SELECT COALESCE(NULLIF(d.source, ''), d.path) FROM copies c JOIN documents d ON d.id = c.doc_id AND "
        f"d.status = 'indexed' WHERE c.cluster = ? AND c.doc_id != ? ORDER BY {representative_order('c.')} "
        f"LIMIT ?",
        (cluster, exclude, sources * 20),
    )
    return int(count), list(dict.fromkeys(r[0] for r in rows))[:sources]


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
    rows = rows_in(
        conn,
        "SELECT c.text_hash, c.doc_id FROM copies c JOIN documents d ON d.id = c.doc_id AND "
        "d.status = 'indexed' AND d.doc IS NOT NULL WHERE c.text_hash IN ({marks}) "
        "ORDER BY c.first_seen DESC",
        text_hashes,
    )
    return {r[0]: r[1] for r in rows}  # the earliest wins (ordered last)
