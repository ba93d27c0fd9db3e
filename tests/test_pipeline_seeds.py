"""The whole pipeline on the seeds (plus bad inputs), through the real ingest flow and the real index."""

from __future__ import annotations

import re

import pytest

from newsdex.flows.options import IngestOptions
from newsdex.reading.reader import get_document, search, stats
from tests.conftest import SEEDS

pytestmark = pytest.mark.prefect

# Boilerplate lines of the seeds (the kinds README and docs/cleaning.md name): none may reach an indexed body.
BOILERPLATE = [
    "Advertisement",
    "Source link",
    "Send Push",
    "Next Story",
    "Last news in Fakti",
    "Newszop",
    "Download the app now",
    "Recommended",
    "Trending on PJ Media Videos",
    "Join the conversation as a VIP Member",
    "Visited 1 times",
    "Leave a Reply",
    "Your email address will not be published",
    "Author:",
    "fdfddfdffddfdfdf",
    "Related: Earthquake in Iran",
    "Jan 21, 2025 10:35",
    "What awaits North Koreans in Ukraine if they return home  - 1",
    "image",
]
CAPTIONS = ["© KCNA VIA KNS/AFP via Getty Image", "© POOL/AFP via Getty Images", "Korea News Service via AP"]


def _seed_docs(seed_index) -> dict[str, dict]:
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        doc = get_document(seed_index["index"], str(seed_index["corpus"] / "seeds" / path.name))
        assert doc is not None, path.name
        out[path.name] = doc
    return out


def _paragraphs(name: str) -> list[str]:
    return [p.strip() for p in (SEEDS / name).read_text().split("\n\n") if len(p.strip()) > 150]


