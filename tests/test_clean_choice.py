"""The HTML path's per-page choice between trafilatura's and readability-lxml's answers (tasks/clean/choice.py),
on real article text from tests/data/articles: the evidence and the rule, then the whole HTML path."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdex.models import RawDoc
from newsdex.tasks.clean.choice import choose, evidence
from newsdex.tasks.clean.html import Candidates, choose_lines, clean_html
from newsdex.tasks.clean.rules import load_rules, parse_rules

ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


def _paragraphs(dataset: str, n: int = 0) -> list[str]:
    """The n-th article's prose paragraphs (long lines of the true text), as an extractor returns them."""
    truth = sorted((ARTICLES / dataset / "truth").glob("*.txt"))[n]
    return [ln.strip() for ln in truth.read_text(encoding="utf-8").splitlines() if len(ln.split()) >= 15]


@pytest.fixture(scope="module")
def article() -> list[str]:
    paras = _paragraphs("scrapinghub")
    assert len(paras) >= 6
    return paras


# Site chrome as readability sometimes keeps it around an article: short teaser titles and menu entries.
_CHROME = [
    f"{w} news and latest {w} stories"
    for w in (
        "Politics",
        "Business",
        "Sport",
        "Culture",
        "Travel",
        "Science",
        "Health",
        "Opinion",
        "Style",
        "Video",
        "Weather",
        "Money",
        "Climate",
        "World",
        "Local",
        "Tech",
        "Arts",
        "Books",
        "Food",
        "Cars",
    )
] * 4


def test_readability_taken_when_trafilatura_kept_only_the_lead(article: list[str]) -> None:
    th = load_rules().thresholds
    ev = evidence(article[:2], article, page_words=5000, r_links=0.02)
    assert ev.t_in_r == 1.0 and ev.gain >= th.choice_min_gain and ev.r_extra_dense > 0.9
    assert choose(ev, th) == "readability"


def test_trafilatura_kept_when_readability_adds_chrome(article: list[str]) -> None:
    th = load_rules().thresholds
    chrome = _CHROME[: max(10, sum(len(p.split()) for p in article) // 10)]
    ev = evidence(article, article + chrome, page_words=5000, r_links=0.05)
    assert ev.gain >= th.choice_min_gain  # as long as readability's, more by length alone ...
    assert ev.r_extra_dense < th.choice_min_extra_dense  # ... but what it adds is not prose
    assert choose(ev, th) == "trafilatura"


def test_trafilatura_kept_when_readability_is_mostly_links(article: list[str]) -> None:
    th = load_rules().thresholds
    ev = evidence(article[:2], article, page_words=5000, r_links=0.8)
    assert choose(ev, th) == "trafilatura"


def test_trafilatura_kept_when_readability_is_shorter_or_similar(article: list[str]) -> None:
    th = load_rules().thresholds
    assert choose(evidence(article, article[:3], 5000, 0.0), th) == "trafilatura"
    assert choose(evidence(article, article, 5000, 0.0), th) == "trafilatura"


def test_readability_taken_when_trafilatura_found_nothing(article: list[str]) -> None:
    assert choose(evidence([], article, 5000, 0.0), load_rules().thresholds) == "readability"


def test_choice_modes_in_the_rules_file(article: list[str]) -> None:
    cand = Candidates(
        tree=None,
        meta={},
        dropped=[],
        page_words=5000,
        trafilatura=(article[:2], ["paragraph"] * 2),
        readability=(article, ["paragraph"] * len(article), 0.0),
    )
    base = load_rules()
    picks = {}
    for mode in ("evidence", "rescue", "trafilatura", "readability"):
        rules = base.model_copy(update={"thresholds": base.thresholds.model_copy(update={"html_choice": mode})})
        picks[mode] = choose_lines(cand, rules)[0]
    # the lead is under 30% of the page's 5000 words and readability has over twice its words: both agree
    assert picks == {
        "evidence": "readability",
        "rescue": "readability",
        "trafilatura": "trafilatura",
        "readability": "readability",
    }
    with pytest.raises(ValueError, match="html_choice"):
        parse_rules('[thresholds]\nhtml_choice = "sometimes"\n')


def test_html_path_keeps_the_whole_article_between_chrome() -> None:
    paras = _paragraphs("wcxb-dev", 1)
    menu = "".join(f"<li><a href='/s{i}'>{t}</a></li>" for i, t in enumerate(_CHROME[:20]))
    html = (
        "<html><head><title>A page</title></head><body><nav><ul>"
        + menu
        + "</ul></nav><main><article>"
        + "".join(f"<p>{p}</p>" for p in paras)
        + "</article></main><footer><ul>"
        + menu
        + "</ul></footer></body></html>"
    )
    raw = RawDoc(id="x", path="x", kind="html", text=html, raw_hash="", url="https://example.org/a")
    body = clean_html(raw, load_rules()).body
    for p in paras:
        assert p in body
    assert "Politics news and latest" not in body
