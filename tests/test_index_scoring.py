"""reading/scoring.py and reading/snippets.py against Whoosh itself: for every query shape they take over, the same
documents, the same order and the same scores as Whoosh's matchers, and the same snippets as Whoosh's
highlighter, on an index of several segments with deleted documents; shapes they leave to Whoosh say so.

CI runs this file a second time with the fast paths off (NEWSDEX_FAST_PATHS=0, index/whoosh_internals.py): the
tests of the fast scorer itself are then skipped, and what a user sees (search JSON, snippets) must not change."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.searching import Results

from newsdex.index import whoosh_internals
from newsdex.index.layout import IndexPaths
from newsdex.index.writer import apply_changes
from newsdex.models import EnrichedDoc
from newsdex.reading import passages, reader, scoring, snippets
from newsdex.reading.filters import build_filter
from newsdex.reading.query import make_parser
from newsdex.reading.rank import counting_collector
from newsdex.reading.request import Filters
from newsdex.reading.stored import stored_fields
from tests.conftest import enriched_folder, seeds_and_generated

fast_only = pytest.mark.skipif(
    not whoosh_internals.fast_paths(), reason="the fast paths are off (NEWSDEX_FAST_PATHS=0): no fast scorer to compare"
)

QUERIES = [
    "gulags",
    "the",
    "korea",
    "garden",
    '"Kursk region"',
    '"sent to the gulags"',
    '"of the"',
    '"north korea"',
    "title:korea",
    "tax OR garden",
    "korea AND garden",
    "korea NOT missile",
    "korea NOT missile NOT nuclear",
    "korea ANDNOT missile",
    "(war OR peace OR market) AND NOT korea",
    "korea AND NOT (missile OR nuclear)",
    "loc:ukraine",
    'person:"vladimir putin"',
    "body:market NOT title:market",
    "kim jong-un",
    "korea^2",
    "(korea garden)^2",
    "title:(korea OR garden)",
    "zzzznotaword",
    '"zzzznotaword korea"',
    "published:[2020 to 2030]",
    "korea AND published:[2024 to 2025]",
    "gov*",
    "gu?ag",
    "kor*",
    "title:g*",
    "gov* AND korea",
    "nor* NOT korea",
    "gul*",
]
UNSUPPORTED = [
    "korea ANDMAYBE garden",
    "korea OR NOT missile",
    '"Kursk region"~3',
    "*",
    "NOT korea",
]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[EnrichedDoc]:
    return enriched_folder(seeds_and_generated(tmp_path_factory.mktemp("scoring-corpus"), 35, seed=5))


@pytest.fixture(scope="module")
def index_root(docs: list[EnrichedDoc], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documents written in four batches (four segments), then a third of them re-written with a
    changed title, so the older segments hold deleted documents."""
    paths = IndexPaths(tmp_path_factory.mktemp("scoring-index") / "ix")
    for i in range(0, len(docs), 10):
        apply_changes(paths, docs[i : i + 10])
    changed = [d.model_copy(update={"title": f"{d.title} garden korea update"}) for d in docs[::3]]
    apply_changes(paths, changed)
    return paths.root


def _whoosh(searcher, q, filt=None) -> tuple[int, list[tuple[int, float]]]:
    collector = counting_collector(searcher, 100_000, filt, {})
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return len(results), [(docnum, score) for score, docnum in results.top_n]


def _ours(searcher, q, filt=None) -> tuple[int, list[tuple[int, float]]] | None:
    scores = scoring.evaluate(searcher, q, restrict=filt)
    if scores is None:
        return None
    return len(scores), [(docnum, score) for score, docnum in scoring.top(scores, 100_000)]


def _same(ours: list[tuple[int, float]], theirs: list[tuple[int, float]]) -> None:
    assert [d for d, _ in ours] == [d for d, _ in theirs]
    for (_, a), (_, b) in zip(ours, theirs, strict=True):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


