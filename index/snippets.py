"""Highlighted snippets: Whoosh's context fragmenter, fragment scorer and formatter, fed by a fast token stream.

Whoosh's highlighter re-analyses each hit's whole body through its chain of generator filters, stemming every
word (a few microseconds per word: the larger part of a warm search once scoring got fast). The stream here
yields the same tokens with the same ``matched`` marks: the field analyzer's own regular expression, its
lowercasing and its stemmer, with each word's stem remembered across searches. Fragments, their choice and
their formatting are Whoosh's own, so snippets read exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter, Token
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Highlighter,
    set_matched_filter,
    top_fragments,
)
from whoosh.lang import porter

# stemmer -> lowercased word -> stem, shared by every search of the process
_STEMS: dict[Callable[[str], str], dict[str, str]] = {}
_STEMS_MAX = 200_000
_SCORER = BasicFragmentScorer()
# Whoosh's default word pattern, and the same words when they start at a given letter.
_DEFAULT_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"
_WORD_START = r"(?<![\w*])(?<![\w*]\.)"  # not inside a word, nor after a dot that joins two parts of one
_REST_OF_WORD = r"[\w*]*(?:\.?[\w*]+)*"
_TOKEN_CHAR = re.compile(r"[\w*]")


def highlight(results: Any, field: str, text: str, fragmenter: Any, formatter: Any, top: int = 2) -> str:
    """What ``hit.highlights(field, text=text, top=top)`` returns for a hit of ``results``."""
    words = _query_words(results, field)
    if not words or not text:
        return ""  # Whoosh marks nothing in a field the query does not search: no fragment
    analyzer = results.searcher.schema[field].analyzer
    chain = _chain(analyzer)
    if chain is None:
        tokens: Iterator[Token] = set_matched_filter(
            analyzer(text, chars=True, mode="index", removestops=False), words
        )
    elif type(fragmenter) is ContextFragmenter and _first_letter_kept(chain):
        tokens = _near_matches(chain, text, words, fragmenter.surround)
    else:
        tokens = _tokens(chain, text, words, 0)
    fragments = fragmenter.fragment_tokens(text, Highlighter._merge_matched_tokens(tokens))
    return formatter.format(top_fragments(fragments, top, _SCORER, FIRST, minscore=1))


def _query_words(results: Any, field: str) -> frozenset[str]:
    cache = results.__dict__.setdefault("_newsdex_words", {})
    if field not in cache:
        from_bytes = results.searcher.schema[field].from_bytes
        cache[field] = frozenset(from_bytes(t[1]) for t in results.query_terms(expand=True, fieldname=field))
    return cache[field]


class _Chain(NamedTuple):
    expression: re.Pattern[str]
    lower: bool
    stem: Callable[[str], str] | None


def _chain(analyzer: Any) -> _Chain | None:
    """A RegexTokenizer [| LowercaseFilter] [| StemFilter] analyzer as its parts; None for any other."""
    items = analyzer.items if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    lower = False
    stem: Callable[[str], str] | None = None
    for item in items[1:]:
        if type(item) is LowercaseFilter and stem is None:
            lower = True
        elif type(item) is StemFilter and stem is None and not item.ignore:
            stem = item.stemfn
        else:
            return None
    return _Chain(items[0].expression, lower, stem)


def _first_letter_kept(chain: _Chain) -> bool:
    """Whoosh's default word pattern, lowercased, and no stemmer or the Porter stemmer (which only ever
    changes a word's ending): a word can only match a query word that starts with the same letter."""
    return chain.expression.pattern == _DEFAULT_PATTERN and chain.lower and chain.stem in (None, porter.stem)


def _indexed(chain: _Chain, word: str) -> str:
    if chain.lower:
        word = word.lower()
    if chain.stem is None:
        return word
    stems = _STEMS.setdefault(chain.stem, {})
    stemmed = stems.get(word)
    if stemmed is None:
        if len(stems) >= _STEMS_MAX:
            stems.clear()
        stemmed = stems[word] = chain.stem(word)
    return stemmed


def _tokens(chain: _Chain, text: str, words: frozenset[str], start: int) -> Iterator[Token]:
    """The analyzer's tokens of ``text`` from character ``start`` on (a point no token spans), each marked
    matched or not as Whoosh's set_matched_filter does. One Token object is reused, as Whoosh's tokenizer
    reuses its own: the fragmenter copies the tokens it keeps."""
    t = Token(positions=False, chars=True, removestops=False, mode="index")
    t.boost = 1.0
    t.stopped = False
    for match in chain.expression.finditer(text, start):
        t.text = word = _indexed(chain, match.group(0))
        t.startchar = match.start()
        t.endchar = match.end()
        t.matched = word in words
        yield t


def _near_matches(chain: _Chain, text: str, words: frozenset[str], surround: int) -> Iterator[Token]:
    """Only the tokens that can change what a ContextFragmenter yields: those around matched words.

    Idle, the fragmenter only remembers where the tokens of the last ``surround`` characters start; after
    a match it closes the fragment within ``2 * surround`` characters of tokens. So the tokens from a
    point before (the end of the word before a match, less ``surround``) to that far after each match are
    produced, the rest skipped: the same fragments at a fraction of the work for long bodies. Matches are
    found first with a search for words starting with a query word's first letter."""
    letters = "".join(sorted({w[0] for w in words if w}))
    finder = re.compile(_WORD_START + "(?i:[" + re.escape(letters) + "])" + _REST_OF_WORD)
    starts = [m.start() for m in finder.finditer(text) if _indexed(chain, m.group(0)) in words]
    i = 0
    while i < len(starts):
        since_match = -1  # characters of tokens after the last match; -1 before the first
        for t in _tokens(chain, text, words, _restart_before(text, starts[i], surround)):
            yield t
            if t.matched:
                since_match = 0
                while i < len(starts) and starts[i] <= t.startchar:
                    i += 1
            elif since_match >= 0:
                since_match += t.endchar - t.startchar
                if since_match > 2 * surround and (
                    i == len(starts) or _restart_before(text, starts[i], surround) > t.endchar
                ):
                    break  # idle, and the next match's context lies ahead: jump there
        else:
            return


def _restart_before(text: str, match_start: int, surround: int) -> int:
    """A character offset that no token spans (just after a space or a line break), at or before the end
    of the word preceding the match less ``surround``."""
    prev_end = match_start
    while prev_end > 0 and _TOKEN_CHAR.match(text, prev_end - 1) is None:
        prev_end -= 1
    target = prev_end - surround
    if target <= 0:
        return 0
    return max(text.rfind(" ", 0, target), text.rfind("\n", 0, target)) + 1
