"""The rules file: loading, readable errors, content version, per-site overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdex.models import RawDoc
from newsdex.tasks.clean.rules import load_rules, parse_rules
from newsdex.tasks.clean.stage import clean_document
from newsdex.tasks.shipped import DEFAULT_RULES

ARTICLE = (
    "Museum returns stolen statue to its temple\n\n"
    "A bronze statue stolen from a mountain temple forty years ago was handed back on Wednesday in a ceremony "
    "attended by monks and officials from both countries.\n\n"
    "Exclusive offer for members\n\n"
    "Investigators traced the statue through auction catalogues and an old photograph kept by a villager, "
    "the museum's director said.\n"
)


def test_default_rules_load_with_named_rules():
    rules = load_rules()
    assert len(rules.version) == 12
    names = {r.name for r in rules.line}
    assert {
        "ad-marker",
        "source-link",
        "visit-counter",
        "comment-form",
        "share-widget",
        "empty-label",
        "image-placeholder",
        "keyboard-junk",
        "header-dateline",
        "photo-credit",
        "related-links",
    } <= names
    assert load_rules(None) is load_rules(DEFAULT_RULES)  # cached per path and mtime


def test_version_ignores_comments_and_layout_but_not_rules():
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    base = parse_rules(text).version
    relaid = "# a new comment\n\n" + text.replace("\n[[line]]", "\n\n# another comment\n[[line]]")
    assert parse_rules(relaid).version == base
    changed = text.replace('"advertisement",', '"advertisement", "advertorial",', 1)
    assert parse_rules(changed).version != base


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[[line]]\nname = 'x'\nregex = ['(unclosed']\n", "bad regex"),
        ("[[line]\nname = 'x'", "not valid TOML"),
        ("[[line]]\nname = 'Bad Name'\n", "rule name"),
        ("[[line]]\nname = 'x'\naction = 'explode'\n", "line.0.action"),
        ("[thresholds]\nno_such = 1\n", "thresholds.no_such"),
    ],
)
def test_bad_rules_file_gives_one_readable_line(tmp_path: Path, text: str, fragment: str):
    bad = tmp_path / "rules.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_rules(bad)
    message = str(err.value)
    assert fragment in message and "\n" not in message and str(bad) in message


def test_missing_rules_file(tmp_path: Path):
    with pytest.raises(ValueError, match="cannot read rules file"):
        load_rules(tmp_path / "nope.toml")


def _site_rules(tmp_path: Path) -> Path:
    extra = """
[sites."museum-news.example"]
disable = ["keyboard-junk"]

[[sites."museum-news.example".line]]
name = "members-promo"
action = "remove"
lines = ["Exclusive offer for members"]
"""
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT_RULES.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_site_override_applies_only_to_its_domain(tmp_path: Path):
    rules = load_rules(_site_rules(tmp_path))
    on_site = RawDoc(
        id="a",
        path="a.txt",
        kind="text",
        text=ARTICLE,
        raw_hash="",
        url="https://www.museum-news.example/culture/statue",
    )
    sub_site = on_site.model_copy(update={"url": "https://culture.museum-news.example/statue"})
    elsewhere = on_site.model_copy(update={"url": "https://other.example/statue"})
    for raw in (on_site, sub_site):
        doc = clean_document(raw, rules)
        assert "Exclusive offer" not in doc.body
        assert ("Exclusive offer for members", "members-promo") in {(r.text, r.rule) for r in doc.removed}
    assert all(r.rule != "members-promo" for r in clean_document(elsewhere, rules).removed)
    assert rules.rule_enabled("keyboard-junk", "other.example")
    assert not rules.rule_enabled("keyboard-junk", "museum-news.example")


def test_cleaned_documents_record_the_rules_version(tmp_path: Path):
    rules = load_rules(_site_rules(tmp_path))
    doc = clean_document(RawDoc(id="a", path="a.txt", kind="text", text=ARTICLE, raw_hash=""), rules)
    assert doc.rules_version == rules.version != load_rules().version
