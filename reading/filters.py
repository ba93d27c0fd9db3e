"""A search's filters as a Whoosh query: entity, source, languages (any of them) and a date range."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from whoosh.query import And, DateRange, Or, Query, Term

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


def build_filter(filters: Filters, schema: Any | None = None) -> Query | None:
    """The filter of a search; ``schema``: the index's, whose analyzer makes an entity name's term."""
    parts: list[Query] = []
    for etype, name in filters.entities:
        field = ENTITY_FIELDS.get(etype.upper())
        if field is None:
            raise FilterError(f"unknown entity type {etype!r} (one of {', '.join(ENTITY_FIELDS)})")
        parts.append(Term(field, name_term(schema, field, name) if schema is not None else name_key(name)))
    if filters.source:
        parts.append(Term("source", filters.source.lower()))
    codes = sorted({code.strip().lower() for code in filters.languages if code.strip()})
    if codes:  # any of them; an index built before languages were stored has none, so nothing matches
        terms: list[Query] = [Term("language", code) for code in codes]
        parts.append(terms[0] if len(terms) == 1 else Or(terms))
    since, until = filters.since, filters.until
    if since or until:
        parts.append(
            DateRange("published", parse_date(since) if since else None, parse_date(until, end=True) if until else None)
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