def test_report_counts_and_quarantine(seed_index):
    report = seed_index["report"]
    assert report["new"] == 5 and report["changed"] == 0 and report["unchanged"] == 0
    assert report["documents"] == 5
    reasons = {q["path"].rsplit("/", 1)[-1]: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"empty.txt", "binary.txt", "undecodable.txt", "broken.txt.gz"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["undecodable.txt"] and "gzip" in reasons["broken.txt.gz"]
    s = stats(seed_index["index"])
    assert s["documents"] == 5 and s["index_documents"] == 5 and len(s["quarantined"]) == 4
    assert s["last_run"]["new"] == 5 and s["rules_version"] == report["rules_version"]


def test_bodies_are_clean_and_complete(seed_index):
    for name, doc in _seed_docs(seed_index).items():
        body = doc["body"]
        for junk in BOILERPLATE:
            lines = [line.strip() for line in body.split("\n")]
            assert junk not in lines and not any(line.startswith(junk) for line in lines), (name, junk)
        for caption in CAPTIONS:
            assert caption not in body, (name, caption)
        for para in _paragraphs(name):
            if "©" in para or para.startswith("In this photo provided"):
                continue  # a caption, not body text
            assert " ".join(para.split()) in " ".join(body.split()), (name, para[:60])  # NBSP → space is fine


def test_titles_dates_and_captions(seed_index):
    docs = _seed_docs(seed_index)
    for name, doc in docs.items():
        first_real = next(
            line
            for line in (SEEDS / name).read_text().splitlines()
            if line.strip() and line.strip() not in ("Last news in Fakti", "News", "Next Story", "Newszop")
        )
        assert doc["title"] == first_real.strip(), name
    assert docs["001_0341219522dcbd6c.txt"]["published"] == "2025-01-21"
    captions = [s["text"] for d in docs.values() for s in d["segments"] if s["kind"] == "caption"]
    assert any("POOL/AFP via Getty Images" in c for c in captions)
    headings = [s["text"] for s in docs["001_0341219522dcbd6c.txt"]["segments"] if s["kind"] == "heading"]
    assert "Seoul: North Korean soldier death toll rises" in headings


def test_entities_of_the_seeds(seed_index):
    docs = _seed_docs(seed_index)
    names = {(e["type"], e["name"]) for d in docs.values() for e in d["entities"]}
    for expected in [
        ("PERSON", "Kim Jong Un"),
        ("PERSON", "Vladimir Putin"),
        ("LOC", "Ukraine"),
        ("LOC", "Russia"),
        ("PERSON", "Keir Giles"),
    ]:
        assert expected in names, expected
    assert any(t == "ORG" for t, _ in names)


def test_search_finds_first_seed_by_word_and_phrase(seed_index):
    result = search(seed_index["index"], "gulags")
    assert result["total"] >= 1
    assert result["hits"][0]["path"].endswith("000_f62cfa61a98d079d.txt")
    assert "<b>gulags</b>" in result["hits"][0]["snippet"]
    phrase = search(seed_index["index"], '"Kursk region"')
    assert phrase["total"] >= 1
    for hit in phrase["hits"]:
        assert "Kursk region" in " ".join((get_document(seed_index["index"], hit["id"]) or {})["body"].split())


def test_removed_boilerplate_is_not_searchable(seed_index):
    for word in ["Advertisement", "fdfddfdffddfdfdf", "Newszop", '"Source link"', '"Leave a Reply"']:
        assert search(seed_index["index"], word)["total"] == 0, word


def test_facets_filters_and_contract_shape(seed_index):
    result = search(seed_index["index"], "troops", entities=[("PERSON", "Kim Jong Un")])
    assert result["total"] >= 4
    assert set(result) >= {"query", "total", "hits", "facets", "suggestion"}
    hit = result["hits"][0]
    assert set(hit) >= {"id", "title", "path", "url", "source", "published", "score", "snippet", "entities"}
    assert set(hit["entities"]) == {"PERSON", "ORG", "LOC"}
    kim = [f for f in result["facets"]["PERSON"] if f["name"] == "Kim Jong Un"]
    assert kim and kim[0]["count"] == result["total"]
    dated = search(seed_index["index"], "troops", since="2025-01-01", until="2025-01-31")
    assert [h["published"] for h in dated["hits"]] == ["2025-01-21"]


def test_spelling_suggestion_when_nothing_matches(seed_index):
    result = search(seed_index["index"], "gulagz")
    assert result["total"] == 0
    assert result["suggestion"] and re.search(r"gulag", result["suggestion"])


def test_rerun_changes_nothing(seed_index):
    from newsdex.flows.ingest import ingest_flow

    before = search(seed_index["index"], "troops", limit=50)
    report = ingest_flow(IngestOptions(paths=[str(seed_index["corpus"])], index=str(seed_index["index"])))
    assert report["new"] == 0 and report["changed"] == 0 and report["unchanged"] == 5
    after = search(seed_index["index"], "troops", limit=50)
    assert [h["id"] for h in after["hits"]] == [h["id"] for h in before["hits"]]
    assert stats(seed_index["index"])["index_documents"] == 5


def test_filtered_total_counts_only_filtered_matches(seed_index, monkeypatch):
    """Regression: with more matches than the facet window, Whoosh reported the unfiltered count."""
    import newsdex.reading.collapse as collapse

    monkeypatch.setattr(collapse, "FACET_WINDOW", 1)
    unfiltered = search(seed_index["index"], "troops", limit=1)
    assert unfiltered["total"] == 5
    only_giles = search(seed_index["index"], "troops", limit=1, entities=[("PERSON", "Keir Giles")])
    assert only_giles["total"] == 1 and len(only_giles["hits"]) == 1


def test_cached_searcher_sees_new_commits(seed_index, tmp_path):
    """Searches reuse one searcher per process; a later commit must still be visible."""
    from newsdex.flows.ingest import ingest_flow

    extra = tmp_path / "late.txt"
    extra.write_text(
        "Late arrival\n\nA late article arrived after the first search and mentions the word quokkas, which no "
        "other document in the archive has ever used in any of its paragraphs.\n",
        encoding="utf-8",
    )
    assert search(seed_index["index"], "quokkas")["total"] == 0
    ingest_flow(IngestOptions(paths=[str(extra)], index=str(seed_index["index"])))
    try:
        assert search(seed_index["index"], "quokkas")["total"] == 1
    finally:
        from newsdex.index.store import IndexStore
        from newsdex.models import document_id

        IndexStore(seed_index["index"]).write([], deletes=[document_id(str(extra))])
    assert search(seed_index["index"], "quokkas")["total"] == 0