def test_the_index_has_several_segments_and_deleted_documents(index_root: Path) -> None:
    searcher = reader.open_index(index_root).searcher()
    segments = [sub.reader() for sub, _ in searcher.leaf_searchers()]
    assert len(segments) >= 3
    assert any(r.has_deletions() for r in segments)


@fast_only
@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whooshs_for_every_shape_taken_over(index_root: Path, text: str) -> None:
    searcher = reader.open_index(index_root).searcher()
    q = make_parser(searcher.schema).parse(text)
    ours = _ours(searcher, q)
    assert ours is not None, f"{text!r} ({q!r}) should be scored by reading/scoring.py"
    total, ranked = _whoosh(searcher, q)
    assert ours[0] == total
    _same(ours[1], ranked)


def test_queries_with_matches_are_among_them(index_root: Path) -> None:
    # The comparison above means little if nothing matched: most queries find documents.
    searcher = reader.open_index(index_root).searcher()
    parser = make_parser(searcher.schema)
    found = [text for text in QUERIES if _whoosh(searcher, parser.parse(text))[0] > 0]
    assert len(found) >= len(QUERIES) - 3
    assert _whoosh(searcher, parser.parse('"sent to the gulags"'))[0] >= 1


@fast_only
@pytest.mark.parametrize(
    "filters",
    [
        {"entities": [("LOC", "Ukraine")]},
        {"entities": [("PERSON", "Kim Jong Un"), ("LOC", "North Korea")]},
        {"since": "2020", "until": "2030"},  # a date range: read from the column, not Whoosh's tiered terms
        {"since": "2024-03", "until": "2024-06-15"},
        {"since": "2025"},
        {"until": "2019"},
        {"since": "2024", "entities": [("LOC", "Ukraine")]},
        {"source": "nobody.example"},
    ],
)
def test_filtered_scores_and_totals_equal_whooshs(index_root: Path, filters: dict) -> None:
    searcher = reader.open_index(index_root).searcher()
    filt = build_filter(Filters(**filters))
    for text in ["the", "korea OR garden", '"of the"']:
        q = make_parser(searcher.schema).parse(text)
        ours = _ours(searcher, q, filt)
        assert ours is not None
        total, ranked = _whoosh(searcher, q, filt)
        assert ours[0] == total
        _same(ours[1], ranked)


