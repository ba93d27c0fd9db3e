"""The page-at-a-time line matcher gives exactly the answers of trying every rule on every line."""

from __future__ import annotations

import re

import pytest

from newsdex.tasks.clean.lines import Line
from newsdex.tasks.clean.matcher import _UNSAFE_FOLD, gate
from newsdex.tasks.clean.rules import LineRule, load_rules, parse_rules


def _reference(rules: list[LineRule], ln: Line, zone: str) -> LineRule | None:
    for r in rules:
        if (r.zone == "any" or r.zone == zone) and r.matches(ln.text, ln.norm, ln.words):
            return r
    return None


LINES = [
    "Posted in Politics, World",
    "POSTED IN Politics",
    "reposted in full",
    "Photo: Jane Roe, AP",
    "Click to share on Reddit (Opens in new window)",
    "Skip to main navigation",
    "By Jane Roe",
    "by jane roe",
    "12 comments",
    "Comments (3)",
    "Visited 1,234 times, 5 visits today",
    "© 2024 Example Inc.",
    "Image 3 of 12",
    "photo.JPG",
    "—",
    "The minister said on Tuesday that the budget would be tabled in May.",
    "İmage 3 of 12",
    "ſhare on Facebook",
    "Updated: Jan 21, 2025 10:35 am",
    "3 min read",
    "ad",
    "Sponsored",
    "Your email address will not be published. Required fields are marked *",
    "Read more: the full story",
    "Getty Images",
    "(Photo by John Doe/Getty Images)",
    "Terms of Use",
    "snake_case_line here",
    "",
]


@pytest.mark.parametrize("zone", ["header", "body", "footer"])
def test_page_matcher_equals_rule_by_rule(zone: str) -> None:
    rules = load_rules()
    lines = [Line.of(t) for t in LINES]
    got = rules.matcher(None).match_page(
        [ln.text for ln in lines], [ln.norm for ln in lines], [ln.words for ln in lines], [zone] * len(lines)
    )
    want = [_reference(rules.line, ln, zone) for ln in lines]
    assert [g and g.name for g in got] == [w and w.name for w in want]
    assert any(w is not None for w in want) and any(w is None for w in want)


def test_case_sensitive_and_backreference_rules() -> None:
    rules = parse_rules(
        "[[line]]\nname = \"twice\"\nregex = ['\\b(\\w+) \\1\\b']\n"
        "[[line]]\nname = \"shout\"\ncase_sensitive = true\nregex = ['^BREAKING\\b']\n"
    )
    texts = ["the the end", "BREAKING news", "Breaking news", "nothing here"]
    lines = [Line.of(t) for t in texts]
    got = rules.matcher(None).match_page(texts, [ln.norm for ln in lines], [ln.words for ln in lines], ["body"] * 4)
    assert [g and g.name for g in got] == ["twice", "shout", None, None]


def test_gates() -> None:
    assert gate(r"^source\s*:?\s*(link|url)\b", re.I) == (("source",), True)
    assert gate(r"\b\d+\s+visit\(?s\)?\s+today\b", re.I) == (("visit",), False)
    assert gate(r"^(posted|published) in\b", re.I) == (("osted", "ublished"), False)  # re factors out the "p"
    assert gate(r"^\W{1,3}$", re.I) is None
    assert gate(r"(ap|pa)$", re.I) is None  # too short to be worth a test anywhere in the line


def test_unsafe_fold_covers_every_non_ascii_letter_ignorecase_equates_with_ascii() -> None:
    ascii_ci = re.compile(r"[\x00-\x7f]", re.I)
    for cp in range(128, 0x3000):
        ch = chr(cp)
        if ascii_ci.fullmatch(ch):
            low = ch.lower()
            assert (len(low) == 1 and low.isascii()) or _UNSAFE_FOLD.match(ch), hex(cp)
