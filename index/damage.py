"""A damaged index folder: the error every command turns into one line pointing at `newsdex check --repair`,
and which SQLite errors mean a damaged manifest (rather than a busy or unreachable one)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsdex.errors import REPAIR_HINT as REPAIR_HINT  # re-exported: the hint every damage message ends with
from newsdex.errors import IndexDamaged as IndexDamaged  # re-exported: defined with the other errors


def is_corruption(exc: BaseException) -> bool:
    """A damaged manifest file. SQLite reports a malformed or foreign file as a plain ``DatabaseError``; its
    ``OperationalError`` subclass is mostly the environment (locked, unreachable, disk full), except a file
    that lacks our tables (an empty or foreign file)."""
    if type(exc) is sqlite3.DatabaseError:
        return True
    return isinstance(exc, sqlite3.OperationalError) and any(
        s in str(exc) for s in ("malformed", "no such table", "no such column", "not a database")
    )


def manifest_damage(path: Path, exc: BaseException) -> IndexDamaged:
    return IndexDamaged(f"{path.name} does not read ({exc})")


@contextmanager
def manifest_guard(path: Path) -> Iterator[None]:
    """Turn an SQLite error that means a damaged manifest into IndexDamaged; other errors pass through."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        raise manifest_damage(path, exc) from None


def as_damage(exc: BaseException) -> IndexDamaged | None:
    """The IndexDamaged an error means, if any: the CLI's last resort, so that a damaged manifest met on a path
    that did not expect it is still one line and exit 1, not an internal error."""
    if isinstance(exc, IndexDamaged):
        return exc
    if is_corruption(exc):
        return IndexDamaged(f"manifest.sqlite does not read ({exc})")
    return None
