"""The errors newsdex tells a user about, one vocabulary for the library, the CLI and the web page.

A ``UserError`` is something the user can fix: a bad query, filter or id, no index yet, an index another process
is writing. The CLI turns one into exit code 1 with its one-line message, the web page into a 4xx (503 for an
index that cannot be read). ``IndexDamaged`` is the user's to repair (exit 1 too, pointing at ``check --repair``).
Anything else that escapes is a bug: exit code 2 (HTTP 500) with its one line, never taken for bad usage.

QueryError and FilterError are also ValueErrors, as the library raised before this vocabulary: a caller that
caught ValueError around a search still catches them.
"""

from __future__ import annotations

REPAIR_HINT = "run `newsdex check --repair`"


class UserError(Exception):
    """Bad input or a state of the index the user can change: exit 1 / HTTP 4xx, one line."""

    status = 400  # the web page's answer


class QueryError(UserError, ValueError):
    """A query that cannot be run: too long, too deeply nested, unparseable, too many expansions."""


class FilterError(UserError, ValueError):
    """A filter or another search parameter out of bounds: an unknown entity type, a date that is not one, an
    unknown sort or interval, an offset too deep."""


class AmbiguousId(UserError, ValueError):
    """An id prefix several documents share, or an empty reference."""


class IndexMissing(UserError, RuntimeError):
    """No index yet at this path."""

    status = 503


class IndexBusy(UserError, RuntimeError):
    """Another process holds the index's write lock."""

    status = 503


class NotAnIndex(UserError, RuntimeError):
    """The folder is not one newsdex made (no marker, not an index of an earlier version) and is not empty, or it
    holds an index of a newer format: newsdex writes nothing into it."""


class IndexReadOnly(UserError, RuntimeError):
    """The index folder cannot be written (a read-only mount or permissions): writers stop with one line."""


class IndexDamaged(RuntimeError):
    """The index folder is damaged; the message says what and how to repair it (one line)."""

    status = 503

    def __init__(self, what: str) -> None:
        self.what = " ".join(what.split())  # one line, whatever the underlying error printed
        super().__init__(f"damaged index: {self.what}; {REPAIR_HINT}")
