"""The HTML path's choice between two extractors' answers, per page, on evidence rather than a fixed share.

trafilatura and readability-lxml both read every page. Each is right where the other is wrong on some
pages: trafilatura sometimes keeps one part of an article (the lead, the text before an inline widget) where
readability-lxml finds all of it; readability-lxml sometimes takes a comment thread or a teaser list for the
article. The evidence is simple and says the same thing on any site:

- **agreement**: the share of trafilatura's tokens that readability's answer holds too (``t_in_r``), and the
  reverse (``r_in_t``). Two extractors working differently that keep the same words are both right about
  them; an answer that holds the other one and more is the same article, found more completely;
- **length**: readability's words over trafilatura's (``gain``);
- **link density**: the share of readability's text inside links (menus, teaser lists are links);
- **prose in what it adds**: the share of the words of readability's extra lines (those trafilatura's answer
  does not hold) that stand in prose lines (``lines.is_dense``): a cut-off article adds paragraphs, a page's
  chrome adds short lines.

As shipped, readability's answer is taken when it is not mostly links (``choice_max_link_density``), holds
``choice_min_gain`` times trafilatura's words, and at least ``choice_min_extra_dense`` of the words it adds are
in prose lines: trafilatura cut the article short. Otherwise trafilatura's stands: it is the better extractor
on most pages of both sets. Three more tests are there to be replayed and are off in the shipped rules, since
they did not hold out: a minimum agreement (``choice_min_agreement``), the line model's score of the added lines
(``choice_min_extra_model``) and "trim", readability's shorter answer when trafilatura's holds all of it and
more (``choice_max_trim``). The parameters (``[thresholds] choice_*`` in the rules file) were chosen on one
evaluation set and judged on the other (``bench/cleaning_choice.py``); see docs/cleaning.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from newsdex.tasks.clean.lines import STOPWORDS, Line, is_dense
from newsdex.tasks.clean.rules import Thresholds
from newsdex.tasks.clean.stoplists import page_stopwords

_TOKEN = re.compile(r"\w+")
PAGE_LANGUAGE = True  # False: English stopwords on every page (the former evidence; bench/languages.py)


@dataclass(frozen=True)
class Evidence:
    t_words: int  # trafilatura's words
    r_words: int  # readability's words
    page_words: int  # the page's words after the pre-pass
    t_in_r: float  # share of trafilatura's tokens (multiset) also in readability's answer
    r_in_t: float  # share of readability's tokens also in trafilatura's
    r_links: float  # share of readability's text inside <a>
    r_extra_words: int = 0  # words of readability's lines that trafilatura's answer does not hold
    r_extra_dense: float = 0.0  # share of those in prose lines (lines.is_dense): text density of the extra
    r_extra_model: float = 0.0  # the line model's word-weighted mean score of those lines (readability's page)

    @property
    def gain(self) -> float:
        return self.r_words / self.t_words if self.t_words else float("inf")


def _tokens(texts: list[str]) -> Counter[str]:
    return Counter(_TOKEN.findall(" ".join(texts).lower()))


def evidence(
    t_texts: list[str],
    r_texts: list[str],
    page_words: int,
    r_links: float,
    scorer: Callable[[list[Line]], list[float]] | None = None,
    dense_min_words: int = 12,
) -> Evidence:
    t, r = _tokens(t_texts), _tokens(r_texts)
    common = sum((t & r).values())
    nt, nr = sum(t.values()), sum(r.values())
    # readability's lines trafilatura did not keep: a line is "held" when most of its tokens are in t's answer
    t_set = set(t)
    # The added lines are judged prose by the page language's stopwords, as the text path judges them.
    stopwords, scale = page_stopwords(t_texts + r_texts) if PAGE_LANGUAGE else (STOPWORDS, 1.0)
    lines = [Line.of(x, stopwords, scale) for x in r_texts]
    extra = [i for i, ln in enumerate(lines) if ln.tokens and sum(w in t_set for w in ln.tokens) < 0.5 * len(ln.tokens)]
    extra_words = sum(lines[i].words for i in extra)
    dense = sum(lines[i].words for i in extra if is_dense(lines[i], dense_min_words))
    model = 0.0
    if scorer is not None and extra_words:
        scores = scorer(lines)
        model = sum(scores[i] * lines[i].words for i in extra) / extra_words
    return Evidence(
        t_words=nt,
        r_words=nr,
        page_words=page_words,
        t_in_r=common / nt if nt else 0.0,
        r_in_t=common / nr if nr else 0.0,
        r_links=r_links,
        r_extra_words=extra_words,
        r_extra_dense=dense / extra_words if extra_words else 0.0,
        r_extra_model=model,
    )


def choose(ev: Evidence, th: Thresholds) -> str:
    """``"readability"`` or ``"trafilatura"``: whose lines the page keeps."""
    if ev.r_words < th.html_fallback_min_words or ev.r_links > th.choice_max_link_density:
        return "trafilatura"
    if ev.t_words < th.html_fallback_min_words:
        return "readability"
    # Readability found the same article (it holds nearly all trafilatura kept) and much more of it:
    # trafilatura cut the article short.
    if (
        ev.t_in_r >= th.choice_min_agreement
        and ev.gain >= th.choice_min_gain
        and ev.r_extra_dense >= th.choice_min_extra_dense
        and ev.r_extra_model >= th.choice_min_extra_model
    ):
        return "readability"
    # Trafilatura's answer holds all of readability's and much more: comments, teasers, a second article.
    if ev.r_in_t >= th.choice_min_agreement and ev.gain <= th.choice_max_trim:
        return "readability"
    return "trafilatura"
