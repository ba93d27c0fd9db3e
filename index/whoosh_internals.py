"""Whoosh's private parts, in one place: every name newsdex reads or overrides below Whoosh's public API (the
2.7 codec's posting blocks, length and numeric columns, stored fields, term tables, the writer's segment steps,
the table of contents' commit counter, the highlighter's token merge). ``tests/test_layout.py`` forbids them
anywhere else, so a Whoosh release that moves them breaks this module only.

``supported()`` says whether the installed Whoosh has them (its version, and every attribute, looked up on a
small index built in memory); ``fast_paths()`` whether newsdex may use its fast paths (supported, and not
switched off with ``NEWSDEX_FAST_PATHS=0``). Without them, searches are scored, filtered, highlighted and their
stored fields read by Whoosh's own public code, and merges are Whoosh's own: the same answers, slower
(``tests/test_index_scoring.py`` holds the two ways equal; CI runs the scoring tests both ways).
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3TermsReader, _lenfield
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import Formatter, Highlighter
from whoosh.index import TOC
from whoosh.scoring import BM25F
from whoosh.searching import Results
from whoosh.writing import SegmentWriter

from newsdex import settings

TESTED = (2, 7)  # the Whoosh series whose private parts these are (whoosh-reloaded 2.7.x)
SWITCH = "NEWSDEX_FAST_PATHS"  # 0: every fast path off (README, settings)


# --- the checks ------------------------------------------------------------------------------------------
@cache
def unsupported() -> str | None:
    """Why the installed Whoosh lacks what this module reads (None: it has all of it)."""
    version = tuple(whoosh.__version__[:2])
    if version != TESTED:
        return f"Whoosh {whoosh.versionstring()} (fast paths are written against {TESTED[0]}.{TESTED[1]})"
    for owner, names in _CLASS_NAMES:
        for name in names:
            if not hasattr(owner, name):
                return f"Whoosh's {owner.__name__} has no {name}"
    try:
        return _instance_problem()
    except Exception as exc:  # whatever a changed Whoosh raises here means: not supported
        return f"Whoosh's internals do not read as expected ({type(exc).__name__}: {exc})"


def supported() -> bool:
    """Whether the installed Whoosh has every private part this module uses."""
    return unsupported() is None


def fast_paths() -> bool:
    """Whether newsdex's fast paths may run: Whoosh supported, and not switched off (``NEWSDEX_FAST_PATHS=0``,
    read at each call so that a test or a process can switch it)."""
    return settings.fast_paths_wanted() and supported()


_CLASS_NAMES: list[tuple[type, tuple[str, ...]]] = [
    (W3LeafMatcher, ("_read_data", "_read_values", "_goto")),
    (
        SegmentWriter,
        (
            "_check_state",
            "_merge_segments",
            "_finalize_segment",
            "_close_segment",
            "_commit_toc",
            "_finish",
            "_flush_segment",
        ),
    ),
    (Highlighter, ("_merge_matched_tokens",)),
    (Formatter, ("_text",)),
    (TOC, ("_latest_generation",)),
]


def _instance_problem() -> str | None:
    """The attributes Whoosh sets on its objects, looked up on a two-document index in memory."""
    from datetime import datetime

    from whoosh.fields import DATETIME, ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Prefix

    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT, published=DATETIME(sortable=True)))
    with ix.writer() as w:
        w.add_document(id="a", body="alpha beta", published=datetime(2024, 1, 2))
        w.add_document(id="b", body="alpha gamma")
    with ix.searcher() as searcher:
        reader = searcher.leaf_searchers()[0][0].reader()
        wanted = {
            "segment reader": (reader, ("_codec", "_terms", "_perdoc", "_storage")),
            "terms reader": (reader._terms, ("_postfile",)),
            "weighting": (BM25F(), ("_field_B",)),
        }
        for what, (obj, names) in wanted.items():
            for name in names:
                if not hasattr(obj, name):
                    return f"Whoosh's {what} has no {name}"
        matcher = term_matcher(reader, "body", b"alpha")
        if not isinstance(matcher, W3LeafMatcher) or not hasattr(matcher, "_byteids"):
            return "Whoosh's posting matcher is not the 2.7 codec's"
        if [ids for ids, _, _ in posting_blocks(matcher, None, False) or []] != [[0, 1]]:
            return "Whoosh's posting blocks do not read as expected"
        if numeric_values(reader.column_reader("published", translate=False), 2) is None:
            return "Whoosh's numeric column does not read as expected"
        if len(pattern_words(Prefix("body", "al"), reader)) != 1 or len(ix._segments()) != 1:
            return "Whoosh's query expansion or segment list does not read as expected"
    return None


# --- reading: segments, postings, columns ----------------------------------------------------------------
def w3_segment(reader: Any) -> bool:
    """A segment reader of Whoosh 2.7's default codec (whose blocks and columns this module reads)."""
    return type(getattr(reader, "_codec", None)) is W3Codec


def w3_terms(reader: Any) -> bool:
    return isinstance(getattr(reader, "_terms", None), W3TermsReader)


def term_matcher(reader: Any, field: str, btext: bytes) -> Any:
    """The segment's posting matcher of one term, without Whoosh's scorer wrapped around it."""
    return reader._terms.matcher(field, btext, reader.schema[field].format)


