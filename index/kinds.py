"""Which kinds of page a read shows: articles by default; listings and other pages (tasks/clean/metadata/kind.py)
only when asked (``--kind all``, ``--kind listing``…). Documents indexed before kinds have no ``kind`` and count
as articles."""

from __future__ import annotations

from typing import Any

KINDS = ("article", "listing", "other")
CHOICES = (*KINDS, "all")
DEFAULT = "article"


def check(kind: str | None) -> str:
    """The kind asked for, or ValueError naming the choices."""
    value = (kind or DEFAULT).strip().lower()
    if value not in CHOICES:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(CHOICES)})")
    return value


def kind_filter(kind: str | None, schema: Any | None = None) -> Any | None:
    """The Whoosh filter for ``kind``: None for all; articles are every document that is not a listing or
    another page (an index made before kinds holds no ``kind`` field: every document is an article)."""
    from whoosh.query import Not, Or, Term

    value = check(kind)
    if value == "all":
        return None
    if schema is not None and "kind" not in schema:
        return None if value == "article" else Term("kind", value)  # no such field: nothing matches a non-article
    if value == "article":
        return Not(Or([Term("kind", "listing"), Term("kind", "other")]))
    return Term("kind", value)
