"""Merging Whoosh segments term by term, without Whoosh's posting pool.

Whoosh merges a segment into a writer (``SegmentWriter.add_reader``) by turning every posting into a tuple,
looking each term up again through the hash table to open its matcher, pushing the tuples through the
writer's posting pool (a sort, spilled to temporary files past the pool's size) and asking the new segment's
length column for every posting's field length: 10 ms of CPU per document merging ten segments of 100
(``bench/merge.py``), single-threaded in the flow's process, on the cores the Dask workers need.

Merged segments need none of that: each source's terms come out of its term file in order, each term's
postings are already sorted by document, and the sources' documents are numbered one after the other in the
new segment. ``MergingWriter`` keeps Whoosh's per-document merge (stored fields, lengths, columns, vectors)
and writes the postings by walking the sources' term files side by side, decoding each term's posting
blocks from one read, with the field lengths read once per field. The calls the codec's writer receives
are the ones the pool would have made, in the same order, so the segment's files are byte for byte those
Whoosh writes (tests/test_index_merge.py).

Relies on Whoosh 2.7's segment reader and W3 codec internals (``_terms``, ``_postfile``, the posting block
layout, the field writer's ``_postwriter``), pinned by the lock, as ``reading/scoring.py`` does; a reader of
another codec is merged by Whoosh's own ``add_reader``.
"""

from __future__ import annotations

import heapq
import struct
import zlib
from collections.abc import Iterator
from io import BytesIO
from itertools import accumulate, groupby
from pickle import load as pickle_load
from pickle import loads
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import SegmentReader
from whoosh.system import unpack_ushort
from whoosh.util.numeric import byte_to_length

from newsdex.index import whoosh_internals as internals
from newsdex.index.whoosh_internals import length_bytes as field_length_bytes

_INT = struct.Struct("!i")  # a block's length, as StructFile.read_int reads it
# Whoosh stores a field length as one byte; the codec's writer wants the (approximate) length back.
_LENGTH_OF = [None] + [byte_to_length(b) for b in range(1, 256)]  # byte 0: no length (as Whoosh passes it)

Postings = tuple[list[int], list[float], list[bytes]]  # ids in the new segment, weights, encoded values


class _Source:
    """One segment being merged: its reader and where its live documents landed in the new segment."""

    def __init__(self, order: int, reader: SegmentReader, base: int, docmap: dict[int, int] | None) -> None:
        self.order = order
        self.reader = reader
        self.base = base
        self.docmap = docmap  # old → new document number when the segment has deletions, else None

    def terms(self, schema: Any) -> Iterator[tuple[str, bytes, int, Any]]:
        """(field, term bytes, order, term info), sorted by field name then term: the order Whoosh's pool
        sorts postings in (a segment's term file is ordered by field number, which follows first use)."""
        # The term table is read into memory for the walk: through a compound file's reader, a Python call
        # per few bytes. It is a fraction of the segment; its postings stay on disk (``postings``).
        name = self.reader.segment().make_filename(W3Codec.TERMS_EXT)
        storage = internals.segment_storage(self.reader)
        with storage.open_file(name) as f:
            data = f.read(storage.file_length(name))
        table = OrderedHashReader(BufferFile(data), len(data))
        names = {number: name for name, number in table.extras["fieldmap"].items()}
        items = [
            (names[unpack_ushort(key[:2])[0]], key[2:], self.order, W3TermInfo.from_bytes(value))
            for key, value in table.items()
        ]
        items = [item for item in items if item[0] in schema]
        items.sort(key=lambda item: (item[0], item[1]))
        return iter(items)

    def postings(self, fieldobj: Any, terminfo: Any) -> Postings:
        if terminfo.is_inlined():  # a term in a single document: its posting is inlined in the term info
            ids, weights, values = (list(x) for x in terminfo.inlined_postings())
        else:
            # One read per term: its blocks lie together in the postings file (never the whole file in
            # memory: a bounded merge's sources hold ~100 MB of postings at 50k documents).
            offset, length = terminfo.extent()
            if isinstance(length, tuple):  # as W3TermInfo.from_bytes leaves it: (length,)
                (length,) = length
            ids, weights, values = _block_postings(
                internals.postings_bytes(self.reader, offset, length), fieldobj.format.fixed_value_size()
            )
        values = [v or b"" for v in values]
        if len(set(ids)) < len(ids):
            # Several postings of one document (spelling fields): Whoosh's pool sorts them by weight and
            # value, so the same is done here to write the same bytes.
            ids, weights, values = (list(x) for x in zip(*sorted(zip(ids, weights, values, strict=True)), strict=True))
        if self.docmap is None:
            base = self.base
            return [base + d for d in ids], weights, values
        docmap = self.docmap
        keep = [i for i, d in enumerate(ids) if d in docmap]  # postings of deleted documents are dropped
        return [docmap[ids[i]] for i in keep], [weights[i] for i in keep], [values[i] for i in keep]


