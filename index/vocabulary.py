"""The archive's own words, kept in the manifest at index time for did-you-mean: every word of a title or body,
with the keys that find it from a misspelling.

A misspelt query word must be matched against the index's words fast, whatever the archive's size. Walking
Whoosh's term table with an edit-distance automaton takes seconds at 50k documents; here each word is stored
under itself and each of its one-letter deletions (the symmetric-delete method of SymSpell), so the words within
one edit of a query word, and many within two, are an indexed lookup of a few dozen keys. Which of them the
archive still holds, and how often, is asked of the live index (its document frequency), so a word whose
documents were deleted is never suggested and the table is only ever added to.
"""

from __future__ import annotations

import re
import sqlite3
import zlib
from collections.abc import Iterable

from newsdex.index.analysis import CJK_TEXT
from newsdex.index.sql import rows_in

SCHEMA = """
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS word_keys (
    key TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (key, word)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS words_meta (version TEXT NOT NULL);
"""
VERSION = "lower-alpha-4-30-d1-nocjk"  # change it whenever ``words_of`` or ``keys`` changes
WORD_CHARS = (4, 30)  # shorter words have too many neighbours to suggest well, longer ones are not typos
_WORD = re.compile(r"\w+")


def words_of(text: str) -> set[str]:
    """The words a suggestion may offer: lower-cased, letters only, WORD_CHARS long. Not Chinese, Japanese or
    Korean text: written without spaces, a "word" here is a clause (index/analysis.py segments it; a misspelling
    of a clause is not what did-you-mean corrects)."""
    lo, hi = WORD_CHARS
    return {w for w in _WORD.findall(text.lower()) if lo <= len(w) <= hi and w.isalpha() and not CJK_TEXT.search(w)}


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def keys(word: str) -> set[str]:
    """The keys a word is stored under: itself and its one-letter deletions."""
    return {word} | deletions(word)


def lookup_keys(word: str, distance: int) -> set[str]:
    """The keys to look a query word up by: its own keys, and for ``distance`` 2 its two-letter deletions too
    (a stored word then shares a key with it when the two are within two edits, and with some at three)."""
    found = keys(word)
    if distance >= 2:
        for d in deletions(word):
            found |= deletions(d)
    return found


def add(conn: sqlite3.Connection, texts: Iterable[str]) -> int:
    """Store the words of ``texts`` not stored yet; returns how many were new. Runs in the caller's
    transaction."""
    seen: set[str] = set()
    for text in texts:
        seen |= words_of(text)
    if not seen:
        return 0
    known = {r[0] for r in rows_in(conn, "SELECT word FROM words WHERE word IN ({marks})", sorted(seen))}
    new = sorted(seen - known)
    conn.executemany("INSERT OR IGNORE INTO words (word) VALUES (?)", [(w,) for w in new])
    conn.executemany(
        "INSERT OR IGNORE INTO word_keys (key, word) VALUES (?, ?)", [(k, w) for w in new for k in keys(w)]
    )
    return len(new)


def available(conn: sqlite3.Connection) -> bool:
    """Whether the table holds every indexed document's words (False for an index made before it existed,
    until a writer fills it: ``fill``)."""
    try:
        row = conn.execute("SELECT version FROM words_meta").fetchone()
    except sqlite3.OperationalError:  # a manifest older than the table, opened read-only
        return False
    return row is not None and row[0] == VERSION


def candidates(conn: sqlite3.Connection, word: str, distance: int, limit: int = 200) -> list[str]:
    """Stored words sharing a key with ``word`` (its neighbours within about ``distance`` edits; the caller
    checks the true distance), at most ``limit``."""
    probe = sorted(lookup_keys(word, distance))
    rows = rows_in(conn, "SELECT DISTINCT word FROM word_keys WHERE key IN ({marks})", probe)
    return sorted({r[0] for r in rows} - {word})[:limit]


def fill(conn: sqlite3.Connection, chunk: int = 500) -> int:
    """Store the words of every indexed document (an index made before the table existed), a chunk of
    documents per transaction, then mark the table complete. O(1) once done."""
    if available(conn):
        return 0
    n, last = 0, ""
    while True:
        rows = conn.execute(
            "SELECT id, body, doc FROM documents WHERE status = 'indexed' AND id > ? ORDER BY id LIMIT ?",
            (last, chunk),
        ).fetchall()
        if not rows:
            break
        with conn:
            add(conn, (zlib.decompress(r[1]).decode() for r in rows if r[1]))
            # Titles are searched too; the document JSON holds them (the body does not).
            add(conn, (_title(r[2]) for r in rows if r[2]))
        last, n = rows[-1][0], n + len(rows)
    mark_complete(conn)
    return n


def mark_complete(conn: sqlite3.Connection) -> None:
    """Record that the table holds every indexed document's words (``fill`` did it, or a full rebuild wrote
    every document again)."""
    with conn:
        conn.execute("DELETE FROM words_meta")
        conn.execute("INSERT INTO words_meta (version) VALUES (?)", (VERSION,))


def _title(doc: bytes) -> str:
    import json

    return json.loads(zlib.decompress(doc)).get("title") or ""


def distance(a: str, b: str, bound: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), or ``bound + 1`` once it exceeds
    ``bound``."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > bound:
            return bound + 1
        prev2, prev = prev, cur
    return prev[-1]
