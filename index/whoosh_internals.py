"""Whoosh's private parts, in one place: what newsdex reads from Whoosh 2.7's default codec directly (below the
read side and the store alike), so that a Whoosh release that moves them breaks one module, not several."""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield


def length_bytes(perdoc: Any, field: str, count: int) -> bytes:
    """A segment's length byte of ``field`` for each of its ``count`` documents (0 where it has none), read
    from its length column in one piece (``perdoc``: the segment's W3PerDocReader)."""
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    raw = b"" if column is None else column._dbfile.get(column._basepos, column._count)
    return raw + bytes(count - len(raw))
