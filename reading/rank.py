"""Ranking: the top of a query's matches within a filter, scored by reading/scoring.py when it can (every match
scored once, exact total) or by Whoosh's own collector; by relevance (ties by document id) or by date."""

from __future__ import annotations

import time
from typing import Any

from whoosh import query as wq
from whoosh.query import Query
from whoosh.sorting import FieldFacet

from newsdex.errors import FilterError
from newsdex.index import whoosh_internals as internals
from newsdex.reading import scoring
from newsdex.reading.stored import stored_fields, ties_by_id

SORTS = ("relevance", "newest", "oldest")


def sort_facets(sort: str) -> dict[str, Any]:
    """Whoosh's ``sortedby`` for a sort by date (nothing for relevance); FilterError for an unknown sort."""
    if sort in ("newest", "oldest"):
        # Dated documents first, then by date: Whoosh would otherwise put the undated ones at the top.
        newest = sort == "newest"
        return {"sortedby": [FieldFacet("dated", reverse=True), FieldFacet("published", reverse=newest)]}
    if sort != "relevance":
        raise FilterError(f"unknown sort {sort!r} (relevance, newest or oldest)")
    return {}


def counting_collector(searcher: Any, window: int, filt: Any, sort_kwargs: dict[str, Any]) -> Any:
    """Whoosh's collector for the top ``window`` hits, made to see every match once: no block-quality skipping
    and no matcher replacement (both drop documents that cannot reach the top, which Whoosh then finds again
    with a second run of the whole query to count them: a third of a warm search at 50k documents). The one
    pass scores, keeps the top hits and counts; the filter applies within it, so the total is the filtered one.
    """
    collector = searcher.collector(limit=window, filter=filt, optimize=False, **sort_kwargs)
    inner = getattr(collector, "child", collector)  # a FilterCollector wraps the top-N collector
    if hasattr(inner, "replace"):
        inner.replace = 0
    return collector


def resolved(searcher: Any, filt: Query) -> Any:
    """The filter for Whoosh's collector: its documents as a set when reading/scoring.py can list them (a date
    range from the column, not Whoosh's tiered terms), else the query itself."""
    allowed = scoring.matching(searcher, filt)
    if allowed is None:
        return filt
    return allowed or {-1}  # Whoosh takes an empty set for "no filter": -1 is no document's number


def scored(searcher: Any, q: Query, window: int, filt: Query | None) -> Any:
    """Whoosh ``Results`` for a relevance search scored by reading/scoring.py, or None when the query's shape
    is left to Whoosh's matchers."""
    started = time.perf_counter()
    scores = scoring.evaluate(searcher, q, restrict=filt)
    if scores is None:
        return None
    # every match in the docset, for the date histogram
    return internals.results(searcher, q, scoring.top(scores, window), time.perf_counter() - started, scores.keys())


class Ranking:
    """One query's ranking within a filter, read a window at a time: ``top(window)`` gives Whoosh ``Results``
    (every match counted) and the stored fields of its top ``window`` hits, in their order."""

    def __init__(self, searcher: Any, q: Query, filt: Query | None, sort: str) -> None:
        self.searcher, self.q, self.filt, self.sort = searcher, q, filt, sort
        self.sort_kwargs = sort_facets(sort)
        self._whoosh_filter: Any = None

    def top(self, window: int) -> tuple[Any, list[dict[str, Any]]]:
        results = scored(self.searcher, self.q, window, self.filt) if not self.sort_kwargs else None
        if results is None:  # a shape reading/scoring.py leaves to Whoosh, or a sort by date
            if self._whoosh_filter is None and self.filt is not None:
                self._whoosh_filter = resolved(self.searcher, self.filt)
            collector = counting_collector(self.searcher, window, self._whoosh_filter, self.sort_kwargs)
            self.searcher.search_with_collector(self.q, collector)
            results = collector.results()
        stored = stored_fields(self.searcher, [docnum for _, docnum in results.top_n])
        if self.sort == "relevance":
            results.top_n, stored = ties_by_id(results.top_n, stored)
        return results, stored


def matching_ids(searcher: Any, q: Query, filt: Query | None) -> list[str]:
    """The id of every document matching ``q`` within ``filt``, best ranked first, ties by id; every document in
    id order for ``Every``. No window: all of them, one document's stored fields read at a time."""
    scores = scoring.evaluate(searcher, q, restrict=filt) if not isinstance(q, wq.Every) else None
    if scores is None:  # a shape left to Whoosh: its own collector, no limit
        results = searcher.search(q, filter=filt, limit=None, optimize=False)
        scores = {docnum: score or 0.0 for score, docnum in results.top_n}
    docnums = list(scores)
    ids = [stored_fields(searcher, [d], cache=False)[0]["id"] for d in docnums]
    if isinstance(q, wq.Every):
        return sorted(ids)
    order = sorted(range(len(docnums)), key=lambda i: (-round(float(scores[docnums[i]]), 9), ids[i]))
    return [ids[i] for i in order]
