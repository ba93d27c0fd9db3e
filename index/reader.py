"""Reading the index: full-text search with filters, entity facets, highlighted snippets and spelling
suggestions; document lookups, entity rankings and statistics come from the manifest.

Imports only Whoosh, SQLite and the models: no Prefect, trafilatura or spaCy, so a search starts fast.
"""

from __future__ import annotations

import heapq
import html
import os
import re
import time
from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.query import And, DateRange, Or, Query, Term
from whoosh.sorting import FieldFacet

from newsdex.index import dates, scoring, snippets
from newsdex.index import query as user_query
from newsdex.index.check import generation_problem
from newsdex.index.damage import IndexDamaged as IndexDamaged  # re-exported: what a damaged index raises
from newsdex.index.damage import manifest_guard
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import Manifest, open_readonly
from newsdex.index.query import QueryError as QueryError  # re-exported: what search raises for a bad query
from newsdex.index.schema import ENTITY_FIELDS, FACET_TYPES, name_key, name_term

FACET_WINDOW = 500  # facets are counted over this many top hits: cheap, and what a reader looks at anyway
MAX_WINDOW = 20_000  # hits read at most to find --limit stories when copies crowd the top ones
MAX_OFFSET = 10_000  # stories a search may skip (--offset): deeper paging reads too much for one request
MAX_COPY_SOURCES = 10  # sources listed per hit (the count says how many copies there are)
MAX_PASSAGES = 3  # paragraphs shown per hit
STORED_CACHE = 20_000  # decoded stored fields kept per searcher (~1-2 KB each: tens of MB at most)
_ONE_MARK = re.compile(r"</b>([\s\-\u2010\u2011]+)<b>")  # marks apart only by spaces or a hyphen: one


class IndexMissing(RuntimeError):
    """No index yet at this path."""


class _BoldFormatter(highlight.Formatter):
    """Marks matched terms as <b>term</b> (the JSON contract), fragments joined with an ellipsis."""

    between = " … "

    def _text(self, text: str) -> str:  # the text around highlights: escaped, so <b> is only ever ours
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<b>{html.escape(highlight.get_text(text, token, replace), quote=False)}</b>"


def open_index(root: Path, attempts: int = 5, mmap: bool = False):  # -> whoosh.index.FileIndex
    """Open the live generation; a reader racing a commit can rarely see a vanished file, so retry.

    ``mmap=False`` (default) reads segments through ordinary file reads. With ``mmap=True`` Whoosh copies
    each segment's terms and postings out of the mapping into memory when a searcher opens (~0.3 s and
    ~0.5 GB at 50k documents) and queries then run ~20% faster: only worth it for a process that searches
    many times (see ``_searcher``)."""
    from whoosh.filedb.filestore import FileStorage

    paths = IndexPaths(root)
    for attempt in range(attempts):
        live = paths.live_generation()
        if live is None:
            raise _without_generation(root)
        try:
            if not whoosh_index.exists_in(live):  # or a rebuild swapped `current` and dropped it: look again
                raise FileNotFoundError(f"{live} holds no index")
            return FileStorage(str(live), supports_mmap=mmap, readonly=True).open_index()
        except FileNotFoundError as exc:
            if attempt == attempts - 1:
                raise _damaged_generation(root, exc) from None
            time.sleep(0.05 * (attempt + 1))
        except Exception as exc:  # noqa: BLE001 - a table of contents that does not read: damage, not a crash
            raise _damaged_generation(root, exc) from None
    raise AssertionError("unreachable")


def _without_generation(root: Path) -> IndexMissing | IndexDamaged:
    """No live generation: a new index, or a damaged one when the manifest lists indexed documents."""
    paths = IndexPaths(root)
    manifest = open_readonly(paths.manifest)
    if manifest is not None:
        with manifest, manifest_guard(paths.manifest):
            listed = manifest.indexed_count()
        if listed:
            return IndexDamaged(f"no live Whoosh generation, but the manifest lists {listed} documents")
    return IndexMissing(f"no index at {root} (run `newsdex ingest` first)")


