"""The term-by-term merge (index/merge.py) writes the segment Whoosh's own merge writes, byte for byte: over
segments with deleted documents, with documents added in the same commit, and through the index's merge
policy; and it is the merge the index writer uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from newsdex.index import whoosh_internals
from newsdex.index.layout import IndexPaths
from newsdex.index.merge import MergingWriter
from newsdex.index.schema import to_fields
from newsdex.index.segments import build_segment
from newsdex.index.writer import apply_changes
from newsdex.models import EnrichedDoc
from newsdex.reading.reader import search
from tests.conftest import enriched_folder, seeds_and_generated
from tools.merge_check import index_of, merge_all, segment_digests


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[EnrichedDoc]:
    enriched = enriched_folder(seeds_and_generated(tmp_path_factory.mktemp("merge-corpus"), 35, seed=5))
    assert len(enriched) == 40
    return enriched


def _merged(folder: Path, docs: list[EnrichedDoc], writer_class: type, added: list[EnrichedDoc]) -> dict:
    built = [build_segment(docs[i : i + 8]) for i in range(0, len(docs), 8)]
    # Deletions in every segment: their postings must go, and the terms only they had.
    ix = index_of(folder, built, [doc.id for doc in docs[3::7]])
    writer = writer_class(ix)
    for doc in added:
        writer.add_document(**to_fields(doc))
    writer.commit(mergetype=merge_all)
    (files,) = segment_digests(folder)  # merged into one segment
    return {"documents": FileStorage(str(folder)).open_index().doc_count(), "files": files}


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


@pytest.mark.skipif(
    not whoosh_internals.fast_paths(),
    reason="the fast paths are off (NEWSDEX_FAST_PATHS=0): Whoosh's own merge, nothing term by term",
)
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
    segments = segment_digests(ours.live_generation())
    assert len(segments) < len(docs) // 4  # the policy did merge
    assert segments == segment_digests(whooshs.live_generation())
    found = 0
    for q in ["gulags", '"Kursk region"', "title:korea", "war OR police", "person:putin", "the", "loc:ukraine"]:
        got = search(ours.root, q, limit=100)
        assert got == search(whooshs.root, q, limit=100)
        found += got["total"] > 0
    assert found >= 5
