"""Scores the common query shapes straight from Whoosh's posting blocks, with Whoosh's own BM25F.

Whoosh scores a query through a tree of matcher objects: several Python method calls per matching document
and field, which is ~60% of a search at 50k documents. The shapes the query parser produces for everyday
queries (terms, phrases, and AND / OR / NOT over them) are evaluated here a whole posting block at a time:
Whoosh's codec already stores a block's ids, term weights and positions as pickled tuples, so reading a
block is a few C calls, and the score of each posting is one arithmetic expression. The formula, the
statistics (idf and average field length from the whole index, field lengths from the one-byte length
column) and the boosts are Whoosh's, so scores equal Whoosh's up to the order of floating-point additions.

A date range on ``published`` (the search's date filter, or ``published:[… to …]``) is read from the field's
column, one comparison per document, instead of the tiered terms Whoosh expands it into (~0.1 s at 10k
documents for a range of years); it scores its boost, as Whoosh's constant-score range does. ``matching``
gives a filter's documents as a set of docnums, which Whoosh's own collector also takes.

Prefix and wildcard words (``gov*``, ``gu?ag``) are scored as Whoosh scores them, quirks included (see
``_Segment.pattern``).

``evaluate`` returns None for anything else (fuzzy and other range queries, sloppy phrases,
other weighting models, other codecs): the caller then lets Whoosh's matchers do the work.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import query as wq
from whoosh.fields import DATETIME
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from newsdex.index import whoosh_internals as internals
from newsdex.reading import caches, dates
from newsdex.reading.caches import bounded

_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]
# Field-length bytes per (segment reader, field), norms per field and decoded positions are remembered in the
# searcher's memos (reading/caches.py): read once per opened searcher.

Scores = dict[int, float]  # docnum within a segment -> score
# Whoosh's Or picks an unscored array matcher for many words, or in a segment of at most this many documents
# (query/compound.py: Or.TOO_MANY_CLAUSES, and its literal 5000).
TOO_MANY_CLAUSES = wq.Or.TOO_MANY_CLAUSES
ARRAY_DOC_LIMIT = 5000


class _Unsupported(Exception):
    """A query shape this module leaves to Whoosh."""


def _readable(searcher: Any) -> bool:
    """Whether this module can score for ``searcher``: the fast paths on (index/whoosh_internals.py: a supported
    Whoosh, not switched off), Whoosh's BM25F, and every segment in Whoosh 2.7's default codec (whose posting
    blocks are read here)."""
    return (
        internals.fast_paths()
        and type(searcher.weighting) is BM25F
        and all(internals.w3_segment(sub.reader()) for sub, _ in searcher.leaf_searchers())
    )


def evaluate(searcher: Any, q: wq.Query, restrict: wq.Query | None = None) -> Scores | None:
    """Every matching document of ``q`` (global docnum -> score), or None when Whoosh must do it.

    ``restrict`` (a filter: entity, source, dates) is applied first, so only the blocks that hold its
    documents are read; a filter of a shape not handled here is resolved by Whoosh."""
    if not _readable(searcher):
        return None
    out: Scores = {}
    allowed_all: set[int] | None = None
    try:
        for sub, offset in searcher.leaf_searchers():
            segment = _Segment(searcher, sub.reader())
            within = None
            if restrict is not None:
                try:
                    within = sorted(segment.run(restrict))
                except _Unsupported:
                    if allowed_all is None:
                        allowed_all = set(searcher.docs_for_query(restrict))
                    end = offset + segment.reader.doc_count_all()
                    within = sorted(d - offset for d in allowed_all if offset <= d < end)
                if not within:
                    continue
            for docnum, score in segment.run(q, within).items():
                out[docnum + offset] = score
    except _Unsupported:
        return None
    return out


def matching(searcher: Any, restrict: wq.Query) -> set[int] | None:
    """The global docnums a filter (entity, source, language, dates) lets through, or None when a part of it
    is a shape left to Whoosh."""
    if not _readable(searcher):
        return None
    out: set[int] = set()
    try:
        for sub, offset in searcher.leaf_searchers():
            out.update(d + offset for d in _Segment(searcher, sub.reader()).run(restrict))
    except _Unsupported:
        return None
    return out


def top(scores: Scores, n: int) -> list[tuple[float, int]]:
    """The ``n`` best (score, docnum) pairs in Whoosh's order: score descending, then docnum ascending."""
    docs = list(scores)
    if len(docs) > n:  # only documents scoring at least the n-th best can place: sort those alone
        floor = heapq.nlargest(n, scores.values())[-1]
        docs = [d for d, s in scores.items() if s >= floor]
    docs.sort()
    docs.sort(key=scores.__getitem__, reverse=True)  # stable: equal scores stay in docnum order
    return [(scores[d], d) for d in docs[:n]]