def _damaged_generation(root: Path, exc: BaseException) -> IndexDamaged:
    paths = IndexPaths(root)
    live = paths.live_generation()
    found = generation_problem(paths, live) if live is not None else None
    return IndexDamaged(found or f"the live generation does not open ({type(exc).__name__}: {exc})")


def _open_searcher(root: Path, mmap: bool):  # -> whoosh.searching.Searcher
    """``open_index`` reads the table of contents; the searcher opens every segment's files, one of which a
    commit racing it may have merged away (retry), else the generation is damaged."""
    for attempt in range(3):
        ix = open_index(root, mmap=mmap)
        try:
            return ix.searcher()
        except FileNotFoundError as exc:
            if attempt == 2:
                raise _damaged_generation(root, exc) from None
            time.sleep(0.05 * (attempt + 1))
        except Exception as exc:  # noqa: BLE001 - a segment that does not read: damage, not a crash
            raise _damaged_generation(root, exc) from None
    raise AssertionError("unreachable")


def _live_documents(root: Path) -> int:
    """Documents in the live generation, every segment opened (0 before the first one); IndexDamaged when it
    does not open, or is gone while the manifest lists documents."""
    try:
        ix = open_index(root)
    except IndexMissing:
        return 0
    try:
        return ix.doc_count()
    except Exception as exc:  # noqa: BLE001 - see _open_searcher
        raise _damaged_generation(root, exc) from None


def _manifest_present(root: Path) -> None:
    """IndexDamaged when the live generation is there but the manifest is not (lost, or being rebuilt by
    `check --repair`): every command says so, search too."""
    paths = IndexPaths(root)
    if not paths.manifest.exists() and paths.live_generation() is not None:
        raise IndexDamaged(f"{paths.manifest.name} is missing")


def _manifest(root: Path) -> Manifest:
    """The manifest, read-only: IndexMissing before the first ingest, IndexDamaged when it is lost (its errors
    when damaged come at the first query: read it under ``manifest_guard``)."""
    paths = IndexPaths(root)
    manifest = open_readonly(paths.manifest)
    if manifest is None:
        if paths.live_generation() is not None:
            raise IndexDamaged(f"{paths.manifest.name} is missing")
        raise IndexMissing(f"no index at {root} (run `newsdex ingest` first)")
    return manifest


_SEARCHERS: dict[str, tuple[Path | None, int, bool, Any]] = {}  # index -> (generation, commit, mmap, searcher)
_USES: Counter[str] = Counter()  # searches per index in this process
_PARSERS: dict[tuple[str, ...], MultifieldParser] = {}


def _toc_generation(live: Path | None) -> int:
    """Whoosh's commit counter for a generation folder: a directory listing, no file opened."""
    if live is None:
        return -1
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    return TOC._latest_generation(FileStorage(str(live)), "MAIN")


def _searcher(root: Path):  # -> whoosh.searching.Searcher
    """One searcher per index and process, reopened when a writer committed or a rebuild was swapped in: a
    long-lived caller (a test session, a service) then pays for opening the index once, not per query.
    (Whoosh's own up_to_date() misses commits that only delete, so the commit counter is compared here.)

    The first search of a process reads the index without mmap: a one-shot ``newsdex search`` opens a 50k
    index in ~5 ms instead of ~0.3 s. From the second search on, the process is a repeat caller and the
    searcher is reopened once with mmap, for faster queries (``open_index``)."""
    key = str(root)
    _USES[key] += 1
    want_mmap = _USES[key] > 1
    live = IndexPaths(root).live_generation()
    toc = _toc_generation(live)
    cached = _SEARCHERS.get(key)
    if cached is not None:
        generation, cached_toc, mapped, searcher = cached
        if generation == live and cached_toc == toc and mapped == want_mmap:
            return searcher
        searcher.close()
        del _SEARCHERS[key]
    searcher = _open_searcher(root, want_mmap)
    _SEARCHERS[key] = (live, toc, want_mmap, searcher)
    return searcher


