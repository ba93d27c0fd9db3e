"""SQLite helpers shared by the manifest and the copies tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

CHUNK = 500  # values per statement: well under SQLite's bound on variables (999 before 3.32)


def rows_in(conn: sqlite3.Connection, sql: str, values: Sequence[Any], chunk: int = CHUNK) -> Iterator[Any]:
    """The rows of ``sql`` for every value, ``{marks}`` in it replaced by the placeholders of a chunk of values."""
    for i in range(0, len(values), chunk):
        part = list(values[i : i + chunk])
        yield from conn.execute(sql.format(marks=",".join("?" * len(part))), part)