def _block_postings(buf: bytes, fixedsize: int | None) -> Postings:
    """Every posting of a term, decoded a block at a time from the term's bytes of the postings file: the
    W3 leaf matcher's block reading (its ``goto`` and ``read`` steps: index/whoosh_internals.py) without
    a matcher and its file reads per term."""
    stream = BytesIO(buf)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a W3 posting list")
    ids: list[int] = []
    weights: list[float] = []
    values: list = []
    position = 4
    while True:
        (length,) = _INT.unpack_from(buf, position)
        stream.seek(position + _INT.size)
        count, _, _, compression, _, _ = pickle_load(stream)  # the block's info tuple
        start = stream.tell()
        position += _INT.size + abs(length)
        data = buf[start:position]
        block_ids, block_weights, block_values = loads(zlib.decompress(data) if compression else data)
        ids.extend(accumulate(block_ids))
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        # As the matcher reads them; a block may carry more bytes than its postings need (spelling fields),
        # and the matcher only ever reads the first ``count`` values.
        if fixedsize is None or fixedsize < 0:
            values.extend(block_values[:count])
        elif fixedsize == 0:
            values.extend([None] * count)
        else:
            values.extend(block_values[i : i + fixedsize] for i in range(0, count * fixedsize, fixedsize))
        if length < 0:  # a negative length marks the last block
            return ids, weights, values


class MergingWriter(internals.HookedWriter):
    """A ``SegmentWriter`` whose merges (``add_reader``, from any merge policy) write postings term by term
    (module docstring). Documents added with ``add_document`` still go through the pool and are written in
    the same pass, ahead of the merged ones (they hold the lower document numbers)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sources: list[_Source] = []

    def add_reader(self, reader: SegmentReader) -> None:
        self.admit()
        if not isinstance(reader, SegmentReader) or not internals.w3_terms(reader) or not internals.fast_paths():
            super().add_reader(reader)  # another codec, a multi-segment reader, the fast paths off: Whoosh's way
            return
        base = self.docnum
        indexed = {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = self.write_per_doc(set(self.schema.names()) | indexed, reader)
        # The reader stays open until the flush reads its postings; the writer closes it.
        self._sources.append(_Source(len(self._sources) + 1, reader, base, docmap))
        self.mark_added()

    def write_postings(self) -> bool:
        """The segment's postings, the pool's and the merged readers' in one pass (False: none merged here,
        Whoosh writes the pool's)."""
        if not self._sources:
            return False
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self._write_postings(lengths)
        finally:
            lengths.close()
        self.fieldwriter.close()
        return True

    def after_close(self) -> None:
        for source in self._sources:
            source.reader.close()
        self._sources = []

    def _write_postings(self, lengths: Any) -> None:
        schema = self.schema
        fw = self.fieldwriter
        streams = [_pool_terms(self.pool.iter_postings())] + [s.terms(schema) for s in self._sources]
        merged = heapq.merge(*streams, key=lambda item: (item[0], item[1], item[2]))
        lastfield = None
        length_bytes = b""
        for (fieldname, btext), parts in groupby(merged, key=lambda item: (item[0], item[1])):
            fieldobj = schema[fieldname]
            lists = [p[3] if p[2] == 0 else self._sources[p[2] - 1].postings(fieldobj, p[3]) for p in parts]
            if not any(ids for ids, _, _ in lists):
                continue  # only in deleted documents: Whoosh's pool would never see the term
            if fieldname != lastfield:
                if lastfield is not None:
                    fw.finish_field()
                fw.start_field(fieldname, fieldobj)
                lastfield = fieldname
                length_bytes = field_length_bytes(lengths, fieldname, self.docnum)
            fw.start_term(btext)
            add = internals.posting_adder(fw)
            for ids, weights, values in lists:
                for docnum, weight, value in zip(ids, weights, values, strict=True):
                    add(docnum, weight, value, _LENGTH_OF[length_bytes[docnum]])
            fw.finish_term()
        if lastfield is not None:
            fw.finish_field()


def _pool_terms(items: Iterator[tuple[str, bytes, int, float, bytes | None]]) -> Iterator[tuple]:
    """The pool's sorted postings grouped by term, in the shape of a source's terms (order 0: first)."""
    for (fieldname, btext), group in groupby(items, key=lambda p: (p[0], p[1])):
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        for _, _, docnum, weight, value in group:
            if docnum == -1:  # Whoosh's marker for spelling words, which its field writer skips too
                continue
            ids.append(docnum)
            weights.append(weight)
            values.append(value or b"")
        yield fieldname, btext, 0, (ids, weights, values)
