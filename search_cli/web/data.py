"""What the pages and the API read from the index: an Archive's read methods only (the server never writes to
the index folder; each worker thread has its own Archive: search_cli/web/readers.py), and the request
parameters checked against the library's bounds."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from newsdex.errors import IndexDamaged, UserError
from newsdex.index.schema import ENTITY_FIELDS
from newsdex.reading.archive import MAX_OFFSET, Archive
from newsdex.reading.query import MAX_QUERY_CHARS
from newsdex.reading.request import SearchRequest
from newsdex.reasons import one_line
from newsdex.search_cli import options
from newsdex.search_cli.output import document_ref, parse_languages, shown_ref

PAGE_SIZE = 20  # hits per page
MAX_PAGES = 10  # pages of a search: the ranking reaches PAGE_SIZE * MAX_PAGES stories at most
API_MAX_LIMIT = 100  # /api/search and /api/similar ?limit=
MAX_FILTERS = 10  # entity filters in one request
MAX_PARAM_CHARS = 200  # any parameter other than the query
SORTS = ("relevance", "newest", "oldest")
INTERVALS = ("auto", "day", "month", "year")
KINDS = ("article", "listing", "other", "all")  # the first is the default
ENTITY_TYPES = tuple(ENTITY_FIELDS)


class WebError(Exception):
    """A request answered with an error page (or JSON): status and a one-line message, never a traceback."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a read method; the user errors of newsdex.errors become WebErrors (bad input 400, no index or a
    damaged one 503). Anything else is a bug: the application's 500 page."""
    try:
        return fn(*args, **kwargs)
    except (UserError, IndexDamaged) as exc:  # QueryError, FilterError, AmbiguousId, IndexMissing, IndexDamaged
        raise WebError(exc.status, str(exc)) from None


def _one(params: Any, name: str, default: str = "") -> str:
    value = params.get(name, default)
    if len(value) > (MAX_QUERY_CHARS if name == "q" else MAX_PARAM_CHARS):
        bound = MAX_QUERY_CHARS if name == "q" else MAX_PARAM_CHARS
        raise WebError(400, f"{name} too long: {len(value):,} characters (at most {bound:,})")
    return value


