"""What a reader asks the archive for, as typed values: the CLI, the web page and export all build these, so the
query, the filters, the sort, the page, the copies and the histogram's interval are listed once, here."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

EVERY = "*"  # the query that matches every document (also the empty query)


class Filters(BaseModel):
    """Which documents a search may return: all of the given conditions hold (``languages``: any of them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entities: tuple[tuple[str, str], ...] = ()  # (TYPE, canonical name): the document mentions it, any spelling
    source: str | None = None
    since: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD: published on or after its first moment
    until: str | None = None  # ... on or before its last moment
    languages: tuple[str, ...] = ()  # ISO 639-1 codes


class Selection(BaseModel):
    """A set of documents: a query (search's syntax; empty or ``*``: every document) and filters. What export
    reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    query: str = ""
    filters: Filters = Filters()

    def every(self) -> bool:
        return self.query.strip() in ("", EVERY)


class SearchRequest(Selection):
    """One search: the documents (query, filters), their order (``relevance``, ``newest``, ``oldest``), the
    page (``limit`` stories from ``offset``), whether every copy of a story is its own hit, and the periods of
    the date histogram (``auto``, ``day``, ``month``, ``year``). Sort, interval and offset are checked when the
    search runs (a FilterError with the one-line message the CLI and the web page show)."""

    sort: str = "relevance"
    limit: int = 10
    offset: int = 0
    all_copies: bool = False
    interval: str = "auto"
