"""A search's filters as a Whoosh query: entity, source, languages (any of them), a date range and the kind of
page (articles unless asked otherwise)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from whoosh.query import And, DateRange, Not, NullQuery, Or, Query, Term

from newsdex.errors import FilterError
from newsdex.index.schema import ENTITY_FIELDS, name_key, name_term

if TYPE_CHECKING:
    from newsdex.reading.request import Filters


def parse_date(value: str, end: bool = False) -> datetime:
    """YYYY, YYYY-MM or YYYY-MM-DD; ``end`` gives the last moment of that period (for --until)."""
    parts = value.strip().split("-")
    try:
        if len(parts) == 1:
            start = datetime(int(parts[0]), 1, 1)
            nxt = datetime(start.year + 1, 1, 1)
        elif len(parts) == 2:
            start = datetime(int(parts[0]), int(parts[1]), 1)
            nxt = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1)
        elif len(parts) == 3:
            start = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
            nxt = start + timedelta(days=1)
        else:
            raise ValueError
    except ValueError:
        raise FilterError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)") from None
    return (nxt - timedelta(microseconds=1)) if end else start


def language_filter(languages: tuple[str, ...] | list[str]) -> Query | None:
    """Documents in any of ``languages``; an index built before languages were stored has none, so nothing
    matches. None without languages."""
    codes = sorted({code.strip().lower() for code in languages if code.strip()})
    terms: list[Query] = [Term("language", code) for code in codes]
    return (terms[0] if len(terms) == 1 else Or(terms)) if terms else None


KINDS = ("article", "listing", "other")
NOT_ARTICLES = ("listing", "other")


def check_kind(kind: str | None) -> str:
    """The kind asked for (``article`` when none), or FilterError naming the choices."""
    value = (kind or "article").strip().lower()
    if value not in (*KINDS, "all"):
        raise FilterError(f"unknown kind {kind!r} (one of {', '.join(KINDS)}, all)")
    return value


def kind_filter(kind: str | None, searcher: Any | None = None) -> Query | None:
    """Only documents of ``kind``: None for ``all``, and for articles when the index (``searcher``'s) holds no
    other kind (the usual case, and every index made before kinds, whose documents are articles), so a search
    pays for the filter only when there is something to leave out."""
    value = check_kind(kind)
    if value == "all":
        return None
    schema = searcher.schema if searcher is not None else None
    if schema is not None and "kind" not in schema:
        return None if value == "article" else NullQuery
    if value != "article":
        return Term("kind", value)
    if searcher is not None and not any(searcher.doc_frequency("kind", k) for k in NOT_ARTICLES):
        return None
    return Not(Or([Term("kind", k) for k in NOT_ARTICLES]))


def left_out(searcher: Any, kind: str | None) -> set[int]:
    """The docnums a read of ``kind`` leaves out (``similar``'s candidates): none for ``all``; for articles, the
    listings and other pages; for one other kind, every document not of it."""
    value = check_kind(kind)
    if value == "all" or "kind" not in searcher.schema:
        return set() if value in ("all", "article") else set(range(searcher.doc_count_all()))
    if value == "article":
        return {d for k in NOT_ARTICLES for d in searcher.docs_for_query(Term("kind", k))}
    keep = set(searcher.docs_for_query(Term("kind", value)))
    return {d for d in range(searcher.doc_count_all()) if d not in keep}


def build_filter(filters: Filters, schema: Any | None = None, searcher: Any | None = None) -> Query | None:
    """The filter of a search; ``schema``: the index's, whose analyzer makes an entity name's term;
    ``searcher``: the index's, to leave the kind filter out when there is nothing to filter."""
    parts: list[Query] = []
    kind = kind_filter(filters.kind, searcher)
    if kind is not None:
        parts.append(kind)
    for etype, name in filters.entities:
        field = ENTITY_FIELDS.get(etype.upper())
        if field is None:
            raise FilterError(f"unknown entity type {etype!r} (one of {', '.join(ENTITY_FIELDS)})")
        parts.append(Term(field, name_term(schema, field, name) if schema is not None else name_key(name)))
    if filters.source:
        parts.append(Term("source", filters.source.lower()))
    languages = language_filter(filters.languages)
    if languages is not None:
        parts.append(languages)
    since, until = filters.since, filters.until
    if since or until:
        parts.append(
            DateRange("published", parse_date(since) if since else None, parse_date(until, end=True) if until else None)
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
