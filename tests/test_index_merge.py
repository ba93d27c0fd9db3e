"""The term-by-term merge (index/merge.py) writes the segment Whoosh's own merge writes, byte for byte: over
segments with deleted documents, with documents added in the same commit, and through the index's merge
policy; and it is the merge the index writer uses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from index.layout import IndexPaths
from index.merge import MergingWriter
from index.reader import search
from index.schema import build_schema, to_fields
from index.segments import build_segment
from index.writer import apply_changes
from tasks.models import EnrichedDoc
from tests.conftest import enriched_folder, seeds_and_generated


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[EnrichedDoc]:
    enriched = enriched_folder(seeds_and_generated(tmp_path_factory.mktemp("merge-corpus"), 35, seed=5))
    assert len(enriched) == 40
    return enriched


def _index_of_segments(folder: Path, docs: list[EnrichedDoc], size: int):  # -> whoosh FileIndex
    """An index whose segments were built apart, ``size`` documents each (what Dask workers hand over)."""
    folder.mkdir()
    storage = FileStorage(str(folder), supports_mmap=False)
    ix = storage.create_index(build_schema())
    built = [build_segment(docs[i : i + size]) for i in range(0, len(docs), size)]
    for b in built:
        for name, data in b.files.items():
            with storage.create_file(name) as f:
                f.write(data)
    TOC(ix.schema, [b.segment for b in built], 1).write(storage, "MAIN")
    return storage.open_index()


def _merge_everything(writer: SegmentWriter, segments: list) -> list:
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        if not isinstance(writer, MergingWriter):
            reader.close()
    return []


def _segment_files(folder: Path) -> dict[str, str]:
    """Digest of each file of the index's one segment, by what follows the segment's random name."""
    storage = FileStorage(str(folder))
    (segment,) = storage.open_index()._segments()
    files = segment.open_compound_file(storage) if segment.is_compound() else storage
    out = {}
    for name in files.list():
        if segment.segment_id() in name:
            with files.open_file(name) as f:
                out[name[name.index(".") :]] = hashlib.sha256(f.read()).hexdigest()
    return out


def _merged(folder: Path, docs: list[EnrichedDoc], writer_class: type, added: list[EnrichedDoc]) -> dict:
    ix = _index_of_segments(folder, docs, 8)
    deleting = ix.writer()
    for doc in docs[3::7]:  # deletions in every segment: their postings must go, and terms only they had
        deleting.delete_by_term("id", doc.id)
    deleting.commit(merge=False)
    writer = writer_class(ix)
    for doc in added:
        writer.add_document(**to_fields(doc))
    writer.commit(mergetype=_merge_everything)
    merged = FileStorage(str(folder)).open_index()
    assert len(merged._segments()) == 1
    return {"documents": merged.doc_count(), "files": _segment_files(folder)}


@pytest.mark.parametrize("added", [0, 4], ids=["segments only", "with documents added"])
def test_the_merged_segment_is_byte_for_byte_whooshs(docs, tmp_path: Path, added: int) -> None:
    extra = docs[-added:] if added else []
    base = docs[: len(docs) - added]
    whoosh = _merged(tmp_path / "whoosh", base, SegmentWriter, extra)
    ours = _merged(tmp_path / "ours", base, MergingWriter, extra)
    assert whoosh["documents"] == len(base) - len(base[3::7]) + added
    assert ours == whoosh
    # Not vacuous: the postings, the term table and the length columns are among the files compared.
    assert {".pst", ".trm", "._body_len.col", "._stored.col"} <= set(ours["files"])


def _whooshs_add_reader(self: MergingWriter, reader: SegmentReader) -> None:
    SegmentWriter.add_reader(self, reader)
    reader.close()


def _all_segment_files(folder: Path) -> list[list[str]]:
    storage = FileStorage(str(folder))
    out = []
    for segment in storage.open_index()._segments():
        files = segment.open_compound_file(storage) if segment.is_compound() else storage
        with_id = [name for name in files.list() if segment.segment_id() in name]
        out.append(sorted(hashlib.sha256(files.open_file(name).read()).hexdigest() for name in with_id))
    return out


def test_the_index_writer_merges_this_way(docs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small commits make the index's merge policy merge segments: the index holds the segments Whoosh's
    own merge would have written, and searches the same."""

    def build(paths: IndexPaths) -> None:
        for i in range(0, len(docs), 4):
            apply_changes(paths, [], adopted=[build_segment(docs[i : i + 4])])

    ours, whooshs = IndexPaths(tmp_path / "ours"), IndexPaths(tmp_path / "whoosh")
    term_by_term = []
    write_postings = MergingWriter._write_postings

    def counted(writer: MergingWriter, lengths: object) -> None:
        term_by_term.append(len(writer._sources))
        write_postings(writer, lengths)

    with monkeypatch.context() as spied:
        spied.setattr(MergingWriter, "_write_postings", counted)
        build(ours)
    assert term_by_term  # the index's writer merged through index/merge.py
    with monkeypatch.context() as patched:
        patched.setattr(MergingWriter, "add_reader", _whooshs_add_reader)
        build(whooshs)
    segments = _all_segment_files(ours.live_generation())
    assert len(segments) < len(docs) // 4  # the policy did merge
    assert segments == _all_segment_files(whooshs.live_generation())
    found = 0
    for q in ["gulags", '"Kursk region"', "title:korea", "war OR police", "person:putin", "the", "loc:ukraine"]:
        got = search(ours.root, q, limit=100)
        assert got == search(whooshs.root, q, limit=100)
        found += got["total"] > 0
    assert found >= 5