@fast_only
def test_date_ranges_match_the_documents_whoosh_finds(index_root: Path) -> None:
    """The column read gives Whoosh's documents for open, closed and exclusive ranges, a dated document's own
    instant at either end included; undated documents never match."""
    from datetime import datetime, timedelta

    from whoosh.query import DateRange

    from newsdex.reading import dates

    searcher = reader.open_index(index_root).searcher()
    instants = sorted({v for v in dates._published_all(searcher) if v <= dates.LAST_DATED})
    assert len(instants) >= 5
    edge = datetime.min + timedelta(microseconds=instants[len(instants) // 2])
    ranges = [
        DateRange("published", None, None),
        DateRange("published", edge, None),
        DateRange("published", None, edge),
        DateRange("published", edge, edge),
        DateRange("published", edge, edge + timedelta(days=400), startexcl=True),
        DateRange("published", edge - timedelta(days=400), edge, endexcl=True),
        DateRange("published", datetime(2030, 1, 1), None),
    ]
    for q in ranges:
        assert scoring.matching(searcher, q) == set(searcher.docs_for_query(q)), q
    assert sum(bool(scoring.matching(searcher, q)) for q in ranges) >= 5
    assert len(scoring.matching(searcher, ranges[0])) < searcher.doc_count()  # the undated are left out


@pytest.mark.parametrize("text", UNSUPPORTED)
def test_other_shapes_are_left_to_whoosh(index_root: Path, text: str) -> None:
    searcher = reader.open_index(index_root).searcher()
    assert _ours(searcher, make_parser(searcher.schema).parse(text)) is None


def test_search_output_is_the_same_through_either_path(index_root: Path, monkeypatch) -> None:
    """The whole JSON (totals, order, scores, snippets, facets) with reading/scoring.py and with Whoosh's
    matchers (reading/scoring.py switched off). Misspelt queries bring a suggestion and the count of what it finds
    under the default filter (a regression: Whoosh's len() of a search with a limit and a filter is not the count)."""
    queries = [*QUERIES[:8], "korea NOT missile", "ukriane troops", "kurst"]
    ours = [reader.search(index_root, q, limit=20) for q in queries]
    ours.append(reader.search(index_root, "the", entities=[("LOC", "Ukraine")]))
    ours += [reader.search(index_root, q, since="2024", until="2025-06", limit=20) for q in ("korea", "gov*", "*")]
    monkeypatch.setattr(scoring, "evaluate", lambda *a, **k: None)
    monkeypatch.setattr(scoring, "matching", lambda *a, **k: None)
    theirs = [reader.search(index_root, q, limit=20) for q in queries]
    theirs.append(reader.search(index_root, "the", entities=[("LOC", "Ukraine")]))
    theirs += [reader.search(index_root, q, since="2024", until="2025-06", limit=20) for q in ("korea", "gov*", "*")]
    assert ours == theirs
    assert sum(r["total"] for r in ours) > 0
    assert all(r["suggestion_hits"] for r in ours[9:11]), [r["suggestion"] for r in ours[9:11]]


def _results_for(searcher, text: str) -> Results:
    q = make_parser(searcher.schema).parse(text)
    scores = scoring.evaluate(searcher, q)
    if scores is None:  # the fast paths are off: Whoosh's own ranking
        return searcher.search(q, limit=100)
    return Results(searcher, q, scoring.top(scores, 100))


def _whoosh_snippet(results: Results, hit_rank: int, text: str, top: int = 2) -> str:
    results.fragmenter = FRAGMENTER
    results.formatter = FORMATTER
    return results[hit_rank].highlights("body", text=text, top=top)


FRAGMENTER = passages.highlight.ContextFragmenter(maxchars=240, surround=70)
FORMATTER = passages.BoldFormatter()


def test_snippets_equal_whooshs_on_every_hit(index_root: Path, docs: list[EnrichedDoc]) -> None:
    searcher = reader.open_index(index_root).searcher()
    bodies = {d.id: d.body for d in docs}
    compared = 0
    # Queries without phrases or NOT: there our marks are Whoosh's (with them, see test_search_answers.py).
    for text in ["the", "korea", "war OR peace", "president", "kim jong-un", "kursk region"]:
        results = _results_for(searcher, text)
        stored = stored_fields(searcher, [d for _, d in results.top_n])
        for rank, fields in enumerate(stored):
            body = bodies[fields["id"]]
            ours = snippets.highlight(results, "body", body, FRAGMENTER, FORMATTER)
            assert ours == _whoosh_snippet(results, rank, body), (text, fields["id"])
            compared += bool(ours)
    assert compared >= 40


@pytest.mark.parametrize(
    "body",
    [
        "Korea " + "filler words here. " * 400 + "More on korea at the end.",
        "U.S. officials said the U.S.-Korea talks, e.g. on tariffs, resumed. " * 30,
        "Short korea.",
        "x" * 300 + " korea " + "-" * 500 + " korea korea " + "... " * 200 + "KOREA!",
        "Nothing to see " * 100,
        "Überall: Korea’s “summit” — Korea’s ally. " * 60,
        ("word " * 7000) + "korea " + ("more " * 50),  # a match past Whoosh's 32k-character limit
        ("korea " * 3) + ("a " * 40) + "korea" + (" b" * 37) + " korea",
    ],
)
def test_snippets_equal_whooshs_on_awkward_texts(index_root: Path, body: str) -> None:
    searcher = reader.open_index(index_root).searcher()
    results = _results_for(searcher, "korea OR officials OR summit")
    assert results.top_n
    for top in (1, 2, 3):
        ours = snippets.highlight(results, "body", body, FRAGMENTER, FORMATTER, top=top)
        assert ours == _whoosh_snippet(results, 0, body, top=top)


def test_equal_scores_rank_by_document_id_whatever_order_they_were_written(
    docs: list[EnrichedDoc], tmp_path: Path
) -> None:
    # Regression: ties followed Whoosh's docnums, so `check --repair` (a rebuild in another order) swapped two
    # equally scored hits. Two copies of one text, written largest id first, must come back smallest id first.
    base = docs[0]
    twins = sorted(
        [base.model_copy(update={"id": "f" * 16}), base.model_copy(update={"id": "0" * 16})],
        key=lambda d: d.id,
        reverse=True,
    )
    for order in (twins, twins[::-1]):
        paths = IndexPaths(tmp_path / order[0].id[:1] / "ix")
        for doc in order:  # one segment each: docnum order is write order
            apply_changes(paths, [doc])
        hits = reader.search(paths.root, "gulags OR korea OR garden OR the", all_copies=True)["hits"]
        assert [h["id"] for h in hits] == ["0" * 16, "f" * 16]
        assert hits[0]["score"] == hits[1]["score"]


@fast_only
def test_prefix_words_in_a_segment_over_5000_documents_are_summed_as_whoosh_does(tmp_path: Path) -> None:
    """Whoosh sums a prefix's words (times its boost) only in a segment of over 5,000 documents; in smaller
    ones every match scores 1. One segment of each size, compared with Whoosh's matchers."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.query import Prefix

    from newsdex.index.schema import build_schema

    ix = FileStorage(str(tmp_path)).create_index(build_schema())
    for first, count in ((0, 5_001), (5_001, 300)):  # two commits: a large segment, then a small one
        with ix.writer() as writer:
            for i in range(first, first + count):
                writer.add_document(
                    id=f"d{i}",
                    title=f"harbour{i % 3}ing report",
                    body=f"gov{i % 5}ern said text{i % 13} text{i % 7} gov{i % 11}ern",
                )
    searcher = ix.searcher()
    assert sorted(r.doc_count_all() for r in (sub.reader() for sub, _ in searcher.leaf_searchers())) == [300, 5_001]
    parser = make_parser(searcher.schema)
    for text in ["gov*", "body:gov*", "gov*^2", "harbour*", "text1* AND gov*"]:
        q = parser.parse(text)
        ours = _ours(searcher, q)
        assert ours is not None, text
        total, ranked = _whoosh(searcher, q)
        assert ours[0] == total > 0, text
        _same(ours[1], ranked)
    scores = {score for _, score in _ours(searcher, parser.parse("body:gov*"))[1]}
    assert 1.0 in scores and len(scores) > 2  # both branches were taken
    assert _ours(searcher, Prefix("body", "gov", constantscore=False)) is None  # a scored prefix: Whoosh's


def test_an_offset_returns_the_next_page_of_the_same_ranking(index_root: Path) -> None:
    """Pages read with ``offset`` are the slices of one long result: same hits, passages and scores; totals,
    facets and the histogram do not change."""
    whole = reader.search(index_root, "the", limit=12)
    assert len(whole["hits"]) == 12
    pages = [reader.search(index_root, "the", limit=4, offset=k) for k in (0, 4, 8)]
    assert [h for page in pages for h in page["hits"]] == whole["hits"]
    for page in pages:
        assert {k: v for k, v in page.items() if k != "hits"} == {k: v for k, v in whole.items() if k != "hits"}
    assert reader.search(index_root, "the", limit=4, offset=10_000)["hits"] == []
    for bad in (-1, reader.MAX_OFFSET + 1):
        with pytest.raises(ValueError, match="offset must be between 0 and 10,000"):
            reader.search(index_root, "the", offset=bad)