def _stored_fields(searcher: Any, docnums: list[int], cache: bool = True) -> list[dict[str, Any]]:
    """Stored fields of many hits, read from each segment's stored column directly: half the time of
    ``searcher.stored_fields`` per document, which dispatches through the multi-segment reader and copies
    the dictionary to drop fields no longer in the schema (ours only ever adds fields).

    With ``cache``, decoded fields are kept as long as the searcher (a searcher reopened after a commit starts
    afresh), at most STORED_CACHE documents: every search decodes the ~500 hits its facets read (zlib and
    pickle, the larger part of a warm search), and a process that searches again meets many of them again
    (Solr's documentCache). The dictionaries returned are shared: read them, never change them."""
    leaves = searcher.leaf_searchers()
    offsets = [offset for _, offset in leaves]
    kept: dict[int, dict[str, Any]] = searcher.__dict__.setdefault("_newsdex_stored", {}) if cache else {}
    out = []
    for docnum in docnums:
        fields = kept.get(docnum)
        if fields is None:
            i = bisect_right(offsets, docnum) - 1
            fields = leaves[i][0].reader()._perdoc.stored_fields(docnum - offsets[i])
            if cache:
                if len(kept) >= STORED_CACHE:
                    kept.clear()
                kept[docnum] = fields
        out.append(fields)
    return out


def _parser(schema: Any) -> MultifieldParser:
    key = tuple(schema.names())
    if key not in _PARSERS:
        _PARSERS[key] = user_query.make_parser(schema)
    return _PARSERS[key]


class _Copies:
    """What search needs of the copies (index/copies.py) for one result window, from one manifest session:
    the window's hits one per story (the best ranked of each cluster) unless ``all_copies``, each shown hit's
    other members, and the bodies of the shown hits to highlight (the index does not store them: lean stored
    fields keep facet counting over hundreds of hits cheap)."""

    def __init__(self, root: Path, ids: list[str], limit: int, all_copies: bool, offset: int = 0) -> None:
        self.kept: list[int] = list(range(len(ids)))  # positions in the window: one per story
        self.stories = len(ids)  # stories among the window's documents
        self.others: dict[str, tuple[int, list[str]]] = {}  # shown hit id -> (other copies, their sources)
        self.bodies: dict[str, str] = {}
        manifest = open_readonly(IndexPaths(root).manifest)
        if manifest is None:
            return
        with manifest, manifest_guard(manifest.path):
            keys = manifest.cluster_keys(ids)
            first: dict[str, int] = {}
            for i, doc_id in enumerate(ids):
                first.setdefault(keys.get(doc_id) or doc_id, i)
            self.stories = len(first)
            if keys and not all_copies:
                self.kept = sorted(first.values())
            shown = [ids[i] for i in self.kept[offset : offset + limit]]
            for doc_id in shown:
                if doc_id in keys:
                    self.others[doc_id] = manifest.cluster_summary(keys[doc_id], doc_id, MAX_COPY_SOURCES)
            self.bodies = manifest.bodies(shown)

    def of(self, doc_id: str) -> dict[str, Any]:
        """The hit's ``copies`` fields: how many other copies of its story the archive holds, and (at most
        MAX_COPY_SOURCES of) their sources."""
        count, sources = self.others.get(doc_id, (0, []))
        return {"copies": count, "copy_sources": sources}


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
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)") from None
    return (nxt - timedelta(microseconds=1)) if end else start


def _split_names(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _hit_entities(fields: dict[str, Any]) -> dict[str, list[str]]:
    return {t: _split_names(fields.get(ENTITY_FIELDS[t])) for t in FACET_TYPES}


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
        "entities": _hit_entities(fields),
    }