class _Segment:
    """One segment's postings, scored against the whole index's statistics.

    ``within`` (sorted docnums) narrows a subquery to the documents an AND or a phrase still needs: posting
    blocks whose id range holds none of them are skipped without being read, as Whoosh's skip_to does."""

    def __init__(self, searcher: Any, reader: Any) -> None:
        self.searcher = searcher
        self.reader = reader
        self.deleted = reader.deleted_docs_set if reader.has_deletions() else None
        self.caches = caches.of(searcher)

    def run(self, q: wq.Query, within: list[int] | None = None) -> Scores:
        kind = type(q)
        if kind is wq.Term:
            return self.term(q.fieldname, q.text, q.boost, within)
        if kind is wq.Or:
            if q.minmatch or q.scale:
                raise _Unsupported
            return _boosted(_sum_union([self.run(sub, within) for sub in q.subqueries]), q.boost)
        if kind is wq.And:
            return _boosted(self.conjunction(q.subqueries, within), q.boost)
        if kind is wq.AndNot:
            scores = self.run(q.a, within)
            gone = self.run(q.b, sorted(scores))
            return {d: s for d, s in scores.items() if d not in gone}
        if kind is wq.Phrase:
            return self.phrase(q, within)
        if kind is wq.DateRange or kind is wq.NumericRange:
            return self.published_range(q, within)
        if kind is wq.Prefix or kind is wq.Wildcard:
            return self.pattern(q, within)
        if q is wq.NullQuery:
            return {}
        raise _Unsupported

    def conjunction(self, subqueries: list[wq.Query], within: list[int] | None) -> Scores:
        """Whoosh's And: the sum of the parts' scores, the rarest part first; each NOT part matches through
        an inverse matcher that adds 1.0 to the score."""
        keep = [sub for sub in subqueries if type(sub) is not wq.Not]
        drop = [sub.query for sub in subqueries if type(sub) is wq.Not]
        if not keep:
            raise _Unsupported  # a bare NOT: every document but some
        keep.sort(key=self._size)
        total: Scores | None = None
        for sub in keep:
            part = self.run(sub, within)
            total = part if total is None else {d: s + part[d] for d, s in total.items() if d in part}
            within = sorted(total)
            if not total:
                return {}
        assert total is not None
        for sub in drop:
            gone = self.run(sub, within)
            total = {d: s + 1.0 for d, s in total.items() if d not in gone}
        return total

    def _size(self, q: wq.Query) -> int:
        """Whoosh's estimate of how many documents a part matches, to read the rarest first; a date range
        counts as every document (estimating it would expand its tiered terms, which reading it avoids)."""
        if type(q) in (wq.DateRange, wq.NumericRange) and q.fieldname == "published":
            return self.reader.doc_count_all()
        return q.estimate_size(self.reader)

    # Leaves

    def _postings(
        self, field: str, btext: bytes, within: list[int] | None, positions: bool = False
    ) -> tuple[list[int], list, list]:
        """(ids, weights, values) of a term in this segment, ids ascending; deleted documents and, with
        ``within``, the documents not in it left out."""
        reader = self.reader
        m = internals.term_matcher(reader, field, btext)
        allowed = set(within) if within is not None else None
        deleted = self.deleted
        ids: list[int] = []
        weights: list = []
        values: list = []
        blocks = internals.posting_blocks(m, within, positions) or _one_block(m)
        for block_ids, block_weights, block_values in blocks:
            if allowed is not None or deleted:
                keep = [
                    i
                    for i, d in enumerate(block_ids)
                    if (allowed is None or d in allowed) and not (deleted and d in deleted)
                ]
                if len(keep) < len(block_ids):
                    block_ids = [block_ids[i] for i in keep]
                    block_weights = [block_weights[i] for i in keep]
                    block_values = [block_values[i] for i in keep] if positions else block_values
            ids.extend(block_ids)
            weights.extend(block_weights)
            if positions:
                values.extend(block_values)
        return ids, weights, values

    def _lengths(self, field: str) -> bytes:
        cache = self.caches.lengths.setdefault(self.reader, {})
        if field not in cache:
            cache[field] = internals.segment_length_bytes(self.reader, field)
        return cache[field]

    def _term_bytes(self, field: str, text: Any) -> bytes | None:
        schema = self.reader.schema
        if field not in schema:
            return None
        try:
            btext = schema[field].to_bytes(text)
        except ValueError:
            return None
        return btext if (field, btext) in self.reader else None  # absent from this segment

    def _scores(self, field: str, btext: bytes, ids: list[int], weights: list) -> list[float]:
        """Whoosh's BM25F for each posting (scoring.bm25, term-for-term, so the doubles come out the same)."""
        fieldobj = self.reader.schema[field]
        if not fieldobj.scorable:
            return list(weights)  # Whoosh's WeightScorer
        K1 = self.searcher.weighting.K1
        idf = self.searcher.idf(field, btext)
        norm = self._norms(field)
        lengths = self._lengths(field)
        k1p1 = K1 + 1
        return [idf * ((tf * k1p1) / (tf + norm[lengths[d]])) for d, tf in zip(ids, weights, strict=True)]

    def _norms(self, field: str) -> list[float]:
        """BM25's length normalisation for each of the 256 length bytes of a field: it depends on the searcher's
        average field length only, so it is made once per searcher and field, not once per term and segment."""
        cache = self.caches.norms
        if field not in cache:
            w = self.searcher.weighting
            B = internals.field_b(w, field)
            avgfl = self.searcher.avg_field_length(field) or 1
            cache[field] = [w.K1 * ((1 - B) + B * fl / avgfl) for fl in _LENGTH_OF_BYTE]
        return cache[field]

    def term(self, field: str, text: Any, boost: float, within: list[int] | None) -> Scores:
        btext = self._term_bytes(field, text)
        if btext is None:
            return {}
        ids, weights, _ = self._postings(field, btext, within)
        scores = self._scores(field, btext, ids, weights)
        if boost != 1.0:  # Whoosh wraps the matcher to multiply its score
            scores = [s * boost for s in scores]
        return dict(zip(ids, scores, strict=True))

    def pattern(self, q: wq.PatternQuery, within: list[int] | None) -> Scores:
        """Whoosh's Prefix and Wildcard as its matchers score them in one segment (MultiTerm, then Or's choice of
        matcher): the segment's words that match; a lone word scored as a plain term (the pattern's boost is
        dropped); several summed as an OR of terms times the boost when they are two or the segment holds over
        5,000 documents; otherwise (a smaller segment, or 1,024 words and more) Whoosh's unscored array matcher,
        where every matching document scores 1."""
        if (
            not q.constantscore
            or (type(q) is wq.Prefix and q.text == "")
            or (type(q) is wq.Wildcard and q.text.strip("*") == "")
        ):
            raise _Unsupported  # scored otherwise (the array matcher sums), or Whoosh matches every document
        words = [w for w in internals.pattern_words(q, self.reader) if w]
        if not words:
            return {}
        if len(words) == 1:
            return self.term(q.fieldname, words[0], 1.0, within)
        parts = [self.term(q.fieldname, w, 1.0, within) for w in words]
        if len(words) < TOO_MANY_CLAUSES and (len(words) == 2 or self.reader.doc_count_all() > ARRAY_DOC_LIMIT):
            return _boosted(_sum_union(parts), q.boost)
        return {d: 1.0 for part in parts for d in part}

    def published_range(self, q: wq.NumericRange, within: list[int] | None) -> Scores:
        """Whoosh's range on the ``published`` DATETIME field (tiered terms under a constant-score query: each
        document in the range scores the range's boost), read from the field's column. Undated documents hold
        the column's default, above every date, and no term: they never match."""
        if q.fieldname != "published" or not q.constantscore or "published" not in self.reader.schema:
            raise _Unsupported
        field = self.reader.schema["published"]
        if (
            not isinstance(field, DATETIME)
            or field.column_type is None
            or not all(x is None or isinstance(x, int) for x in (q.start, q.end))
        ):
            raise _Unsupported  # not a sortable DATETIME: no column to read
        values = dates.segment_published(self.reader)  # DATETIME's column holds the value itself, unshifted
        if values is None:  # no dated document in this segment
            return {}
        low = 0 if q.start is None else int(q.start) + (1 if q.startexcl else 0)
        high = dates.LAST_DATED if q.end is None else min(int(q.end) - (1 if q.endexcl else 0), dates.LAST_DATED)
        deleted = self.deleted
        docs = range(self.reader.doc_count_all()) if within is None else within
        return {d: q.boost for d in docs if low <= values[d] <= high and not (deleted and d in deleted)}

    def phrase(self, q: wq.Phrase, within: list[int] | None) -> Scores:
        """Words at consecutive positions (Whoosh's SpanNear2 with slop 1), scored as the sum of the words'
        scores. The rarest word is read first; the others only in the blocks that hold its documents."""
        if q.slop != 1 or len(q.words) < 2:
            raise _Unsupported
        field = q.fieldname
        if field not in self.reader.schema or not self.reader.schema[field].format.supports("positions"):
            raise _Unsupported
        words: list[bytes] = []
        for word in q.words:
            btext = self._term_bytes(field, word)
            if btext is None:
                return {}
            words.append(btext)
        order = sorted(range(len(words)), key=lambda k: self.reader.doc_frequency(field, words[k]))
        postings: dict[int, tuple[dict[int, int], list, list]] = {}  # word -> (docnum -> row, weights, values)
        holding: list[int] = []
        for k in order:
            ids, weights, values = self._postings(field, words[k], within, positions=True)
            postings[k] = ({d: i for i, d in enumerate(ids)}, weights, values)
            within = holding = ids  # read with ``within``, so already the documents holding every word so far
            if not holding:
                return {}
        first, rest = order[0], order[1:]
        rows0, _, values0 = postings[first]
        memo = self.caches.positions
        matched = []
        for d in holding:  # documents holding every word: now the positions, rarest word first
            starts = {p - first for p in _positions(memo, values0[rows0[d]])}
            for k in rest:
                rows, _, values = postings[k]
                starts = {p - k for p in _positions(memo, values[rows[d]]) if p - k in starts}
                if not starts:
                    break
            if starts:
                matched.append(d)
        total: list[float] = []
        for k, btext in enumerate(words):  # summed in the phrase's order, as Whoosh's intersection does
            rows, weights, _ = postings[k]
            scores = self._scores(field, btext, matched, [weights[rows[d]] for d in matched])
            total = scores if k == 0 else [a + b for a, b in zip(total, scores, strict=True)]
        if q.boost != 1.0:
            total = [t * q.boost for t in total]
        return dict(zip(matched, total, strict=True))


def _positions(memo: dict[bytes, tuple[int, ...]], value: bytes) -> tuple[int, ...]:
    """Whoosh's Positions format: a 4-byte count, then a pickled list of position deltas. Remembered by
    value: a third of the values of two common words are distinct, most are one or two positions."""
    found = memo.get(value)
    if found is None:
        raw = value if value[-1] == 46 else value + b"."  # the pickle's STOP opcode, which Whoosh may trim
        found = bounded(memo)[value] = tuple(accumulate(loads(raw[4:])))
    return found


def _one_block(m: Any) -> Iterator[tuple[list[int], list, list]]:
    """Postings inlined in the term info (a term in one document) and any other matcher, one by one."""
    ids, weights, values = [], [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        values.append(m.value())
        m.next()
    yield ids, weights, values


def _boosted(scores: Scores, boost: float) -> Scores:
    """A compound query's boost multiplies its summed score (Whoosh wraps the compound's matcher)."""
    return scores if boost == 1.0 else {d: s * boost for d, s in scores.items()}


def _sum_union(parts: list[Scores]) -> Scores:
    out: Scores = {}
    for part in parts:
        for d, s in part.items():
            out[d] = out[d] + s if d in out else s
    return out
