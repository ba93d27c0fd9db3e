"""Writing the Whoosh index: one writer at a time, in-place updates for incremental runs, and full rebuilds
into a new generation that is swapped in atomically (readers see the old index until the swap)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import IndexWriter, SegmentWriter

from newsdex.index.layout import IndexPaths, drop_generations, swap_generation
from newsdex.index.merge import MergingWriter
from newsdex.index.schema import build_schema, to_fields
from newsdex.index.segments import BuiltSegment
from newsdex.models import EnrichedDoc
from newsdex.settings import max_merge_docs, writer_mb

# settings.writer_mb(): Whoosh's posting buffer before it spills a sorted run to disk. A batch of 500 documents
# stays under it; a merge of thousands spills. Its estimate counts bytes of postings, not Python objects: the
# real memory is a few times larger, so a bigger buffer shows up in the writer's peak RSS (not a cap).
# settings.max_merge_docs(): segments at or above this many documents are never merged again (by incremental
# commits): a merge re-reads and re-writes every posting of its segments in the writer's process, so without a
# bound the occasional merge of everything grows with the corpus (at 50k documents, one commit merged ~31k
# documents into a 323 MB segment, single-threaded, while the workers waited). A full rebuild still writes one
# segment of any size.


def merge_bounded(writer: SegmentWriter, segments: list) -> list:
    """Whoosh's MERGE_SMALL (merge the smallest segments once there are more of them than a Fibonacci bound
    allows) over the segments below ``settings.max_merge_docs()`` only, and never into a segment above it. Returns the
    segments left as they are; the merged ones go into the writer's new segment."""
    from whoosh.reading import SegmentReader
    from whoosh.util import fib

    bound = max_merge_docs()
    small = sorted((s for s in segments if s.doc_count_all() < bound), key=lambda s: s.doc_count_all())
    to_merge: list = []
    total = 0
    found = False
    for i, seg in enumerate(small):
        if total + seg.doc_count_all() > bound:
            break  # the bound comes first: no merge point among the segments that fit
        to_merge.append(seg)
        total += seg.doc_count_all()
        if i > 3 and total < fib(i + 5):
            found = True
            break
    if not found or len(to_merge) < 2:
        return segments
    for seg in to_merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        if not isinstance(writer, MergingWriter):  # a MergingWriter reads the postings at its flush
            reader.close()
    merged = set(id(s) for s in to_merge)
    return [s for s in segments if id(s) not in merged]


def _storage(folder: Path) -> FileStorage:
    """A generation's files, read with ordinary file reads. Whoosh maps a compound segment with mmap by default,
    and a reader then wraps the mapping in ``BytesIO`` (whoosh/filedb/structfile.py ``BufferFile``), which copies
    the segment's whole terms and postings files, on top of the mapped pages it touched: a commit's searcher
    (for the deletes) or merge held about twice the whole index in RSS (a 115 MB index: +226 MB per reader),
    so the writer's peak grew with the corpus. Without mmap a reader reads only what it looks up."""
    return FileStorage(str(folder), supports_mmap=False)


def _open_or_create(paths: IndexPaths):  # -> whoosh.index.FileIndex
    live = paths.live_generation()
    if live is not None and whoosh_index.exists_in(live):
        return _storage(live).open_index()
    gen = paths.new_generation()
    ix = _storage(gen).create_index(build_schema())
    swap_generation(paths, gen)
    return ix


def _add_new_fields(writer: IndexWriter) -> None:
    """Fields added to the schema after this generation was created (``language``): the index gains them at its
    next commit, and its older documents simply have no value for them."""
    for name, field in build_schema().items():
        if name not in writer.schema and not name.startswith("spell_"):  # spell_*: made by their parent field
            writer.add_field(name, field)


def _writer(ix, procs: int = 1) -> IndexWriter:
    if procs > 1:
        return ix.writer(limitmb=writer_mb(), procs=procs, multisegment=True)
    return MergingWriter(ix, limitmb=writer_mb())  # what ix.writer() builds, with the faster merge


class _AdoptingWriter(MergingWriter):
    """A writer whose commit also lists segments built elsewhere (``newsdex.index.segments``): Whoosh's multisegment
    recipe (``HookedWriter.commit_with``, index/whoosh_internals.py). Old segments are merged by the usual policy;
    the adopted ones join the new table of contents as they are (later commits merge them like any other)."""

    def __init__(self, ix, adopted: list[BuiltSegment], **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.adopted = adopted

    def place_files(self) -> None:
        """Write the adopted segments' files; until the TOC names them they are strays that no reader opens
        and that the next commit's cleanup deletes (so a crash before the commit leaves no trace)."""
        for built in self.adopted:
            for name, data in built.files.items():
                with self.storage.create_file(name) as f:
                    f.write(data)

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        self.commit_with([b.segment for b in self.adopted], mergetype, optimize, merge)


def apply_changes(
    paths: IndexPaths,
    upserts: Iterable[EnrichedDoc],
    deletes: Iterable[str] = (),
    adopted: list[BuiltSegment] | None = None,
) -> int:
    """Add or replace documents and delete others in the live generation, in a single commit. ``adopted``
    segments (built by ``newsdex.index.segments.build_segment``) replace any older version of their documents.

    Whoosh writes a new TOC file last, so a crash before the commit leaves the previous state readable (files
    of an adopted segment written before the crash are deleted by the next commit). Returns the number of
    documents written.
    """
    ix = _open_or_create(paths)
    writer = _AdoptingWriter(ix, adopted, limitmb=writer_mb()) if adopted else _writer(ix)
    n = 0
    try:
        _add_new_fields(writer)
        for doc_id in deletes:
            writer.delete_by_term("id", doc_id)
        if adopted:
            writer.place_files()
        for built in adopted or []:
            for doc_id in built.ids:
                writer.delete_by_term("id", doc_id)
            n += len(built.ids)
        for doc in upserts:
            writer.update_document(**to_fields(doc))
            n += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_bounded)
    return n


class Rebuild:
    """A full rebuild into a fresh generation; ``commit()`` swaps it in, ``abort()`` (or a crash) leaves the
    old generation live and the new folder to be cleaned up by the next rebuild."""

    def __init__(self, paths: IndexPaths, procs: int = 1) -> None:
        self.paths = paths
        self.generation: Path = paths.new_generation()
        self.ix = _storage(self.generation).create_index(build_schema())
        self.writer = _writer(self.ix, procs)

    def add(self, docs: Iterable[EnrichedDoc]) -> None:
        for doc in docs:
            self.writer.add_document(**to_fields(doc))

    def commit(self) -> None:
        self.writer.commit()
        swap_generation(self.paths, self.generation)
        drop_generations(self.paths, keep=self.generation)

    def abort(self) -> None:
        self.writer.cancel()
        import shutil

        shutil.rmtree(self.generation, ignore_errors=True)


def indexed_ids(paths: IndexPaths) -> set[str]:
    """Every document id in the live generation (read from the term list, not the stored fields)."""
    live = paths.live_generation()
    if live is None or not whoosh_index.exists_in(live):
        return set()
    with _storage(live).open_index().searcher() as searcher:
        reader = searcher.reader()
        ids = set()
        for term in reader.lexicon("id"):  # deleted documents keep their terms until a merge: check each
            if any(not reader.is_deleted(n) for n in reader.postings("id", term).all_ids()):
                ids.add(term.decode() if isinstance(term, bytes) else term)
        return ids


def index_size_bytes(paths: IndexPaths) -> int:
    live = paths.live_generation()
    if live is None or not live.is_dir():
        return 0
    return sum(f.stat().st_size for f in live.iterdir() if f.is_file())
