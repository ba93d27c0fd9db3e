"""``Archive``: the read side's one entry. It opens an index folder read-only and owns everything a reader
keeps between requests (the searcher and its memos, the query parser); every answer of the CLI and the web page
comes from one of its methods, as the JSON of docs/contract.md.

An Archive is for one thread at a time (the web server keeps one per worker thread): two Archives over the same
folder share nothing but the files.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.qparser import MultifieldParser
from whoosh.query import Every, Query

from newsdex.errors import FilterError
from newsdex.index import analysis
from newsdex.reading import caches, dates, documents, rank, scoring, similar
from newsdex.reading import query as user_query
from newsdex.reading.collapse import window_of_stories
from newsdex.reading.facets import facets
from newsdex.reading.filters import build_filter, language_filter
from newsdex.reading.opening import Searchers, manifest_present
from newsdex.reading.page import page_hits
from newsdex.reading.suggest import suggestion, wanted

if TYPE_CHECKING:  # the request models are pydantic's: `similar`, `show` and `stats` never import it
    from newsdex.reading.request import SearchRequest, Selection

MAX_OFFSET = 10_000  # stories a search may skip (--offset): deeper paging reads too much for one request


class Archive:
    """An index folder, read-only. ``aliases``: the caller's lookup of an entity's other spellings (the alias
    file is the caller's, not the index's); a word of a query that is one also matches that entity. ``mmap``:
    whether a repeat caller's searcher maps the segments into memory (faster queries, more memory: see
    reading/opening.py's Searchers)."""

    def __init__(self, root: Path, aliases: user_query.Aliases | None = None, mmap: bool = True) -> None:
        self.root = Path(root)
        self.aliases = aliases
        self._searchers = Searchers(self.root, mmap)
        self._parsers: dict[tuple[tuple[str, ...], tuple[str, ...]], MultifieldParser] = {}

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._searchers.close()

    def searcher(self) -> Any:  # -> whoosh.searching.Searcher
        """The live generation's searcher (reopened after a commit): IndexMissing, IndexDamaged."""
        return self._searchers.get()

    def parse(self, searcher: Any, text: str, languages: tuple[str, ...] = ()) -> Query:
        """The query for ``text`` (``Every`` for an empty one or ``*``): QueryError when it cannot run. Its words
        are analysed for each language the index holds, or those of ``languages`` (index/analysis.py)."""
        if text.strip() in ("", "*"):
            return Every()
        families = caches.of(searcher).families
        if languages not in families:
            families[languages] = analysis.indexed_families(searcher.reader(), languages)
        key = (tuple(searcher.schema.names()), tuple(families[languages]))
        if key not in self._parsers:
            self._parsers[key] = user_query.make_parser(searcher.schema, key[1])
        q = user_query.parse(self._parsers[key], text)
        user_query.check_expansions(q, searcher.reader())
        return q

    def search(self, request: SearchRequest) -> dict[str, Any]:
        """The search JSON of docs/contract.md: ranked one hit per story (unless ``all_copies``), the page's hits
        with passages and snippets, entity and language facets over the top stories, the date histogram over
        every match, and a suggestion when few hits came. QueryError, FilterError, IndexMissing, IndexDamaged."""
        if not 0 <= request.offset <= MAX_OFFSET:
            raise FilterError(f"offset must be between 0 and {MAX_OFFSET:,}, got {request.offset}")
        started = time.perf_counter()
        searcher = self.searcher()
        manifest_present(self.root)  # hits whose documents cannot be shown would be wrong answers
        filt = build_filter(request.filters, searcher.schema, searcher)
        q, expanded = user_query.with_entities(
            self.parse(searcher, request.query, request.filters.languages),
            request.query,
            self.aliases,
            searcher.reader(),
        )
        ranking = rank.Ranking(searcher, q, filt, request.sort)
        results, stored, copies = window_of_stories(
            ranking, self.root, request.limit, request.offset, request.all_copies
        )
        stories = [(results.top_n[i][0], stored[i]) for i in copies.kept]
        total = len(results)
        histogram = dates.histogram(searcher, results.docs(), request.interval)
        hits = page_hits(results, stories, copies, request.offset, request.limit, request.sort == "relevance")
        hints = user_query.Hints(time.perf_counter() - started, None, total, self.aliases)
        offered, offered_hits = None, None
        if wanted(request.query, total, expanded):
            offered = suggestion(self.root, searcher, q, request.query, hints)
            # Offered only when it finds something, more than the query did (an alias's canonical name may find
            # the same documents: still worth naming): "did you mean" never leads to nothing.
            offered_hits = self._count(searcher, offered, filt, request.filters.languages) if offered else None
            if not offered_hits or (offered_hits <= total and not expanded):
                offered, offered_hits = None, None
        return {
            "query": request.query,
            "total": total,
            # Known when every match is in the window: how many stories the matching documents tell.
            "stories": copies.stories if total <= len(stored) else None,
            "hits": hits,
            # Entity and language facets read the top hits: a story counts once, however many copies.
            "facets": {**facets([fields for _, fields in stories]), "published": histogram["counts"]},
            "dates": {"interval": histogram["interval"], "undated": histogram["undated"]},
            "facet_stories": len(stories),
            "suggestion": offered,
            "suggestion_hits": offered_hits,
            "expanded": expanded,
        }

    def _count(self, searcher: Any, text: str, filt: Any, languages: Any = ()) -> int:
        """How many documents ``text`` matches under the same filters, read in the same ``languages`` as the query
        (0 when it cannot be run)."""
        try:
            q, _ = user_query.with_entities(
                self.parse(searcher, text, languages), text, self.aliases, searcher.reader()
            )
            scores = scoring.evaluate(searcher, q, restrict=filt)
            if scores is not None:
                return len(scores)
            whoosh_filter = rank.resolved(searcher, filt) if filt is not None else None
            # Every match, unscored: with a limit, Whoosh's len() of a filtered search is not the match count.
            return len(searcher.search(q, filter=whoosh_filter, limit=None, scored=False, optimize=False))
        except Exception:  # as the suggestion itself: a nicety, never the search's failure
            return 0

    def matching_ids(self, selection: Selection) -> list[str]:
        """The id of every document the selection matches, best ranked first, ties by id; every document in id
        order for an empty query or ``*``. No window: all of them."""
        searcher = self.searcher()
        filt = build_filter(selection.filters, searcher.schema, searcher)
        return rank.matching_ids(searcher, self.parse(searcher, selection.query, selection.filters.languages), filt)

    def document(self, ref: str) -> dict[str, Any] | None:
        """The ``show --explain`` JSON of the document ``ref`` names (id, unique prefix, input path); None when
        none. AmbiguousId for a prefix several ids share."""
        return documents.get_document(self.root, ref)

    def similar(
        self, ref: str, limit: int = 10, kind: str = "article", languages: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """The ``similar`` JSON for the document ``ref`` names, among documents of ``kind`` (articles unless
        ``all``…) and in ``languages`` (when given); None when there is none."""
        return similar.similar(self.searcher(), self.root, ref, limit, kind, languages)

    def export(self, selection: Selection, chunk: int | None = None) -> Iterator[list[dict[str, Any]]]:
        """Lists of at most ``chunk`` (default reading/export.py's CHUNK) show objects for every document the
        selection matches; the errors come before the first chunk, as soon as it is asked for."""
        from newsdex.reading.export import CHUNK, export_chunks  # the models (pydantic) only for an export

        return export_chunks(self, selection, chunk or CHUNK)

    def entities(
        self, type_: str | None = None, limit: int = 20, languages: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """The most mentioned entities (of one type, in documents of ``languages`` when given), as
        ``entities --json`` lists them."""
        return documents.top_entities(self.root, type_, limit, self._in_languages(languages))

    def duplicates(self, min_size: int = 2, languages: tuple[str, ...] = ()) -> dict[str, Any]:
        """The clusters of copies (``duplicates --json``), among documents of ``languages`` when given."""
        return documents.duplicates(self.root, min_size, self._in_languages(languages))

    def _in_languages(self, languages: tuple[str, ...]) -> list[str] | None:
        """The ids of every document (of any kind) in ``languages``; None without languages: every document."""
        q = language_filter(languages)
        return None if q is None else rank.matching_ids(self.searcher(), q, None)

    def stats(self) -> dict[str, Any]:
        return documents.stats(self.root)