def _int(params: Any, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WebError(400, f"{name} must be a whole number, got {raw[:20]!r}") from None
    if not low <= value <= high:
        raise WebError(400, f"{name} must be between {low} and {high}, got {value}")
    return value


def _choice(params: Any, name: str, choices: tuple[str, ...]) -> str:
    value = params.get(name) or choices[0]
    if value not in choices:
        raise WebError(400, f"{name} must be one of {', '.join(choices)}")
    return value


@dataclass
class SearchState:
    """Everything a search page shows, read from its URL (the URL is the whole state: shareable, and the back
    button returns to it)."""

    q: str = ""
    entity: list[str] = field(default_factory=list)  # TYPE:NAME, as --entity takes them
    source: str = ""
    lang: list[str] = field(default_factory=list)
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    interval: str = "auto"
    page: int = 1
    all_copies: bool = False  # every copy of a story as its own hit (the CLI's --all-copies)
    kind: str = "article"  # the CLI's --kind: article (default), listing, other or all

    @classmethod
    def from_params(cls, params: Any, max_page: int = MAX_PAGES) -> SearchState:
        entity = [e for e in params.getlist("entity") if e.strip()]
        lang = [c for c in params.getlist("lang") if c.strip()]
        if len(entity) > MAX_FILTERS or len(lang) > MAX_FILTERS:
            raise WebError(400, f"at most {MAX_FILTERS} entity and {MAX_FILTERS} language filters")
        for value in entity + lang:
            if len(value) > MAX_PARAM_CHARS:
                raise WebError(400, f"filter too long: {len(value):,} characters (at most {MAX_PARAM_CHARS})")
        return cls(
            q=_one(params, "q"),
            entity=list(dict.fromkeys(entity)),
            source=_one(params, "source").strip(),
            lang=list(dict.fromkeys(lang)),
            since=_one(params, "since").strip(),
            until=_one(params, "until").strip(),
            sort=_choice(params, "sort", SORTS),
            interval=_choice(params, "interval", INTERVALS),
            page=_int(params, "page", 1, 1, max_page),
            all_copies=_int(params, "all_copies", 0, 0, 1) == 1,
            kind=_choice(params, "kind", KINDS),
        )

    def filtered(self) -> bool:
        return bool(self.entity or self.source or self.lang or self.since or self.until or self.kind != "article")

    def empty(self) -> bool:
        return not self.q.strip() and not self.filtered()

    def pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """The state as URL parameters, with ``changes`` applied; defaults and empty values left out."""
        values = {**self.__dict__, **changes}
        out: list[tuple[str, str]] = []
        for name in (
            "q",
            "entity",
            "source",
            "lang",
            "since",
            "until",
            "sort",
            "interval",
            "all_copies",
            "kind",
            "page",
        ):
            value = values[name]
            if isinstance(value, bool):
                value = int(value)
            for item in value if isinstance(value, list) else [value]:
                if item in ("", None) or (name, item) in (
                    ("sort", "relevance"),
                    ("interval", "auto"),
                    ("page", 1),
                    ("all_copies", 0),
                    ("kind", "article"),
                ):
                    continue
                out.append((name, str(item)))
        return out

    def url(self, **changes: Any) -> str:
        """This search with ``changes`` (a new filter goes back to page 1 unless a page is given)."""
        changes.setdefault("page", 1)
        query = urlencode(self.pairs(**changes))
        return "/search" + (f"?{query}" if query else "")

    def request(self, limit: int, offset: int = 0) -> SearchRequest:
        """The search of this state (the CLI's --all when there are filters but no words): UsageError for a
        filter that does not parse."""
        return SearchRequest(
            query=self.q if self.q.strip() else "*",
            sort=self.sort,
            limit=limit,
            offset=offset,
            all_copies=self.all_copies,
            interval=self.interval,
            filters=options.filters(self.entity, self.source, self.lang, self.since, self.until, self.kind),
        )

    def run(self, archive: Archive, limit: int, offset: int = 0) -> dict[str, Any]:
        """The archive's search for this state."""
        return guarded(lambda: archive.search(self.request(limit, offset)))


def search_page(state: SearchState, archive: Archive) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The search of one page (its 20 hits, read from its offset), its hits, and how many pages there are
    (within the bounded window)."""
    result = state.run(archive, PAGE_SIZE, offset=(state.page - 1) * PAGE_SIZE)
    stories = result.get("stories")
    found = stories if stories is not None else result["total"]
    return result, result["hits"], max(1, min(MAX_PAGES, math.ceil(found / PAGE_SIZE)))


def show(archive: Archive, ref: str) -> dict[str, Any]:
    """The ``show --explain --json`` document (with ``trace``); WebError 404 when there is none."""
    from newsdex.index.quarantined import find_quarantined

    if len(ref) > MAX_PARAM_CHARS * 5:  # longer than any id or path: no document, without a lookup
        raise WebError(404, f"no document {shown_ref(ref)} in the index")
    doc = guarded(archive.document, document_ref(ref))
    if doc is None:
        bad = guarded(find_quarantined, archive.root, ref)
        if bad is not None:
            raise WebError(404, f"{bad['path']!r} was quarantined, not indexed: {one_line(bad['reason'], 200)}")
        raise WebError(404, f"no document {shown_ref(ref)} in the index")
    return doc


def similar(
    archive: Archive, ref: str, limit: int, kind: str = "article", languages: tuple[str, ...] = ()
) -> dict[str, Any]:
    result = guarded(archive.similar, document_ref(ref), limit, kind, languages)
    if result is None:
        raise WebError(404, f"no document {shown_ref(ref)} in the index")
    return result


def entities(archive: Archive, type_: str | None, limit: int, languages: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The ``entities --json`` rows."""
    if type_ and type_.upper() not in ENTITY_TYPES:
        raise WebError(400, f"unknown entity type {type_!r} (one of {', '.join(ENTITY_TYPES)})")
    rows = guarded(archive.entities, type_.upper() if type_ else None, limit, languages)
    return [{k: r[k] for k in ("name", "type", "documents", "mentions")} for r in rows]


def stats(archive: Archive) -> dict[str, Any]:
    return guarded(archive.stats)


def api_limit(params: Any) -> int:
    return _int(params, "limit", 10, 1, API_MAX_LIMIT)


def api_languages(params: Any) -> tuple[str, ...]:
    """The ``lang`` parameters (repeated or comma-separated ISO 639-1 codes), read as ``--lang``."""
    values = [c for c in params.getlist("lang") if c.strip()]
    if len(values) > MAX_FILTERS or any(len(v) > MAX_PARAM_CHARS for v in values):
        raise WebError(400, f"at most {MAX_FILTERS} language filters of {MAX_PARAM_CHARS} characters")
    return tuple(guarded(parse_languages, values))


def api_kind(params: Any) -> str:
    return _choice(params, "kind", KINDS)


def api_offset(params: Any) -> int:
    return _int(params, "offset", 0, 0, MAX_OFFSET)