def _facets(stored: list[dict[str, Any]], size: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The most frequent entity names per type among the hits of the facet window, most frequent first,
    ties by name; and every language among them (``language``), counted the same way."""
    out = {}
    for t in FACET_TYPES:
        field = ENTITY_FIELDS[t]
        names: list[str] = []
        for fields in stored:
            names.extend(_split_names(fields.get(field)))
        counts = _by_key(Counter(names))
        items = list(counts.items())
        if len(items) > size:  # only names as frequent as the size-th one can place: skip sorting the rest
            floor = heapq.nlargest(size, counts.values())[-1]
            items = [(name, c) for name, c in items if c >= floor]
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        out[t] = [{"name": n, "count": c} for n, c in items[:size]]
    # Documents without a language (indexed before it was detected, or too short to tell) are not counted.
    languages = Counter(fields["language"] for fields in stored if fields.get("language"))
    out["language"] = [{"name": n, "count": c} for n, c in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def _by_key(counts: Counter[str]) -> Counter[str]:
    """Counts of names that differ only in hyphens or case ("Chung In-beom", "Chung In Beom") as one, under
    the spelling most counted (then the first in order): a spelling the texts use, never a respelling."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for name, n in counts.items():
        groups.setdefault(name_key(name), []).append((name, n))
    if len(groups) == len(counts):
        return counts
    return Counter({min(g, key=lambda x: (-x[1], x[0]))[0]: sum(n for _, n in g) for g in groups.values()})


def build_filter(
    entities: list[tuple[str, str]] | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    languages: list[str] | None = None,
    schema: Any | None = None,
) -> Query | None:
    """The filter of a search; ``schema``: the index's, whose analyzer makes an entity name's term."""
    parts: list[Query] = []
    for etype, name in entities or []:
        field = ENTITY_FIELDS.get(etype.upper())
        if field is None:
            raise ValueError(f"unknown entity type {etype!r} (one of {', '.join(ENTITY_FIELDS)})")
        parts.append(Term(field, name_term(schema, field, name) if schema is not None else name_key(name)))
    if source:
        parts.append(Term("source", source.lower()))
    codes = sorted({code.strip().lower() for code in languages or [] if code.strip()})
    if codes:  # any of them; an index built before languages were stored has none, so nothing matches
        terms: list[Query] = [Term("language", code) for code in codes]
        parts.append(terms[0] if len(terms) == 1 else Or(terms))
    if since or until:
        parts.append(
            DateRange("published", parse_date(since) if since else None, parse_date(until, end=True) if until else None)
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _counting_collector(searcher: Any, window: int, filt: Query | None, sort_kwargs: dict[str, Any]) -> Any:
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


def _resolved(searcher: Any, filt: Query) -> Any:
    """The filter for Whoosh's collector: its documents as a set when index/scoring.py can list them (a date
    range from the column, not Whoosh's tiered terms), else the query itself."""
    allowed = scoring.matching(searcher, filt)
    if allowed is None:
        return filt
    return allowed or {-1}  # Whoosh takes an empty set for "no filter": -1 is no document's number


def _ranked(searcher: Any, q: Query, window: int, filt: Query | None) -> Any:
    """Whoosh ``Results`` for a relevance search scored by index/scoring.py (every match scored once, exact
    total), or None when the query's shape is left to Whoosh's matchers."""
    from whoosh.searching import Results

    started = time.perf_counter()
    scores = scoring.evaluate(searcher, q, restrict=filt)
    if scores is None:
        return None
    results = Results(searcher, q, scoring.top(scores, window), runtime=time.perf_counter() - started)
    results._total = len(scores)
    results.docset = scores.keys()  # every match, for the date histogram
    return results


def _ties_by_id(top: list, stored: list[dict[str, Any]]) -> tuple[list, list[dict[str, Any]]]:
    """Equal scores in document-id order, not Whoosh's docnum order: docnums depend on how the segments were
    written (an ingest adopting segments, a rebuild, merges), so the same index content would otherwise rank
    its ties differently after ``check --repair`` or ``reindex --full``."""
    if len(top) < 2 or all(top[i][0] != top[i + 1][0] for i in range(len(top) - 1)):
        return top, stored
    order = sorted(range(len(top)), key=lambda i: (-round(float(top[i][0] or 0.0), 9), stored[i]["id"]))
    return [top[i] for i in order], [stored[i] for i in order]


def search(
    root: Path,
    query: str,
    limit: int = 10,
    entities: list[tuple[str, str]] | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
    languages: list[str] | None = None,
    all_copies: bool = False,
    interval: str = "auto",
    aliases: user_query.Aliases | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """Run a query; returns the search JSON of docs/contract.md (query, total, hits, facets, suggestion).

    ``offset`` skips that many stories (a page of results: hits are ranks offset+1 to offset+limit, passages
    built for those only); totals, facets and the histogram do not depend on it. At most MAX_OFFSET.

    Each hit has up to MAX_PASSAGES passages (its paragraphs that answer best) and a snippet read from the best
    one. ``facets.published`` counts every matching document per ``interval`` (day, month, year; ``auto``
    picks one from the span of their dates; ``dates`` says which, and how many are undated); the entity and
    language facets count the top ``facet_stories``.

    ``aliases`` (the caller's: the alias file is not the index's) makes a word or phrase that is another spelling
    of a known entity also match the documents naming that entity (``expanded`` lists them) and suggests the
    canonical name; a query with few hits gets spelling suggestions from the archive's words.

    Copies of one story (index/copies.py) are one hit, the best ranked of them, with ``copies`` saying how many
    others the archive holds; facets count each story once. ``all_copies`` lists every copy as its own hit.

    Raises QueryError (a ValueError) for a query that cannot be run: too long, too deeply nested, unparseable."""
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"offset must be between 0 and {MAX_OFFSET:,}, got {offset}")
    started = time.perf_counter()
    searcher = _searcher(root)
    _manifest_present(root)  # hits whose documents cannot be shown would be wrong answers
    filt = build_filter(entities, source, since, until, languages, searcher.schema)
    # The searcher is cached per process (see _searcher): not closed here.
    parser = _parser(searcher.schema)
    if query.strip() in ("", "*"):
        from whoosh.query import Every

        q: Query = Every()
    else:
        q = user_query.parse(parser, query)
        user_query.check_expansions(q, searcher.reader())
    q, expanded = user_query.with_entities(q, query, aliases, searcher.reader())
    sort_kwargs: dict[str, Any] = {}
    if sort in ("newest", "oldest"):
        # Dated documents first, then by date: Whoosh would otherwise put the undated ones at the top.
        newest = sort == "newest"
        sort_kwargs["sortedby"] = [FieldFacet("dated", reverse=True), FieldFacet("published", reverse=newest)]
    elif sort != "relevance":
        raise ValueError(f"unknown sort {sort!r} (relevance, newest or oldest)")
    wanted = offset + limit  # stories to rank: the skipped ones, then the hits
    window = max(wanted, FACET_WINDOW)
    whoosh_filter: Any = None
    while True:
        results = _ranked(searcher, q, window, filt) if not sort_kwargs else None
        if results is None:  # a shape index/scoring.py leaves to Whoosh, or a sort by date
            if whoosh_filter is None and filt is not None:
                whoosh_filter = _resolved(searcher, filt)
            collector = _counting_collector(searcher, window, whoosh_filter, sort_kwargs)
            searcher.search_with_collector(q, collector)
            results = collector.results()
        stored = _stored_fields(searcher, [docnum for _, docnum in results.top_n])
        if sort == "relevance":
            results.top_n, stored = _ties_by_id(results.top_n, stored)
        copies = _Copies(root, [fields["id"] for fields in stored], limit, all_copies, offset)
        # Copies of one story can fill the window (a wire story on hundreds of sites): look further, until
        # offset + limit stories are found, the matches run out, or the window reaches its bound.
        if len(copies.kept) >= wanted or len(results) <= len(stored) or window >= MAX_WINDOW:
            break
        window = min(window * 4, MAX_WINDOW)
    fragmenter = highlight.ContextFragmenter(maxchars=240, surround=70)
    formatter = _BoldFormatter()
    stories = [(results.top_n[i][0], stored[i]) for i in copies.kept]
    hits = []
    for score, fields in stories[offset:wanted]:
        body = copies.bodies.get(fields["id"], "")
        found = snippets.passages(results, "body", body, MAX_PASSAGES)
        # The snippet is read from the best passage: the paragraph that answers, not the first words matched.
        best = body[found[0].start : found[0].end] if found else body
        snippet = snippets.highlight(results, "body", best, fragmenter, formatter) or snippets.highlight(
            results, "title", fields.get("title") or "", fragmenter, formatter, top=3
        )
        snippet = snippet or html.escape(body[:200] or fields.get("title", ""), quote=False)
        snippet = _ONE_MARK.sub(r"\1", snippet)  # a phrase's words (marked one by one) read as one highlight
        hits.append(
            {
                **hit_fields(fields),
                # Sorted results carry the sort key as their score: only relevance has a score to report.
                "score": round(float(score), 4) if sort == "relevance" and score is not None else None,
                "snippet": " ".join(snippet.split()),
                "passages": [{"text": p.text, "position": p.paragraph, "start": p.start, "score": p.score}
                             for p in found],
                **copies.of(fields["id"]),
            }
        )
    total = len(results)
    histogram = dates.histogram(searcher, results.docs(), interval)
    suggestion = None
    if query.strip() not in ("", "*") and (total <= user_query.FEW_HITS or expanded):
        suggestion = _suggestion(root, searcher, q, query, time.perf_counter() - started, total, aliases)
    return {
        "query": query,
        "total": total,
        # Known when every match is in the window: how many stories the matching documents tell.
        "stories": copies.stories if total <= len(stored) else None,
        "hits": hits,
        # Entity and language facets read the top hits: a story counts once, however many copies.
        "facets": {**_facets([fields for _, fields in stories]), "published": histogram["counts"]},
        "dates": {"interval": histogram["interval"], "undated": histogram["undated"]},
        "facet_stories": len(stories),
        "suggestion": suggestion,
        "expanded": expanded,
    }


def matching_ids(
    root: Path,
    query: str,
    entities: list[tuple[str, str]] | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    languages: list[str] | None = None,
) -> list[str]:
    """The id of every document matching ``query`` and the filters (search's syntax and filters), best ranked
    first, ties by id; every document for an empty query or ``*``, in id order. No window: all of them."""
    searcher = _searcher(root)
    filt = build_filter(entities, source, since, until, languages, searcher.schema)
    if query.strip() in ("", "*"):
        from whoosh.query import Every

        q: Query = Every()
    else:
        q = user_query.parse(_parser(searcher.schema), query)
        user_query.check_expansions(q, searcher.reader())
    scores = scoring.evaluate(searcher, q, restrict=filt) if not isinstance(q, wq.Every) else None
    if scores is None:  # a shape left to Whoosh: its own collector, no limit
        results = searcher.search(q, filter=filt, limit=None, optimize=False)
        scores = {docnum: score or 0.0 for score, docnum in results.top_n}
    docnums = list(scores)
    ids = [_stored_fields(searcher, [d], cache=False)[0]["id"] for d in docnums]  # one document's fields at a time
    if isinstance(q, wq.Every):
        return sorted(ids)
    order = sorted(range(len(docnums)), key=lambda i: (-round(float(scores[docnums[i]]), 9), ids[i]))
    return [ids[i] for i in order]


def _suggestion(
    root: Path, searcher: Any, q: Query, query: str, budget_s: float, total: int, aliases: Any
) -> str | None:
    try:
        manifest = open_readonly(IndexPaths(root).manifest)
        if manifest is None:
            return user_query.suggest(searcher, q, query, budget_s, None, total, aliases)
        with manifest:
            return user_query.suggest(searcher, q, query, budget_s, manifest.vocabulary_candidates, total, aliases)
    except Exception:  # noqa: BLE001 - a suggestion is a nicety: whatever it trips on, the search result stands
        return None


def resolve_id(manifest: Manifest, ref: str) -> str | None:
    """The indexed document ``ref`` names: an id, a unique id prefix or an input path (ValueError when empty or
    ambiguous; a URL is turned into its id by the caller, as ``show`` does); None when none."""
    if not ref.strip():
        raise ValueError("an id (or a unique prefix of one, or an input path) is required")
    state = manifest.states_for([ref]).get(ref)
    if state is not None and state["status"] == "indexed":
        return ref  # a whole id: one primary-key lookup (an id prefix or a path scans the table)
    ids = manifest.find_ids(ref)
    if not ids and os.path.exists(ref):  # an input path, spelled differently from when it was ingested
        from newsdex.models import document_id  # the model layer (pydantic) only for a path

        ids = manifest.find_ids(document_id(ref))
    if len(ids) > 1 and ref not in ids:
        raise ValueError(f"id {ref!r} is ambiguous: {', '.join(ids)}")
    if not ids:
        return None
    return ref if ref in ids else ids[0]


def get_document(root: Path, doc_id: str) -> dict[str, Any] | None:
    """The `show` JSON of one document (by id, unique id prefix, or input path); None when not found."""
    from newsdex.models import show_json

    if not doc_id.strip():
        raise ValueError("an id (or a unique prefix of one, or an input path) is required")
    _live_documents(root)  # a damaged index says so, whatever the manifest still holds
    manifest = _manifest(root)
    with manifest, manifest_guard(manifest.path):
        found = resolve_id(manifest, doc_id)
        if found is None:
            return None
        doc = manifest.get(found)
        members = [m["id"] for m in manifest.cluster(key)] if doc and (key := manifest.cluster_of(doc.id)) else []
    if doc is None:
        return None
    return show_json(doc, members, explain=True)


def duplicates(root: Path, min_size: int = 2) -> dict[str, Any]:
    """Every cluster of copies with at least ``min_size`` members, the largest first: its representative's id
    and its members, representative first, each with its similarity to the representative (the share of the
    smaller body's word shingles found in the other; 1.0 for the representative)."""
    from newsdex.index import fingerprint as fp

    _live_documents(root)  # a damaged index says so, whatever the manifest still holds
    manifest = _manifest(root)
    out = []
    with manifest, manifest_guard(manifest.path):
        for key in manifest.cluster_keys_all(max(1, min_size)):
            members = manifest.cluster(key)
            if len(members) < min_size or not members:
                continue  # a member quarantined but not yet re-placed
            bodies = manifest.bodies([m["id"] for m in members])
            rep = fp.shingles(fp.words(bodies.get(members[0]["id"], "")), fp.DEFAULT.shingle)
            listed = []
            for i, m in enumerate(members):
                mine = fp.shingles(fp.words(bodies.get(m["id"], "")), fp.DEFAULT.shingle)
                listed.append({"id": m["id"], "path": m["path"], "url": m["url"], "title": m["title"],
                               "source": m["source"], "published": m["published"],
                               "similarity": 1.0 if i == 0 else fp.similarity(fp.resemblance(rep, mine))})
            out.append({"id": members[0]["id"], "members": listed})
    return {"clusters": out}


def top_entities(root: Path, type_: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    _live_documents(root)  # a damaged index says so, whatever the manifest still holds
    manifest = _manifest(root)
    with manifest, manifest_guard(manifest.path):
        return manifest.top_entities(type_.upper() if type_ else None, limit)


def stats(root: Path) -> dict[str, Any]:
    from newsdex.index.writer import index_size_bytes

    paths = IndexPaths(root)
    manifest = _manifest(root)
    with manifest, manifest_guard(manifest.path):
        counts = manifest.counts()
        runs = manifest.runs(5)
        quarantined = manifest.quarantined()
    versions = counts.pop("rules_versions")
    indexed_docs = _live_documents(root)
    if indexed_docs < counts["documents"]:  # the manifest never claims more than Whoosh holds (index/store.py)
        raise IndexDamaged(f"the manifest lists {counts['documents']} documents, the live generation holds "
                           f"{indexed_docs}")
    return {
        **counts,
        "index_documents": indexed_docs,
        "rules_version": max(versions, key=versions.get) if versions else None,
        "rules_versions": versions,
        "index_bytes": index_size_bytes(paths),
        "index": str(root),
        "quarantined": quarantined,
        "last_run": runs[0] if runs else None,
        "runs": runs,
    }
