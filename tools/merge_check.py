"""Comparing segment merges: an index of segments built apart (as Dask workers hand them over), a merge policy
that merges everything, and per-segment file digests. Shared by ``bench/merge.py`` and
``tests/test_index_merge.py``, which check that newsdex's merge writes Whoosh's bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from newsdex.index.merge import MergingWriter
from newsdex.index.schema import build_schema
from newsdex.index.segments import BuiltSegment
from newsdex.index.whoosh_internals import segments_of


def index_of(folder: Path, built: list[BuiltSegment], delete_ids: Sequence[str] = ()):  # -> whoosh FileIndex
    """An index of segments built apart (what Dask workers hand over), with ``delete_ids`` then deleted."""
    folder.mkdir(parents=True)
    storage = FileStorage(str(folder), supports_mmap=False)
    ix = storage.create_index(build_schema())
    for b in built:
        for name, data in b.files.items():
            with storage.create_file(name) as f:
                f.write(data)
    TOC(ix.schema, [b.segment for b in built], 1).write(storage, "MAIN")
    ix = storage.open_index()
    if delete_ids:
        writer = ix.writer()
        for doc_id in delete_ids:
            writer.delete_by_term("id", doc_id)
        writer.commit(merge=False)
    return ix


def merge_all(writer: SegmentWriter, segments: list) -> list:
    """A merge policy that merges every segment (a writer's ``commit(mergetype=...)``)."""
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        if not isinstance(writer, MergingWriter):  # a MergingWriter reads the postings at its flush
            reader.close()
    return []


def segment_digests(folder: Path) -> list[dict[str, str]]:
    """For each segment of the index in ``folder``: the sha256 of each of its files, by what follows the
    segment's random name (so two indexes' segments compare)."""
    storage = FileStorage(str(folder))
    out = []
    for segment in segments_of(storage.open_index()):
        files = segment.open_compound_file(storage) if segment.is_compound() else storage
        digests = {}
        for name in files.list():
            if segment.segment_id() in name:
                with files.open_file(name) as f:
                    digests[name[name.index(".") :]] = hashlib.sha256(f.read()).hexdigest()
        out.append(digests)
    return out
