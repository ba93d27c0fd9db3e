"""The same rules on pages written in other words by other sites (tests/fixtures/clean), text and HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdex.models import RawDoc
from newsdex.tasks.clean.rules import load_rules
from newsdex.tasks.clean.stage import clean_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "clean"


def _clean(name: str, url: str | None = None):
    path = FIXTURES / name
    kind = "html" if name.endswith(".html") else "text"
    raw = RawDoc(id=name, path=str(path), kind=kind, text=path.read_text(encoding="utf-8"), raw_hash="", url=url)
    return clean_document(raw, load_rules())


def _rule_of(doc, prefix: str) -> str | None:
    return next((r.rule for r in doc.removed if r.text.startswith(prefix)), None)


def test_harbour_story_text():
    doc = _clean("harbour_story.txt")
    assert doc.title == "City council approves new harbour flood barrier after years of debate"
    assert doc.byline == "Maria Lindqvist"
    assert doc.published == "2024-03-03"
    body = doc.body
    for gone, rule in [
        ("Share this article", "share-widget"),
        ("Click to share on Facebook", "share-widget"),
        ("Read more:", "related-links"),
        ("Advertisement", "ad-marker"),
        ("Sign up for our newsletter", None),
        ("We use cookies", "cookie-notice"),
        ("Comments (12)", "comment-form"),
        ("Copyright 2024", None),
        ("Port authority unveils plan", "related-links"),
        ("5 min read", None),
        ("Menu", None),
    ]:
        assert gone not in body, gone
        if rule:
            assert _rule_of(doc, gone) == rule, gone
    assert "What the engineers say" in [b.text for b in doc.blocks if b.kind == "heading"]
    assert any(b.kind == "caption" and b.text.endswith("Photo: Reuters") for b in doc.blocks)
    assert "Photo: Reuters" not in body
    assert sum(1 for b in doc.blocks if b.kind == "paragraph") == 7


def test_orchard_report_text():
    doc = _clean("orchard_report.txt")
    assert doc.title == "Late frost cuts apple harvest across the valley, growers say"
    assert doc.published == "2024-09-06"
    body = doc.body
    for gone in [
        "Home > Business",
        "Listen to this article",
        "Sponsored Content",
        "Related stories",
        "Dairy farmers warn",
        "Tags:",
        "Share on Twitter",
        "Print",
        "Visited 4,210 times",
        "Post a comment",
        "You must be logged in",
    ]:
        assert gone not in body, gone
    assert _rule_of(doc, "Visited 4,210 times") == "visit-counter"
    assert _rule_of(doc, "Sponsored Content") == "ad-marker"
    assert [b.text for b in doc.blocks if b.kind == "caption"] == [
        "Pickers at an orchard outside the town last week. (Photo: John Doe/Getty Images)"
    ]
    assert "Why the frost did so much damage" in [b.text for b in doc.blocks if b.kind == "heading"]
    assert sum(1 for b in doc.blocks if b.kind == "paragraph") == 5


def test_clean_article_loses_nothing():
    doc = _clean("quiet_library.txt")
    assert doc.title == "Village library reopens after two-year renovation"
    assert doc.removed == []
    assert len(doc.blocks) == 5


def test_html_page_prepass_metadata_and_structure():
    doc = _clean("wind_farm.html")
    assert doc.title == "Offshore wind farm begins supplying power to 300,000 homes"
    assert doc.source == "Coastal Herald"
    assert doc.byline == "Tomas Berg"
    assert doc.published == "2024-05-14"
    assert doc.url == "https://www.coastalherald.example/energy/offshore-wind-farm-power"
    body = doc.body
    for gone in [
        "Share on Facebook",
        "Copy link",
        "Solar park plan rejected",
        "Post comment",
        "Sign up for our energy",
        "We use cookies",
        "All rights reserved",
        "Home Energy Sport",
    ]:
        assert gone not in body, gone
    rules = {r.rule for r in doc.removed}
    assert {"share-widget", "related-links", "comment-form", "newsletter-promo", "cookie-notice"} <= rules
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Cables under the seabed"]
    assert sum(1 for b in doc.blocks if b.kind == "paragraph") == 5


def test_html_page_without_metadata_uses_h1_and_url():
    doc = _clean("bakery.html", url="https://towncrier.example/business/bakery")
    assert doc.title == "Bakery chain to open 20 shops in the north"
    assert doc.source == "towncrier.example"
    for gone in ["Advertisement", "Share this story", "Trending now", "Ten things to do"]:
        assert gone not in doc.body
    assert sum(1 for b in doc.blocks if b.kind == "paragraph") == 4


@pytest.mark.parametrize(
    "line, rule",
    [
        ("Advertisement", "ad-marker"),
        ("ADVERTISEMENT", "ad-marker"),
        ("Story continues below advertisement", "ad-marker"),
        ("Share on WhatsApp", "share-widget"),
        ("Click to email a link to a friend (Opens in new window)", "share-widget"),
        ("Leave a comment", "comment-form"),
        ("Save my name, email, and website in this browser for the next time I comment.", "comment-form"),
        ("Download our free app for breaking news alerts", "app-promo"),
        ("This website uses cookies to ensure you get the best experience.", "cookie-notice"),
        ("Read more: Five things we learned from the budget", "related-links"),
        ("You might also like", "related-links"),
        ("Viewed 1,203 times", "visit-counter"),
        ("1,203 views", "visit-counter"),
        ("asdfasdf", "keyboard-junk"),
        ("jjjjjkkkkkjjj", "keyboard-junk"),
    ],
)
def test_line_rules_generalise(line, rule):
    text = (
        "Regional rail strike called off after late-night talks\n\n"
        "Train drivers called off a planned strike on Monday after union leaders and the operator reached an "
        "agreement on pay and working hours late on Sunday night.\n\n"
        f"{line}\n\n"
        "The deal, which members will vote on next week, includes a pay rise of four percent this year and a "
        "guarantee that no routes will run without a conductor.\n"
    )
    doc = clean_document(RawDoc(id="x", path="x.txt", kind="text", text=text, raw_hash=""), load_rules())
    assert line not in doc.body.split("\n\n")
    if rule:
        assert _rule_of(doc, line) == rule
    assert len([b for b in doc.blocks if b.kind == "paragraph"]) == 2


def test_headline_repeat_anchors_the_article_and_listings_after_it_go():
    doc = _clean("ferry_strike_listing.txt")
    body = doc.body
    # Teaser cards above the <h1> read like prose; the headline's return marks where the article starts.
    for teaser in (
        "Ferry operator warns of weeks",
        "Council tax to rise by 4.9 per cent next yearCouncillors",
        "Lifeboat volunteers honoured",
    ):
        assert teaser not in body
        assert _rule_of(doc, teaser) == "before-headline"
    assert body.startswith("Crews on the island ferry routes walked out at dawn on Monday")
    assert (
        sum(
            1
            for b in doc.blocks
            if b.kind == "paragraph"
            and b.text.startswith(("Crews", "The union", "Islanders", "A spokesman", "Hauliers"))
        )
        == 5
    )
    # "More from" records (headline, byline, date, summary) after the article: summaries read like prose.
    for record_line in (
        "Harbour master retires",
        "By Ewan Ross",
        "3 March 2024",
        "The harbour master, who first",
        "Residents in the northern villages",
        "Head teachers said",
    ):
        assert record_line not in body
        assert _rule_of(doc, record_line) == "record-list", record_line


def test_dated_entries_of_a_live_blog_are_the_article_not_a_listing():
    doc = _clean("storm_live_blog.txt")
    body = doc.body
    for entry in (
        "Network Rail has closed",
        "The energy network says",
        "Police have asked drivers",
        "The weather service has extended",
        "Several football matches",
    ):
        assert entry in body, entry
    assert not any(r.rule == "record-list" for r in doc.removed)


def test_a_second_copy_of_the_article_is_dropped_once_and_a_recurring_note_is_kept():
    doc = _clean("budget_vote_copied.txt")
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 4 and len(set(paragraphs)) == 4
    assert sum(1 for r in doc.removed if r.rule == "repeated-line") == 4

    guide = _clean("trail_gear_guide.txt")
    note = "Every shoe on this list was bought by us at full price"
    assert sum(1 for b in guide.blocks if b.kind == "paragraph" and b.text.startswith(note)) == 3
    assert not any(r.rule == "repeated-line" for r in guide.removed)


def test_comments_under_relative_times_go_even_when_they_outweigh_the_article():
    doc = _clean("library_hours_comments.txt")
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 4 and all(p.startswith(("The central", "The council", "Volunteers")) for p in paragraphs)
    for comment_line in (
        "readinglamp",
        "3 hours ago",
        "This is wonderful news",
        "Most people who work full time",
        "Volunteering there sounds",
    ):
        assert _rule_of(doc, comment_line) == "record-list", comment_line


def test_the_structural_rules_can_be_turned_off_for_one_site():
    from newsdex.tasks.clean.rules import parse_rules
    from newsdex.tasks.shipped import DEFAULT_RULES

    overrides = '\n[sites."coastal-herald.example"]\ndisable = ["headline-anchor", "record-list"]\n'
    rules = parse_rules(Path(DEFAULT_RULES).read_text(encoding="utf-8") + overrides)
    text = (FIXTURES / "ferry_strike_listing.txt").read_text(encoding="utf-8")
    raw = RawDoc(id="f", path="f", kind="text", text=text, raw_hash="", url="https://coastal-herald.example/a")
    off = clean_document(raw, rules)
    assert not any(r.rule in ("before-headline", "record-list") for r in off.removed)
    on = clean_document(raw.model_copy(update={"url": "https://elsewhere.example/a"}), rules)
    assert {"before-headline", "record-list"} <= {r.rule for r in on.removed}
