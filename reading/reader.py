"""The read side as plain functions over an index folder, for a caller that asks once (a script, a test): each
opens an ``Archive`` for the one call and closes it. A caller that asks again and again keeps an Archive
(reading/archive.py) instead, so its searcher and memos are reused.

``search`` and ``export_chunks`` take search's options by name (``limit``, ``sort``, ``offset``,
``all_copies``, ``interval``, and the filters ``entities``, ``source``, ``since``, ``until``, ``languages``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsdex.errors import IndexDamaged as IndexDamaged  # re-exported: what a damaged index raises
from newsdex.errors import IndexMissing as IndexMissing  # re-exported: what a missing one raises
from newsdex.errors import QueryError as QueryError  # re-exported: what search raises for a bad query
from newsdex.reading.archive import MAX_OFFSET as MAX_OFFSET
from newsdex.reading.archive import Archive
from newsdex.reading.documents import duplicates as duplicates
from newsdex.reading.documents import get_document as get_document
from newsdex.reading.documents import resolve_id as resolve_id
from newsdex.reading.documents import stats as stats
from newsdex.reading.documents import top_entities as top_entities
from newsdex.reading.export import CHUNK
from newsdex.reading.filters import build_filter as build_filter
from newsdex.reading.filters import parse_date as parse_date
from newsdex.reading.opening import open_index as open_index
from newsdex.reading.query import Aliases
from newsdex.reading.request import Filters, SearchRequest, Selection
from newsdex.reading.stored import hit_fields as hit_fields

FILTERS = frozenset(Filters.model_fields)


def request(query: str, **options: Any) -> SearchRequest:
    """The SearchRequest of ``query`` and search's options by name (filters among them); a list is a tuple."""
    filters: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in options.items() if k in FILTERS and v
    }
    rest = {k: v for k, v in options.items() if k not in FILTERS}
    return SearchRequest.model_validate({"query": query, "filters": Filters.model_validate(filters), **rest})


def search(root: Path, query: str, aliases: Aliases | None = None, **options: Any) -> dict[str, Any]:
    """Archive.search of ``query`` with search's options by name (see the module's docstring)."""
    with Archive(root, aliases) as archive:
        return archive.search(request(query, **options))


def matching_ids(root: Path, query: str, **filters: Any) -> list[str]:
    with Archive(root) as archive:
        return archive.matching_ids(request(query, **filters))


def similar(
    root: Path, ref: str, limit: int = 10, kind: str = "article", languages: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    with Archive(root) as archive:
        return archive.similar(ref, limit, kind, languages)


def export_chunks(root: Path, query: str = "", chunk: int = CHUNK, **filters: Any) -> Iterator[list[dict[str, Any]]]:
    """Archive.export of ``query`` and the filters by name; the Archive is closed when the chunks run out."""
    with Archive(root) as archive:
        yield from archive.export(Selection(query=query, filters=request(query, **filters).filters), chunk)


def export_documents(root: Path, query: str = "", **filters: Any) -> Iterator[dict[str, Any]]:
    """One show object per matching document (see ``export_chunks``), a chunk read at a time."""
    for part in export_chunks(root, query, **filters):
        yield from part
