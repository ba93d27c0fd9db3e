"""Metadata from every source a page offers, and pages that are not articles, on real pages (tests/data/metadata,
trimmed pages of WCXB, CC-BY-4.0, and Scrapinghub's benchmark, MIT; see its README)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from newsdex.models import RawDoc, RecordMeta, document_json
from newsdex.tasks.clean.metadata import authors, dates, jsonld, titles
from newsdex.tasks.clean.metadata.kind import Page, classify
from newsdex.tasks.clean.metadata.site import registered_domain
from newsdex.tasks.clean.rules import load_rules
from newsdex.tasks.clean.stage import clean_document

DATA = Path(__file__).parent / "data" / "metadata"
PAGES = {r["file"]: r for r in map(json.loads, (DATA / "pages.jsonl").read_text().splitlines())}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def clean(rules, name: str, kind: str = "html", **extra):
    page = PAGES[name]
    text = (DATA / f"{name}.{'html' if kind == 'html' else 'txt'}").read_text(encoding="utf-8")
    raw = RawDoc(id=name, path=f"{name}.{kind}", kind=kind, text=text, raw_hash="x", url=page["url"], **extra)
    return clean_document(raw, rules)


def test_json_ld_date_and_author(rules):
    doc = clean(rules, "wcxb-dev-dev-0414")
    gold = PAGES["wcxb-dev-dev-0414"]
    assert (doc.published, doc.published_source) == (gold["publish_date"], "json-ld")
    assert doc.authors == [gold["author"]] and doc.byline_source == "json-ld"
    assert doc.title == gold["title"] == "Thoughts on Zig"  # "| Sam Bossley" is the site's name
    out = document_json(doc, explain=False)
    assert out["published_source"] == "json-ld" and out["kind"] == "article" and out["kind_reason"] is None


def test_graph_author_list_keeps_names_only(rules):
    doc = clean(rules, "wcxb-dev-dev-0394")
    ld = jsonld.parse_blocks([s for s in _ld_scripts("wcxb-dev-dev-0394")])
    assert len(ld.authors) == 2 and ld.authors[0].startswith("By ")  # what the page's @graph says
    assert doc.authors == ["Arlene Marturano"] == [PAGES["wcxb-dev-dev-0394"]["author"]]
    assert doc.byline == "Arlene Marturano" and doc.published == PAGES["wcxb-dev-dev-0394"]["publish_date"]


def _ld_scripts(name: str) -> list[str]:
    from lxml import html

    tree = html.fromstring((DATA / f"{name}.html").read_text(encoding="utf-8"))
    return [s.text or "" for s in tree.xpath("//script[@type='application/ld+json']")]


def test_site_parts_removed_from_title(rules):
    doc = clean(rules, "wcxb-dev-dev-0368")
    assert doc.title == PAGES["wcxb-dev-dev-0368"]["title"]
    page_title = (
        "7 weight loss tips to shed pounds in the new year and keep them off for good | Cultivating Health"
        " | UC Davis Health"
    )
    assert titles.strip_site(page_title, titles.site_keys("UC Davis Health", "ucdavis.edu")) == doc.title
    assert titles.strip_site("Merkel tritt zurück | DW | 19.01.2020", ["DW", "dw.com", "dw"]) == "Merkel tritt zurück"
    assert titles.strip_site("BBC News - Storm hits coast", ["BBC News", "bbc.co.uk", "bbc"]) == "Storm hits coast"
    assert titles.strip_site("Example Domain", ["example.com", "example"]) == "Example Domain"


def test_dateline_and_byline_in_scraped_text(rules):
    doc = clean(rules, "wcxb-dev-dev-0395", kind="text")
    gold = PAGES["wcxb-dev-dev-0395"]
    assert (doc.published, doc.published_source) == (gold["publish_date"], "dateline")
    assert (doc.authors, doc.byline_source) == ([gold["author"]], "byline")


def test_url_date_when_the_text_has_none(rules):
    doc = clean(rules, "wcxb-dev-dev-0447", kind="text")
    assert (doc.published, doc.published_source) == (PAGES["wcxb-dev-dev-0447"]["publish_date"], "url")
    assert dates.url_date("https://www.usatoday.com/story/movies/2025/12/19/new-movies/87747702007/") == "2025-12-19"
    assert dates.url_date("https://example.com/2025/12/") is None  # a month is not a day


def test_template_page_kept_out_with_its_reason(rules):
    doc = clean(rules, "scrapinghub-template")
    assert doc.page_kind == "other" and doc.kind_reason.startswith("template")
    assert document_json(doc, explain=False)["kind"] == "other"


def test_next_story_cut_at_its_headline(rules):
    # The page's whole text (what the text path reads when the extractors find too little) runs on into the next
    # story its infinite scroll appended as another <article>: it is cut at that story's <h1>.
    whole = rules.model_copy(
        update={"thresholds": rules.thresholds.model_copy(update={"html_fallback_min_words": 100_000})}
    )
    doc = clean(whole, "scrapinghub-c13b9c0e04fb")
    assert doc.page_kind == "article" and doc.kind_reason.startswith("cut at the next story: 'Trump says")
    cut = [r.text for r in doc.removed if r.rule == "next-story"]
    assert cut[0].startswith("Trump says he went through") and "Trump says" not in doc.body
    assert "Spokane" in doc.body and doc.title.startswith("‘Meth. We’re on it.’")
    # the extractor's own text holds the first story only: nothing to cut
    doc = clean(rules, "scrapinghub-c13b9c0e04fb")
    assert doc.kind_reason is None and "Spokane" in doc.body and "Trump says" not in doc.body


def test_body_of_another_story_is_marked(rules):
    # The page's story under the next story's title (the extractor kept the appended story, not the page's own):
    # no boundary to cut at, so the page is marked and kept out of search.
    doc = clean(rules, "scrapinghub-c13b9c0e04fb")
    texts, roles = [b.text for b in doc.blocks], [b.kind for b in doc.blocks]
    kind, why = classify(Page("Trump says he went through ‘very routine physical’", texts, roles))
    assert (kind, why) == ("other", "body does not match its title")
    assert classify(Page(doc.title, texts, roles)) == ("article", None)


def test_dates_in_the_future_or_before_1990_are_doubted(rules):
    today = date(2026, 1, 10)
    assert dates.doubt("2031-05-01", today) == "in the future"
    assert dates.doubt("1989-12-31", today) == "before 1990"
    assert dates.doubt("2026-01-11", today) is None  # a day's grace for time zones
    # a WARC record fetched in 2019 that says it was published in 2021: doubted, not taken
    doc = clean(rules, "wcxb-dev-dev-0414", meta=RecordMeta(crawled="2019-01-01T00:00:00Z"))
    assert doc.published is None and any("in the future" in d for d in doc.doubted)


def test_one_site_one_source():
    assert registered_domain("https://www.rt.com/news/1/") == registered_domain("rt.com") == "rt.com"
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("http://127.0.0.1:8000/a") == "127.0.0.1"


def test_authors_are_names():
    assert authors.clean_authors(["By Jane Doe and John Roe"]) == ["Jane Doe", "John Roe"]
    assert authors.clean_authors(["https://www.facebook.com/someone", "@handle"]) == []
    assert authors.clean_authors(["Reuters"], publisher="Reuters") == []
    assert authors.clean_authors(["Dylan Bailey, MS, RD"]) == ["Dylan Bailey, MS, RD"]


def test_stub_and_error_pages():
    assert classify(Page("A photo", ["Photo: AFP"], ["caption"]))[0] == "other"
    kind, why = classify(Page("Page not found", ["Sorry, this page does not exist."], ["paragraph"]))
    assert kind == "other" and why.startswith(("error", "stub"))
