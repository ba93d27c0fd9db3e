"""What the read side remembers between searches, held by the searcher it was read from (and so by the
``Archive`` that owns that searcher): nothing is kept in module globals, so two Archives (the web server's
threads) never share a dictionary, and a searcher reopened after a commit starts afresh."""

from __future__ import annotations

import weakref
from typing import Any

MAX_ENTRIES = 200_000  # per dictionary: cleared when full (a bounded memo, not an LRU)


class Caches:
    """Memos of one searcher: decoded postings' positions, field lengths and norms per segment, document
    frequencies, word stems and decoded stored fields."""

    def __init__(self) -> None:
        self.lengths: weakref.WeakKeyDictionary[Any, dict[str, bytes]] = weakref.WeakKeyDictionary()  # per segment
        self.norms: dict[str, list[float]] = {}  # field -> BM25F length norm per length byte
        self.positions: dict[bytes, tuple[int, ...]] = {}  # a posting's encoded positions -> the positions
        self.doc_frequency: dict[tuple[str, str], int] = {}
        self.stems: dict[Any, dict[str, str]] = {}  # stemmer -> lowercased word -> stem
        self.surface: dict[Any, dict[str, str]] = {}  # analyzer chain -> word as written -> its indexed form
        self.stored: dict[int, dict[str, Any]] = {}  # global docnum -> decoded stored fields


def bounded(memo: dict[Any, Any], limit: int = MAX_ENTRIES) -> dict[Any, Any]:
    """``memo``, emptied first when it holds ``limit`` entries."""
    if len(memo) >= limit:
        memo.clear()
    return memo


def of(searcher: Any) -> Caches:
    """The memos of ``searcher``: made with it (reading/opening.py), or on first use for a searcher opened
    elsewhere (a test's own)."""
    found = searcher.__dict__.get("_newsdex_caches")
    if found is None:
        found = searcher.__dict__["_newsdex_caches"] = Caches()
    return found
