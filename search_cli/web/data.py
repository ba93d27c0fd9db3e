"""What the pages and the API read from the index: the library's read functions only (the server never writes
to the index folder), called one at a time, and the request parameters checked against the library's bounds."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from newsdex.index.query import MAX_QUERY_CHARS
from newsdex.index.reader import IndexDamaged, IndexMissing
from newsdex.index.schema import ENTITY_FIELDS
from newsdex.search_cli.output import UsageError, document_ref, shown_ref
from newsdex.tasks.reasons import one_line

PAGE_SIZE = 20  # hits per page
MAX_PAGES = 10  # pages of a search: the ranking reaches PAGE_SIZE * MAX_PAGES stories at most
API_MAX_LIMIT = 100  # /api/search and /api/similar ?limit=
MAX_FILTERS = 10  # entity filters in one request
MAX_PARAM_CHARS = 200  # any parameter other than the query
SORTS = ("relevance", "newest", "oldest")
INTERVALS = ("auto", "day", "month", "year")
ENTITY_TYPES = tuple(ENTITY_FIELDS)

# The reader caches one Whoosh searcher per process and reopens it after a commit: not safe to share between
# threads. Starlette runs each request in a worker thread, so the library is called by one thread at a time
# (on 2 cores and the GIL, parallel searches would gain little anyway).
_LOCK = threading.Lock()


class WebError(Exception):
    """A request answered with an error page (or JSON): status and a one-line message, never a traceback."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def guarded(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a read function of the library; its errors become WebErrors (bad input 400, no index 503)."""
    try:
        with _LOCK:
            return fn(*args, **kwargs)
    except (IndexMissing, IndexDamaged) as exc:
        raise WebError(503, str(exc)) from None
    except (UsageError, ValueError) as exc:  # QueryError, a bad date or entity type, an ambiguous id prefix
        raise WebError(400, str(exc)) from None


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
            q=_one(params, "q"), entity=list(dict.fromkeys(entity)), source=_one(params, "source").strip(),
            lang=list(dict.fromkeys(lang)), since=_one(params, "since").strip(), until=_one(params, "until").strip(),
            sort=_choice(params, "sort", SORTS), interval=_choice(params, "interval", INTERVALS),
            page=_int(params, "page", 1, 1, max_page), all_copies=_int(params, "all_copies", 0, 0, 1) == 1,
        )

    def filtered(self) -> bool:
        return bool(self.entity or self.source or self.lang or self.since or self.until)

    def empty(self) -> bool:
        return not self.q.strip() and not self.filtered()

    def pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """The state as URL parameters, with ``changes`` applied; defaults and empty values left out."""
        values = {**self.__dict__, **changes}
        out: list[tuple[str, str]] = []
        for name in ("q", "entity", "source", "lang", "since", "until", "sort", "interval", "all_copies", "page"):
            value = values[name]
            if isinstance(value, bool):
                value = int(value)
            for item in value if isinstance(value, list) else [value]:
                if item in ("", None) or (name, item) in (("sort", "relevance"), ("interval", "auto"), ("page", 1),
                                                          ("all_copies", 0)):
                    continue
                out.append((name, str(item)))
        return out

    def url(self, **changes: Any) -> str:
        """This search with ``changes`` (a new filter goes back to page 1 unless a page is given)."""
        changes.setdefault("page", 1)
        query = urlencode(self.pairs(**changes))
        return "/search" + (f"?{query}" if query else "")

    def run(self, root: Path, limit: int, offset: int = 0) -> dict[str, Any]:
        """The library's search for this state (the CLI's --all when there are filters but no words)."""
        from newsdex.index.reader import search
        from newsdex.search_cli.cmd_search import alias_names, parse_entity_filters, parse_languages

        def call() -> dict[str, Any]:
            return search(
                root, self.q if self.q.strip() else "*", limit=limit, entities=parse_entity_filters(self.entity),
                source=self.source or None, since=self.since or None, until=self.until or None, sort=self.sort,
                languages=parse_languages(self.lang), interval=self.interval, aliases=alias_names,
                all_copies=self.all_copies, offset=offset,
            )

        return guarded(call)


def search_page(state: SearchState, root: Path) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The search of one page (its 20 hits, read from its offset), its hits, and how many pages there are
    (within the bounded window)."""
    result = state.run(root, PAGE_SIZE, offset=(state.page - 1) * PAGE_SIZE)
    stories = result.get("stories")
    found = stories if stories is not None else result["total"]
    return result, result["hits"], max(1, min(MAX_PAGES, math.ceil(found / PAGE_SIZE)))


def show(root: Path, ref: str) -> dict[str, Any]:
    """The ``show --explain --json`` document (with ``trace``); WebError 404 when there is none."""
    from newsdex.index.quarantined import find_quarantined
    from newsdex.index.reader import get_document

    if len(ref) > MAX_PARAM_CHARS * 5:  # longer than any id or path: no document, without a lookup
        raise WebError(404, f"no document {shown_ref(ref)} in the index")
    doc = guarded(get_document, root, document_ref(ref))
    if doc is None:
        bad = guarded(find_quarantined, root, ref)
        if bad is not None:
            raise WebError(404, f"{bad['path']!r} was quarantined, not indexed: {one_line(bad['reason'], 200)}")
        raise WebError(404, f"no document {shown_ref(ref)} in the index")
    return doc


def similar(root: Path, ref: str, limit: int) -> dict[str, Any]:
    from newsdex.index.similar import similar as find_similar

    result = guarded(find_similar, root, document_ref(ref), limit=limit)
    if result is None:
        raise WebError(404, f"no document {shown_ref(ref)} in the index")
    return result


def entities(root: Path, type_: str | None, limit: int) -> list[dict[str, Any]]:
    """The ``entities --json`` rows."""
    from newsdex.index.reader import top_entities

    if type_ and type_.upper() not in ENTITY_TYPES:
        raise WebError(400, f"unknown entity type {type_!r} (one of {', '.join(ENTITY_TYPES)})")
    rows = guarded(top_entities, root, type_.upper() if type_ else None, limit)
    return [{k: r[k] for k in ("name", "type", "documents", "mentions")} for r in rows]


def stats(root: Path) -> dict[str, Any]:
    from newsdex.index.reader import stats as index_stats

    return guarded(index_stats, root)


def api_limit(params: Any) -> int:
    return _int(params, "limit", 10, 1, API_MAX_LIMIT)


def api_offset(params: Any) -> int:
    from newsdex.index.reader import MAX_OFFSET

    return _int(params, "offset", 0, 0, MAX_OFFSET)
