"""A hit's stored fields (what the index keeps of each document besides its terms) and what a hit says of its
document, for search and similar alike."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from newsdex.index import whoosh_internals as internals
from newsdex.index.schema import ENTITY_FIELDS, FACET_TYPES
from newsdex.reading import caches

STORED_CACHE = 20_000  # decoded stored fields kept per searcher (~1-2 KB each: tens of MB at most)


def stored_fields(searcher: Any, docnums: list[int], cache: bool = True) -> list[dict[str, Any]]:
    """Stored fields of many hits, read from each segment's stored column directly: half the time of
    ``searcher.stored_fields`` per document, which dispatches through the multi-segment reader and copies
    the dictionary to drop fields no longer in the schema (ours only ever adds fields).

    With ``cache``, decoded fields are kept as long as the searcher (a searcher reopened after a commit starts
    afresh), at most STORED_CACHE documents: every search decodes the ~500 hits its facets read (zlib and
    pickle, the larger part of a warm search), and an owner that searches again meets many of them again
    (Solr's documentCache). The dictionaries returned are shared: read them, never change them."""
    leaves = searcher.leaf_searchers()
    read = _direct if internals.fast_paths() and all(internals.w3_segment(s.reader()) for s, _ in leaves) else _public
    offsets = [offset for _, offset in leaves]
    kept: dict[int, dict[str, Any]] = caches.of(searcher).stored if cache else {}
    out = []
    for docnum in docnums:
        fields = kept.get(docnum)
        if fields is None:
            i = bisect_right(offsets, docnum) - 1
            fields = read(leaves[i][0], docnum - offsets[i])
            if cache:
                caches.bounded(kept, STORED_CACHE)[docnum] = fields
        out.append(fields)
    return out


def _direct(leaf: Any, docnum: int) -> dict[str, Any]:
    return internals.stored_fields(leaf.reader(), docnum)


def _public(leaf: Any, docnum: int) -> dict[str, Any]:  # Whoosh's own way: the fast paths are off
    return leaf.stored_fields(docnum)


def split_names(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def hit_entities(fields: dict[str, Any]) -> dict[str, list[str]]:
    return {t: split_names(fields.get(ENTITY_FIELDS[t])) for t in FACET_TYPES}


def hit_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """What a hit says of its document, from its stored fields (search and similar hits alike)."""
    published = fields.get("published")
    return {
        "id": fields["id"],
        "title": fields.get("title") or None,
        "path": fields.get("path"),
        "url": fields.get("url") or None,
        "source": fields.get("source") or None,
        "published": published.date().isoformat() if published else None,
        "language": fields.get("language") or None,
        "entities": hit_entities(fields),
    }


def ties_by_id(top: list, stored: list[dict[str, Any]]) -> tuple[list, list[dict[str, Any]]]:
    """Equal scores in document-id order, not Whoosh's docnum order: docnums depend on how the segments were
    written (an ingest adopting segments, a rebuild, merges), so the same index content would otherwise rank
    its ties differently after ``check --repair`` or ``reindex --full``."""
    if len(top) < 2 or all(top[i][0] != top[i + 1][0] for i in range(len(top) - 1)):
        return top, stored
    order = sorted(range(len(top)), key=lambda i: (-round(float(top[i][0] or 0.0), 9), stored[i]["id"]))
    return [top[i] for i in order], [stored[i] for i in order]