def posting_blocks(m: Any, within: list[int] | None, positions: bool) -> Iterator[tuple[list[int], Any, Any]] | None:
    """(ids, weights, values) per posting block of a 2.7 leaf matcher, or None for another matcher; with
    ``within`` (sorted docnums), blocks whose id range holds none of them are skipped unread (their header gives
    the range)."""
    if not isinstance(m, W3LeafMatcher) or m._byteids:
        return None
    return _blocks(m, within, positions)


def _blocks(m: Any, within: list[int] | None, positions: bool) -> Iterator[tuple[list[int], Any, Any]]:
    last_max = -1
    while m.is_active():
        if within is not None:
            i = bisect_right(within, last_max)
            wanted = i < len(within) and within[i] <= m._maxid
        else:
            wanted = True
        if wanted:
            m._read_data()
            data = m._data
            ids = list(accumulate(data[0]))
            w = data[1]
            if w is None or isinstance(w, float):
                w = [1.0 if w is None else w] * len(ids)
            values = None
            if positions:
                m._read_values()
                values = m._values
            yield ids, w, values
        if m._lastblock:
            return
        last_max = m._maxid
        m._goto(m._nextoffset)


def length_bytes(perdoc: Any, field: str, count: int) -> bytes:
    """A segment's length byte of ``field`` for each of its ``count`` documents (0 where it has none), read
    from its length column in one piece (``perdoc``: the segment's W3PerDocReader)."""
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    raw = b"" if column is None else column._dbfile.get(column._basepos, column._count)
    return raw + bytes(count - len(raw))


def segment_length_bytes(reader: Any, field: str) -> bytes:
    """``length_bytes`` of a segment reader's every document."""
    return length_bytes(reader._perdoc, field, reader.doc_count_all())


def field_b(weighting: Any, field: str) -> float:
    """BM25F's B for ``field`` (its per-field value, else the weighting's own)."""
    return weighting._field_B.get(field, weighting.B)


def pattern_words(q: Any, reader: Any) -> list[bytes]:
    """The index words a prefix or wildcard query stands for in ``reader``, as Whoosh expands it."""
    return list(q._btexts(reader))


def numeric_values(column: Any, count: int) -> array | None:
    """An unsigned 64-bit numeric column's values (a DATETIME's), one per document, in one read (8 bytes a
    document); None for a column of another shape."""
    if not (isinstance(column, NumericColumn.Reader) and column._typecode == "Q"):
        return None
    raw = array("Q", column._dbfile.get(column._basepos, column._count * column._fixedlen))
    if sys.byteorder == "little":  # Whoosh writes columns big-endian
        raw.byteswap()
    raw.extend([column._default] * (count - len(raw)))
    return raw


def stored_fields(reader: Any, docnum: int) -> dict[str, Any]:
    """A segment's stored fields of one document, straight from its stored column (``docnum`` in the segment)."""
    return reader._perdoc.stored_fields(docnum)


def latest_generation(folder: Path) -> int:
    """Whoosh's commit counter of the index in ``folder``: a directory listing, no file opened."""
    return TOC._latest_generation(FileStorage(str(folder)), "MAIN")


def results(searcher: Any, q: Any, top: list[tuple[float, int]], runtime: float, matched: Any) -> Results:
    """Whoosh ``Results`` of hits scored elsewhere: ``top`` (score, docnum), every match in ``matched`` (its
    length is the total; the date histogram reads them)."""
    out = Results(searcher, q, top, runtime=runtime)
    out._total = len(matched)
    out.docset = matched
    return out


def merge_matched_tokens(tokens: Iterator[Any]) -> Iterator[Any]:
    """Adjacent matched tokens joined, as Whoosh's highlighter joins them before fragmenting."""
    return Highlighter._merge_matched_tokens(tokens)


class EscapingFormatter(Formatter):
    """A highlight formatter whose text between the marks is given to ``between_marks`` (Whoosh's private
    ``_text`` hook), so a subclass can escape it."""

    def between_marks(self, text: str) -> str:
        return text

    def _text(self, text: str) -> str:
        return self.between_marks(text)


# --- writing: segments, terms, the writer's steps --------------------------------------------------------
def segments_of(ix: Any) -> list[Any]:
    """The segments of an index's table of contents."""
    return ix._segments()


def segment_storage(reader: Any) -> Any:
    return reader._storage


def postings_bytes(reader: Any, offset: int, length: int) -> bytes:
    """``length`` bytes of a segment's postings file from ``offset`` (a term's blocks lie together)."""
    return reader._terms._postfile.get(offset, length)


def posting_adder(fieldwriter: Any) -> Any:
    """The field writer's ``add_posting(docnum, weight, value, length)`` of the term being written."""
    return fieldwriter._postwriter.add_posting


class HookedWriter(SegmentWriter):
    """Whoosh's SegmentWriter with public hooks where newsdex changes its private steps: ``write_postings``
    (return True when it wrote the segment's postings itself) and ``after_close``; ``admit`` checks the writer
    is open and marks a reader's documents as added; ``commit_with`` commits with more segments in the table
    of contents (Whoosh's multisegment recipe, ``whoosh.multiproc.MpWriter._commit``)."""

    def write_postings(self) -> bool:
        return False

    def after_close(self) -> None:
        pass

    def admit(self) -> None:
        self._check_state()

    def mark_added(self) -> None:
        self._added = True

    def _flush_segment(self) -> None:
        if not self.write_postings():
            super()._flush_segment()

    def _close_segment(self) -> None:
        super()._close_segment()
        self.after_close()

    def commit_with(
        self, extra_segments: list[Any], mergetype: Any = None, optimize: Any = None, merge: Any = None
    ) -> None:
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments + list(extra_segments))
        self._finish()
