"""The date histogram of a search: how many matching documents were published per day, month or year.

Read from the ``published`` column of the live generation (a DATETIME field stored as microseconds since
0001-01-01; undated documents hold the column's largest value), one lookup per matching document: every match
is counted, not only the top hits.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from newsdex.errors import FilterError
from newsdex.index import whoosh_internals as internals

INTERVALS = ("day", "month", "year")
MAX_BUCKETS = 400  # periods in a histogram at most: a finer interval that needs more is made coarser
_USEC_PER_DAY = 86_400 * 1_000_000
_LAST_ORDINAL = date.max.toordinal()


def histogram(searcher: Any, docnums: Iterable[int], interval: str = "auto") -> dict[str, Any]:
    """``{"interval", "counts": [{"period": name, "count": n}, …], "undated": n}``: every period from the
    first dated match to the last (empty ones count 0), oldest first. ``auto`` picks the interval from the span:
    days up to two months, months up to eight years, else years."""
    if interval not in ("auto", *INTERVALS):
        raise FilterError(f"unknown interval {interval!r} (auto, {', '.join(INTERVALS)})")
    column = _published_all(searcher)
    raw: Counter[int] = Counter(map(column.__getitem__, docnums))  # value -> matches: many share a date
    undated = 0
    days: Counter[int] = Counter()
    for value, n in raw.items():
        ordinal = value // _USEC_PER_DAY + 1
        if 1 <= ordinal <= _LAST_ORDINAL:
            days[ordinal] += n
        else:
            undated += n
    if not days:
        return {"interval": None if interval == "auto" else interval, "counts": [], "undated": undated}
    first, last = date.fromordinal(min(days)), date.fromordinal(max(days))
    chosen = _auto(first, last) if interval == "auto" else interval
    while chosen != "year" and _periods(first, last, chosen) > MAX_BUCKETS:
        chosen = INTERVALS[INTERVALS.index(chosen) + 1]
    counts: Counter[str] = Counter()
    for ordinal, n in days.items():
        counts[_name(date.fromordinal(ordinal), chosen)] += n
    return {
        "interval": chosen,
        "counts": [{"period": name, "count": counts.get(name, 0)} for name in _names(first, last, chosen)],
        "undated": undated,
    }


def _published_all(searcher: Any) -> Sequence[int]:
    """Every document's ``published`` value by global docnum, made once per searcher: the segments' columns end
    to end (Whoosh's multi-segment column fails when no segment has the column), a segment without a dated
    document holding the undated value."""
    cached = searcher.__dict__.get("_newsdex_published")
    if cached is None:
        cached = array("Q")
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            column = segment_published(reader)
            n = reader.doc_count_all()
            cached.extend(
                column
                if isinstance(column, array)
                else [_UNDATED] * n
                if column is None
                else [column[i] for i in range(n)]
            )
        searcher.__dict__["_newsdex_published"] = cached
    return cached


_UNDATED = 2**64 - 1  # what Whoosh's DATETIME column holds for a document without the field
LAST_DATED = _LAST_ORDINAL * _USEC_PER_DAY - 1  # the largest value a dated document can hold (9999-12-31)


def segment_published(reader: Any) -> Sequence[int] | None:
    """``_published`` of one segment, read once per opened segment reader (a date filter reads it per search)."""
    cache = reader.__dict__
    if "_newsdex_published" not in cache:
        cache["_newsdex_published"] = _published(reader)
    return cache["_newsdex_published"]


def _published(reader: Any) -> Sequence[int] | None:
    """A segment's ``published`` values, one per document: the column's bytes in one read (8 bytes a document)
    rather than a read and an unpack per match; Whoosh's own reader for a column of another shape. None when the
    segment has no dated document."""
    if not reader.has_column("published"):
        return None
    column = reader.column_reader("published", translate=False)
    fast = internals.numeric_values(column, reader.doc_count_all()) if internals.fast_paths() else None
    return column if fast is None else fast


def _auto(first: date, last: date) -> str:
    span = (last - first).days
    return "day" if span <= 62 else "month" if span <= 8 * 366 else "year"


def _name(d: date, interval: str) -> str:
    return d.isoformat() if interval == "day" else f"{d:%Y-%m}" if interval == "month" else f"{d.year:04d}"


def _periods(first: date, last: date, interval: str) -> int:
    if interval == "day":
        return (last - first).days + 1
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def _names(first: date, last: date, interval: str) -> list[str]:
    if interval == "day":
        return [date.fromordinal(o).isoformat() for o in range(first.toordinal(), last.toordinal() + 1)]
    if interval == "month":
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months]
    return [f"{y:04d}" for y in range(first.year, last.year + 1)]
