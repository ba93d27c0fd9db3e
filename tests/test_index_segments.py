"""Segments built away from the index (what a Dask worker does) and adopted by the writer give the same index
as writing the documents in place: same stored fields, same scores and facets; a re-built document replaces
its older version; an adoption that never commits leaves the index as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdex.index.layout import IndexPaths
from newsdex.index.segments import build_segment
from newsdex.index.writer import apply_changes, indexed_ids
from newsdex.models import EnrichedDoc
from newsdex.reading.reader import open_index, search
from tests.conftest import enriched_folder, seeds_and_generated

QUERIES = ["gulags", '"Kursk region"', "title:korea", "tax OR garden", "loc:ukraine", "person:putin", "the"]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[EnrichedDoc]:
    enriched = enriched_folder(seeds_and_generated(tmp_path_factory.mktemp("segments-corpus"), 25, seed=11))
    assert len(enriched) == 30
    return enriched


def _stored(root: Path) -> list[dict]:
    with open_index(root).searcher() as searcher:
        return sorted((dict(f) for f in searcher.all_stored_fields()), key=lambda f: f["id"])


def _results(root: Path) -> list:
    out = []
    for q in QUERIES:
        res = search(root, q, limit=50)
        out.append((res["total"], [(h["id"], h["score"], h["snippet"]) for h in res["hits"]], res["facets"]))
    return out


def _segment_count(root: Path) -> int:
    return len(open_index(root)._segments())


def test_adopted_segments_give_the_same_index_as_writing_in_place(docs, tmp_path: Path) -> None:
    in_place, adopted = IndexPaths(tmp_path / "in-place"), IndexPaths(tmp_path / "adopted")
    for i in range(0, len(docs), 8):
        batch = docs[i : i + 8]
        apply_changes(in_place, batch)
        assert apply_changes(adopted, [], adopted=[build_segment(batch)]) == len(batch)
    assert _segment_count(adopted.root) == 4
    assert _stored(in_place.root) == _stored(adopted.root)
    assert len(_stored(adopted.root)) == 30
    # Scores depend on index-wide statistics (document frequencies, average lengths): equal means the
    # adopted segments are complete parts of one index, not separate ones.
    assert _results(in_place.root) == _results(adopted.root)
    assert search(adopted.root, "gulags")["total"] >= 1


def test_an_adopted_segment_replaces_older_versions_of_its_documents(docs, tmp_path: Path) -> None:
    paths = IndexPaths(tmp_path / "ix")
    apply_changes(paths, [], adopted=[build_segment(docs[:10])])
    changed = docs[3].model_copy(update={"title": "Zanzibar ferry timetable revised"})
    apply_changes(paths, [], adopted=[build_segment([changed, docs[10]])])
    stored = {f["id"]: f for f in _stored(paths.root)}
    assert len(stored) == 11 and indexed_ids(paths) == {d.id for d in docs[:11]}
    assert stored[docs[3].id]["title"] == "Zanzibar ferry timetable revised"
    hits = search(paths.root, "zanzibar")["hits"]
    assert [h["id"] for h in hits] == [docs[3].id]
    assert search(paths.root, f'id:"{docs[3].id}"')["total"] == 1


def test_an_adoption_that_fails_before_its_commit_leaves_the_index_as_it_was(docs, tmp_path: Path) -> None:
    paths = IndexPaths(tmp_path / "ix")
    apply_changes(paths, docs[:10])
    before = _stored(paths.root)
    built = build_segment(docs[10:20])
    with pytest.raises(RuntimeError):
        apply_changes(paths, _Exploding(docs[20:22]), adopted=[built])
    assert _stored(paths.root) == before
    live = paths.live_generation()
    strays = [name for name in built.files if (live / name).exists()]
    assert strays  # written, but named by no table of contents: invisible to readers
    apply_changes(paths, [], adopted=[build_segment(docs[20:22])])
    assert not any((live / name).exists() for name in strays)  # the next commit cleans them up
    assert len(_stored(paths.root)) == 12


class _Exploding(list):
    """Documents whose iteration fails half-way, like a writer interrupted in the middle of a batch."""

    def __iter__(self):
        yield from super().__iter__()
        raise RuntimeError("interrupted")


def test_merges_never_build_a_segment_above_the_bound(docs, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSDEX_MAX_MERGE_DOCS", "12")
    merged, single = IndexPaths(tmp_path / "merged"), IndexPaths(tmp_path / "single")
    for i in range(0, len(docs), 2):  # 15 commits of 2 documents: Whoosh's policy would merge them all
        apply_changes(merged, docs[i : i + 2])
    apply_changes(single, docs)
    sizes = [s.doc_count_all() for s in open_index(merged.root)._segments()]
    assert sum(sizes) == 30
    assert len(sizes) < 15  # small segments were merged...
    assert max(sizes) <= 12  # ...never into one above the bound
    assert _stored(merged.root) == _stored(single.root)
    # A merge re-derives each field's total length from the per-document lengths, which Whoosh stores in one
    # byte: average lengths, and so BM25 scores, move in the third digit. Hits, order, totals and facets do not.
    for (total_a, hits_a, facets_a), (total_b, hits_b, facets_b) in zip(
        _results(merged.root), _results(single.root), strict=True
    ):
        assert (total_a, facets_a) == (total_b, facets_b)
        assert [(h[0], h[2]) for h in hits_a] == [(h[0], h[2]) for h in hits_b]
        assert [h[1] for h in hits_a] == pytest.approx([h[1] for h in hits_b], rel=0.02)


def test_building_a_segment_leaves_other_builders_scratch_files_alone(docs, tmp_path: Path, monkeypatch) -> None:
    """Regression: Whoosh's RamStorage kept its scratch files in <temp>/MAIN.tmp, shared by every process, and
    each commit emptied that folder; two Dask workers building at once deleted each other's files mid-build."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / "MAIN.tmp"
    shared.mkdir()
    other = shared / "another-builders-columns.ctmp"  # as if another worker were halfway through its segment
    other.write_bytes(b"x")
    built = build_segment(docs[:3])
    assert built is not None and built.ids == tuple(d.id for d in docs[:3])
    assert other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MAIN.tmp"]  # our own scratch folder is gone
