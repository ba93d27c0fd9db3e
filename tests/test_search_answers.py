"""Search that answers, on the seed index as a user runs it: passages from the right paragraphs, highlights that
mark only what matched, a date histogram over every match, suggestions from the archive's own words, and queries
that know an entity's other spellings."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from newsdex.index import vocabulary
from newsdex.index.layout import IndexPaths
from newsdex.index.store import IndexStore
from newsdex.reading import caches, reader
from newsdex.reading.archive import Archive
from newsdex.reading.request import Selection
from tests.conftest import REPO, run_cli

SEARCH_SCHEMA = json.loads((REPO / "docs" / "schemas" / "search.schema.json").read_text(encoding="utf-8"))
MARK = re.compile(r"<b>(.*?)</b>")


def _search(index: Path, *args: str) -> dict:
    proc = run_cli("search", *args, "--json", "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    jsonschema.validate(result, SEARCH_SCHEMA)
    return result


def _paragraphs(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip()]


def _plain(html_text: str) -> str:
    import html

    return html.unescape(re.sub(r"</?b>", "", html_text)).replace("… ", "").replace(" …", "")


def test_passages_are_the_paragraphs_that_hold_the_words(seed_index) -> None:
    result = _search(seed_index["index"], "gulags", "--limit", "5")
    hit = result["hits"][0]
    body = reader.get_document(seed_index["index"], hit["id"])["body"]
    paragraphs = _paragraphs(body)
    holding = [i for i, p in enumerate(paragraphs) if "gulags" in p.lower()]
    assert holding and 1 <= len(hit["passages"]) <= 3
    assert sorted(p["position"] for p in hit["passages"]) == sorted(holding)[:3]
    for p in hit["passages"]:
        assert body[p["start"] :].startswith(paragraphs[p["position"]][:40])
        assert [m.lower() for m in MARK.findall(p["text"])] and all(
            m.lower() == "gulags" for m in MARK.findall(p["text"])
        )
        assert " ".join(_plain(p["text"]).split()) in " ".join(paragraphs[p["position"]].split())
    scores = [p["score"] for p in hit["passages"]]
    assert scores == sorted(scores, reverse=True)
    # The snippet is read from the best passage.
    best = " ".join(paragraphs[hit["passages"][0]["position"]].split())
    assert " ".join(_plain(hit["snippet"]).split()) in best


def test_passages_rank_the_paragraph_with_more_of_the_query_first(seed_index) -> None:
    hit = _search(seed_index["index"], "Kursk OR casualties OR gulags OR brutal", "--limit", "1")["hits"][0]
    body = reader.get_document(seed_index["index"], hit["id"])["body"]
    paragraphs = _paragraphs(body)
    words = ("kursk", "casualt", "gulag", "brutal")
    distinct = [sum(w in paragraphs[p["position"]].lower() for w in words) for p in hit["passages"]]
    assert distinct[0] == max(sum(w in p.lower() for w in words) for p in paragraphs)


def test_human_output_shows_passages_under_the_hit(seed_index) -> None:
    proc = run_cli("search", "gulags", "--passages", "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    assert "¶1 " in proc.stdout and "[gulags]" in proc.stdout


def test_a_phrase_is_highlighted_as_the_phrase_and_nothing_else(seed_index) -> None:
    result = _search(seed_index["index"], '"Kursk region"')
    assert result["total"] >= 1
    texts = [h["snippet"] for h in result["hits"]] + [p["text"] for h in result["hits"] for p in h["passages"]]
    marks = [m for t in texts for m in MARK.findall(t)]
    assert marks and {m.lower() for m in marks} == {"kursk region"}
    # The words stand alone in these articles too ("regions" of Russia): they are not marked there.
    bodies = [reader.get_document(seed_index["index"], h["id"])["body"] for h in result["hits"]]
    assert any(re.search(r"\bregions?\b(?<!Kursk region)", b.replace("Kursk region", "")) for b in bodies)


def test_words_under_not_are_never_highlighted(seed_index) -> None:
    result = _search(seed_index["index"], "korea NOT title:troops", "--limit", "10")
    bodies = {h["id"]: reader.get_document(seed_index["index"], h["id"])["body"] for h in result["hits"]}
    assert any("troops" in b.lower() for b in bodies.values())  # the excluded word is in their bodies
    texts = [h["snippet"] for h in result["hits"]] + [p["text"] for h in result["hits"] for p in h["passages"]]
    marks = {m.lower() for t in texts for m in MARK.findall(t)}
    assert marks and all(m.startswith("korea") for m in marks)


def test_a_misspelt_word_suggests_the_archive_s_word(seed_index) -> None:
    result = _search(seed_index["index"], "kurst")
    assert result["total"] == 0 and result["suggestion"] == "kursk"
    assert _search(seed_index["index"], "ukriane troops")["suggestion"] == "ukraine troops"
    assert _search(seed_index["index"], "zzqxvw")["suggestion"] is None
    # Words under NOT are not corrected; a query with many hits gets no suggestion.
    assert _search(seed_index["index"], "troops")["suggestion"] is None


def test_an_alias_suggests_its_canonical_name_and_matches_its_documents(seed_index) -> None:
    result = _search(seed_index["index"], "zelenskiy")
    assert result["suggestion"] == '"Volodymyr Zelensky"'
    assert result["expanded"] == [{"text": "zelenskiy", "type": "PERSON", "name": "Volodymyr Zelensky"}]
    named = _search(seed_index["index"], "*", "--entity", "PERSON:Volodymyr Zelensky", "--limit", "50")
    assert named["total"] >= 1
    assert {h["id"] for h in result["hits"]} >= {h["id"] for h in named["hits"]}
    # The library alone (no alias callable given) matches the word as written: nothing.
    assert reader.search(seed_index["index"], "zelenskiy")["total"] == 0


def test_a_name_spelt_another_way_finds_the_same_person(seed_index) -> None:
    hyphen = {h["id"] for h in _search(seed_index["index"], '"Kim Jong-un"', "--limit", "50")["hits"]}
    spaced = {h["id"] for h in _search(seed_index["index"], '"Kim Jong Un"', "--limit", "50")["hits"]}
    by_entity = _search(seed_index["index"], "*", "--entity", "PERSON:Kim Jong-un", "--limit", "50")
    named = {h["id"] for h in by_entity["hits"]}
    assert named and hyphen == spaced and named <= hyphen


def test_date_histogram_counts_every_match_not_only_the_hits_shown(seed_index) -> None:
    result = _search(seed_index["index"], "*", "--limit", "1")
    periods, dates = result["facets"]["published"], result["dates"]
    assert len(result["hits"]) == 1 and result["total"] > 1
    assert sum(c["count"] for c in periods) + dates["undated"] == result["total"]
    assert dates["interval"] in ("day", "month", "year") and periods
    yearly = _search(seed_index["index"], "*", "--limit", "1", "--interval", "year")
    assert yearly["dates"]["interval"] == "year"
    assert all(re.fullmatch(r"\d{4}", c["period"]) for c in yearly["facets"]["published"])
    assert sum(c["count"] for c in yearly["facets"]["published"]) == sum(c["count"] for c in periods)
    proc = run_cli("search", "*", "--index", str(seed_index["index"]))
    assert "published per " in proc.stdout


def test_histogram_fills_empty_periods_and_coarsens_long_spans() -> None:
    from datetime import date

    from newsdex.reading import dates

    assert dates._auto(date(2025, 1, 1), date(2025, 2, 1)) == "day"
    assert dates._auto(date(2020, 1, 1), date(2025, 2, 1)) == "month"
    assert dates._names(date(2024, 11, 5), date(2025, 2, 1), "month") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert dates._periods(date(1990, 1, 1), date(2025, 1, 1), "day") > dates.MAX_BUCKETS


def test_an_index_made_before_the_word_table_suggests_then_gets_its_words(seed_index, tmp_path: Path) -> None:
    root = tmp_path / "index"
    shutil.copytree(seed_index["index"], root, symlinks=True)  # `current` stays a symlink
    with sqlite3.connect(IndexPaths(root).manifest) as conn:
        conn.executescript("DROP TABLE words; DROP TABLE word_keys; DROP TABLE words_meta;")
    # Read-only, it falls back on Whoosh's corrector and never writes the table.
    assert reader.search(root, "kurst")["suggestion"] == "kursk"
    with sqlite3.connect(IndexPaths(root).manifest) as conn:
        assert not vocabulary.available(conn)
    with IndexStore(root).writing():  # the next writer fills it once
        pass
    with sqlite3.connect(IndexPaths(root).manifest) as conn:
        assert vocabulary.available(conn)
        assert vocabulary.candidates(conn, "kurst", 1) and "kursk" in vocabulary.candidates(conn, "kurst", 1)
    assert reader.search(root, "kurst")["suggestion"] == "kursk"


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        ("kurst", "kursk", 1),
        ("kusrk", "kursk", 1),
        ("kursk", "kursk", 0),
        ("regoin", "region", 1),
        ("goverment", "government", 1),
        ("abc", "xyz", 3),
        ("kurst", "just", 2),
    ],
)
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert vocabulary.distance(a, b, 3) == d


def test_word_keys_find_words_one_and_two_edits_away() -> None:
    stored = {w: vocabulary.keys(w) for w in ["kursk", "region", "government", "ukraine"]}
    for typo, word, dist in [
        ("kurst", "kursk", 1),
        ("regoin", "region", 1),
        ("govenrment", "government", 2),
        ("ukriane", "ukraine", 2),
    ]:
        probe = vocabulary.lookup_keys(typo, dist)
        assert probe & stored[word], (typo, word)


def test_a_name_written_with_and_without_its_hyphen_is_one_entity(tmp_path: Path) -> None:
    # Names are shown as the texts write them; the index folds hyphens, so a filter, a facet and the
    # entity ranking meet both spellings as one entity (under the spelling most documents use).
    from newsdex.index.writer import apply_changes
    from tests.conftest import enriched_folder

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    sentence = (
        "South Korean defence analyst {name} said on Monday that the talks in Seoul would resume. "
        "{name} told reporters the delegation would meet again next week.\n\n"
    )
    for i, name in enumerate(["Chung In-beom", "Chung In-beom", "Chung In Beom"]):
        (inputs / f"{i}.txt").write_text(
            f"Talks resume in Seoul, analyst says\n\n{sentence.format(name=name) * 3}", encoding="utf-8"
        )
    from newsdex.models import Entity

    docs = sorted(enriched_folder(inputs), key=lambda d: d.path)
    # The names as an enricher shows them (written, never respelled): the index's part is what is tested here.
    docs = [
        d.model_copy(update={"entities": [Entity(name=name, type="PERSON", mentions=[name], count=6)]})
        for d, name in zip(docs, ["Chung In-beom", "Chung In-beom", "Chung In Beom"], strict=True)
    ]
    paths = IndexPaths(tmp_path / "index")
    apply_changes(paths, docs)
    for spelling in ("Chung In Beom", "Chung In-beom", "chung in-beom"):
        found = reader.search(paths.root, "*", entities=[("PERSON", spelling)], all_copies=True)
        assert found["total"] == 3, spelling
    facet = reader.search(paths.root, "talks", all_copies=True)["facets"]["PERSON"]
    assert {"name": "Chung In-beom", "count": 3} in facet
    assert not any(f["name"] == "Chung In Beom" for f in facet)


def test_words_whose_stem_respells_their_ending_still_have_passages(seed_index) -> None:
    # Regression: paragraphs were skipped unless they held the stem less its last letter, and Porter's stem
    # of "says" is "sai": a hit whose body says "says" got no passage.
    result = _search(seed_index["index"], "says", "--limit", "10")
    in_body = [
        h for h in result["hits"] if re.search(r"\bsays\b", reader.get_document(seed_index["index"], h["id"])["body"])
    ]
    assert in_body and all(h["passages"] for h in in_body)
    assert all("<b>says</b>" in h["passages"][0]["text"].lower() for h in in_body)


def test_short_words_and_operators_are_not_taken_for_aliases(seed_index) -> None:
    # Regression: "un" in `kim jong un` became the United Nations; `-zelenskiy` lost its minus.
    result = _search(seed_index["index"], "kim jong un")
    assert result["expanded"] == [] and result["suggestion"] is None
    assert _search(seed_index["index"], "us troops")["expanded"] == []
    assert _search(seed_index["index"], "russia -kurst")["suggestion"] == "russia -kursk"


def test_matching_ids_reads_one_document_s_fields_at_a_time(seed_index) -> None:
    # Regression: every match's stored fields were decoded into one list before the ids were taken (export's
    # memory grew with the archive); now one document's at a time, and none kept in the searcher's cache.
    with Archive(seed_index["index"]) as archive:
        ids = archive.matching_ids(Selection(query="*"))
        searcher = archive.searcher()  # the one the next call reads (reopened once with mmap: opening.Searchers)
        caches.of(searcher).stored.clear()
        assert archive.matching_ids(Selection(query="*")) == ids == sorted(ids)
        assert archive.searcher() is searcher
        assert not caches.of(searcher).stored
