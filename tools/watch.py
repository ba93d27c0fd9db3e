"""Watching a running ingest from outside (tests, benchmarks): how many documents its index holds so far."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def indexed_rows(index: Path) -> int:
    """Documents indexed so far in ``index`` (0 until the manifest exists): read-only, never blocking the
    writer."""
    path = index / "manifest.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents WHERE status = 'indexed'").fetchone()[0]
    except sqlite3.Error:
        return 0
