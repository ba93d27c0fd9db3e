"""Stopwords in the page's language: the cleaner's "ordinary words" evidence (``Line.stop_ratio``, the line
model's ``stop_ratio`` features, ``is_dense``) was English only, so German or Portuguese prose looked like
navigation and was removed.

A page whose language is not English counts the stopwords of its own language (jusText's lists, shipped with
jusText, which trafilatura already brings), scaled so that prose scores what English prose scores with the
English list: STOP_SCALE is mean(English list ratio) / mean(jusText English list ratio) over the prose lines
(12+ words) of the wcxb-dev truth texts (0.361 / 0.456), chosen there only; scrapinghub reports
(bench/languages.py). English, unknown languages and languages without a list keep the English list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsdex.tasks.clean.lines import STOPWORDS
from newsdex.tasks.language import detect_language
from newsdex.tasks.shipped import DATA_DIR

STOP_SCALE = 0.79
# A page whose longest lines are at least this share English stopwords reads as prose by the English list: it
# keeps that list and skips detection (98% of wcxb-dev's pages; detection costs ~0.75 ms a page).
ENGLISH_ENOUGH = 0.25
LANGUAGE_AWARE = True  # False: every page counts English stopwords (bench/languages.py's "before")
_SAMPLE_CHARS = 2000
_WORD = re.compile(r"\w+")  # as Line.of counts words


# Languages written without spaces: their lines count single-character function words (Line.of), from
# tasks/data/spaceless_stopwords.tsv (spaCy's lists; jusText has none for them).
SPACELESS_STOPWORDS = DATA_DIR / "spaceless_stopwords.tsv"


@lru_cache(maxsize=1)
def _spaceless() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for line in SPACELESS_STOPWORDS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, chars = line.split("\t", 1)
            out[code] = frozenset(chars.strip())
    return out


@lru_cache(maxsize=64)
def stopwords_for(language: str | None) -> tuple[frozenset[str], float]:
    """(stopwords, scale) for a language code; the English list at scale 1 when there is no other."""
    if not language or language == "en":
        return STOPWORDS, 1.0
    if language in _spaceless():
        return _spaceless()[language], 1.0
    import justext
    import pycountry

    lang = pycountry.languages.get(alpha_2=language)
    names = {n.lower(): n for n in justext.get_stoplists()}
    for name in ([lang.name] if lang else []) + ([getattr(lang, "common_name", "")] if lang else []):
        key = name.lower().replace(" ", "_")
        if key in names:
            return frozenset(justext.get_stoplist(names[key])), STOP_SCALE
    return STOPWORDS, 1.0


def _sample(texts: list[str]) -> str:
    """A page's longest lines (prose, rather than menus), about _SAMPLE_CHARS of them."""
    sample: list[str] = []
    size = 0
    for text in sorted(texts, key=len, reverse=True):
        sample.append(text)
        size += len(text) + 1
        if size >= _SAMPLE_CHARS:
            break
    return "\n".join(sample)


def page_language(texts: list[str]) -> str | None:
    return detect_language(_sample(texts))


def page_stopwords(texts: list[str]) -> tuple[frozenset[str], float]:
    """The stopwords (and scale) the cleaner counts on this page."""
    if not LANGUAGE_AWARE:
        return STOPWORDS, 1.0
    sample = _sample(texts)
    tokens = _WORD.findall(sample.lower())
    if tokens and sum(map(STOPWORDS.__contains__, tokens)) >= ENGLISH_ENOUGH * len(tokens):
        return STOPWORDS, 1.0
    return stopwords_for(detect_language(sample))
