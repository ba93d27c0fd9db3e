"""Highlighted snippets: Whoosh's context fragmenter, fragment scorer and formatter, fed by a fast token stream.

Whoosh's highlighter re-analyses each hit's whole body through its chain of generator filters, stemming every
word (a few microseconds per word: the larger part of a warm search once scoring got fast). The stream here
yields the same tokens with the same ``matched`` marks: the field analyzer's own regular expression, its
lowercasing and its stemmer, with each word's stem remembered across searches. Fragments, their choice and
their formatting are Whoosh's own.

What is marked is honest, where Whoosh's highlighter is not: a phrase's words are marked only where they stand as
the phrase, words under NOT are never marked, and a word is marked where its stem is a query word's (what the
index matched on). A query without phrases or NOT marks exactly what Whoosh marks.

Passages (``passages``) are the paragraphs of a body that answer the query best, ranked as BM25 ranks
documents, each highlighted whole.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter, Token
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    set_matched_filter,
    top_fragments,
)
from whoosh.lang import porter

from newsdex.index import whoosh_internals as internals
from newsdex.reading import caches
from newsdex.reading.caches import bounded
from newsdex.reading.query import positive_leaves

_SCORER = BasicFragmentScorer()
# Whoosh's default word pattern, and the same words when they start at a given letter.
_DEFAULT_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"
_WORD_START = r"(?<![\w*])(?<![\w*]\.)"  # not inside a word, nor after a dot that joins two parts of one
_REST_OF_WORD = r"[\w*]*(?:\.?[\w*]+)*"
_TOKEN_CHAR = re.compile(r"[\w*]")


MAX_MARKED_CHARS = 1_000_000  # a body is scanned for phrases and passages up to here (bounded work per hit)


class Plan(NamedTuple):
    """What to mark in one field: words matched wherever they stand, and phrases matched only whole (each a
    tuple of indexed words). Words under NOT are in neither."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]


def highlight(results: Any, field: str, text: str, fragmenter: Any, formatter: Any, top: int = 2) -> str:
    """What ``hit.highlights(field, text=text, top=top)`` returns for a hit of ``results``, with honest marks."""
    return formatter.format(_fragments(results, field, text, fragmenter, top)[0])


def highlight_sentences(results: Any, field: str, text: str, fragmenter: Any, formatter: Any) -> str:
    """``highlight``'s two best fragments widened to the sentences they are in (to whole words when a sentence
    runs past SENTENCE_REACH_*), what the widening brings in marked too, and "…" where the text goes on: a
    snippet never starts or ends inside a word."""
    chosen, chain, words, extra = _fragments(results, field, text, fragmenter, 2)
    chosen = _whole_sentences(text, chosen)
    if not chosen:
        return ""
    if chain is not None:
        for f in chosen:
            marks = []
            for t in _tokens(chain, text, words, f.startchar, extra):
                if t.endchar > f.endchar:
                    break
                if t.matched:
                    marks.append(t.copy())
            f.matches = marks
    cut_before = chosen[0].startchar > 0 and not _starts_sentence(text, chosen[0].startchar)
    cut_after = chosen[-1].endchar < len(text) and not _ends_sentence(text, chosen[-1].endchar)
    return ("… " if cut_before else "") + formatter.format(chosen) + (" …" if cut_after else "")


def _fragments(
    results: Any, field: str, text: str, fragmenter: Any, top: int
) -> tuple[list[Any], _Chain | None, frozenset[str], frozenset[int]]:
    """The ``top`` fragments Whoosh's highlighter would choose, with honest marks; and the analyzer chain, the
    query words and where phrase words start (what marking more of ``text`` needs)."""
    plan = query_plan(results, field)
    if not (plan.words or plan.phrases) or not text:
        return [], None, plan.words, frozenset()  # Whoosh marks nothing in a field the query does not search
    analyzer = results.searcher.schema[field].analyzer
    chain = _chain(analyzer, caches.of(results.searcher))
    extra: frozenset[int] = frozenset()
    if chain is None:  # an analyzer of another shape: Whoosh's own marking, phrase words as words
        words = plan.words.union(*plan.phrases)
        tokens: Iterator[Token] = set_matched_filter(analyzer(text, chars=True, mode="index", removestops=False), words)
    else:
        extra = _phrase_starts(chain, text, plan.phrases)
        if type(fragmenter) is ContextFragmenter and _first_letter_kept(chain):
            tokens = _near_matches(chain, text, plan.words, fragmenter.surround, extra)
        else:
            tokens = _tokens(chain, text, plan.words, 0, extra)
    fragments = fragmenter.fragment_tokens(text, internals.merge_matched_tokens(tokens))
    return top_fragments(fragments, top, _SCORER, FIRST, minscore=1), chain, plan.words, extra


# A fragment reaches this far (characters) to the start of its first sentence and the end of its last, so a
# snippet reads as sentences; a sentence longer than that is cut at a word, with an ellipsis.
SENTENCE_REACH_BACK, SENTENCE_REACH_ON = 90, 120
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")


def _starts_sentence(text: str, at: int) -> bool:
    """Whether a sentence starts at ``at``: the text's start, a line's, or after a sentence's end and spaces."""
    before = text[:at].rstrip(" \t")
    if not before or before.endswith("\n"):
        return True
    m = _SENTENCE_END.search(before, max(0, len(before) - 4))
    return m is not None and m.end() == len(before)


def _ends_sentence(text: str, at: int) -> bool:
    """Whether a sentence ends at ``at``: the text's end, a line's, or just after its closing punctuation."""
    if at >= len(text) or text[at] == "\n":
        return True
    m = _SENTENCE_END.search(text, max(0, at - 4), at + 1)
    return m is not None and m.end() == at


def sentence_start(text: str, at: int, reach: int = SENTENCE_REACH_BACK) -> int:
    """The start of the sentence ``at`` is in, when it is at most ``reach`` characters back; else the start of
    the word at ``at`` (``at`` itself when it is one)."""
    lo = max(0, at - reach)
    found = lo if lo == 0 else -1
    for m in _SENTENCE_END.finditer(text, lo, at):
        found = m.end()
    newline = text.rfind("\n", lo, at)
    found = max(found, newline + 1 if newline >= 0 else -1)
    if found >= 0:
        while found < at and text[found].isspace():
            found += 1
        return found
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def sentence_end(text: str, at: int, reach: int = SENTENCE_REACH_ON) -> int:
    """The end of the sentence ``at`` is in (after its punctuation), when at most ``reach`` characters on; else
    the end of the word at ``at``."""
    if at > 0 and _ends_sentence(text, at):
        return at
    hi = min(len(text), at + reach)
    m = _SENTENCE_END.search(text, at, hi)
    newline = text.find("\n", at, hi)
    ends = [x for x in (m.end() if m else -1, newline) if x >= 0]
    if ends:
        return min(ends)
    if hi == len(text):
        return len(text.rstrip())
    while at < len(text) and not text[at].isspace():
        at += 1
    return at


def lead(text: str, chars: int = 200) -> str:
    """The opening of ``text`` (not escaped): its first sentences up to about ``chars`` characters, else cut at a
    word with " …"; what a hit shows when no word of the query is in its body."""
    if len(text) <= chars:
        return text
    end = sentence_end(text, chars, SENTENCE_REACH_ON) if not _ends_sentence(text, chars) else chars
    inside = [m.end() for m in _SENTENCE_END.finditer(text, chars // 4, chars)]
    if inside and (end - chars > SENTENCE_REACH_ON // 2 or not _ends_sentence(text, end)):
        # a long sentence ahead (or one that does not end in reach): end at the last sentence within ``chars``
        end = inside[-1]
    if _ends_sentence(text, end):
        return text[:end]
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > 0 else chars].rstrip() + " …"


def _whole_sentences(text: str, fragments: list[Any]) -> list[Any]:
    """The fragments widened to the sentences they are in, when those end within reach (else to whole words);
    fragments that come to overlap are joined."""
    out: list[Any] = []
    for f in fragments:
        f.startchar = sentence_start(text, f.startchar)
        f.endchar = sentence_end(text, f.endchar)
        if out and f.startchar <= out[-1].endchar:
            seen = out[-1].endchar
            out[-1].matches = out[-1].matches + [m for m in f.matches if m.startchar >= seen]
            out[-1].endchar = max(seen, f.endchar)
            continue
        out.append(f)
    return out


def query_plan(results: Any, field: str) -> Plan:
    """The query's words and phrases in ``field`` that a document can show: not those under NOT (or on the
    right of ANDNOT), wildcards and ranges as the index words they stood for."""
    cache = results.__dict__.setdefault("_newsdex_plan", {})
    if field not in cache:
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        reader = results.searcher.reader()
        from_bytes = results.searcher.schema[field].from_bytes
        for leaf in positive_leaves(results.q):
            if leaf.field() != field:
                continue
            if isinstance(leaf, wq.Phrase) and leaf.slop <= 1 and len(leaf.words) > 1:
                phrases.add(tuple(leaf.words))
            elif isinstance(leaf, wq.Phrase):  # a sloppy phrase: its words, near each other, not in order
                words.update(leaf.words)
            elif isinstance(leaf, wq.Term):
                words.add(leaf.text)
            else:
                words.update(from_bytes(t) for f, t in leaf.expanded_terms(reader) if f == field)
        # As Whoosh's highlighter: only words the index has (a word no document has marks nothing).
        words = {w for w in words if (field, w) in reader}
        phrases = {p for p in phrases if all((field, w) in reader for w in p)}
        cache[field] = Plan(frozenset(words), tuple(sorted(phrases)))
    return cache[field]


def _phrase_starts(chain: _Chain, text: str, phrases: tuple[tuple[str, ...], ...]) -> frozenset[int]:
    """Where the words of each phrase occurrence start in ``text`` (up to MAX_MARKED_CHARS)."""
    if not phrases:
        return frozenset()
    words = [(m.start(), _indexed(chain, m.group(0))) for m in chain.expression.finditer(text, 0, MAX_MARKED_CHARS)]
    stems = [w for _, w in words]
    return frozenset(
        words[k + j][0] for phrase in phrases for k in _occurrences(stems, phrase) for j in range(len(phrase))
    )


def _occurrences(stems: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Where ``phrase`` starts among ``stems`` (indexed words in order)."""
    n = len(phrase)
    return [k for k in range(len(stems) - n + 1) if stems[k] == phrase[0] and tuple(stems[k : k + n]) == phrase]


class Passage(NamedTuple):
    paragraph: int  # its place among the body's paragraphs, from 0
    start: int  # its first character in the body
    end: int  # the character after its last
    score: float
    text: str  # the paragraph, HTML-escaped, matched words in <b>…</b>


PASSAGE_K1, PASSAGE_B = 1.2, 0.75  # BM25's usual constants, over paragraphs instead of documents
PASSAGE_MAX_CHARS = 600  # a longer paragraph is cut around its first match
PASSAGE_FULL_WORDS = 12  # a paragraph this long or longer is a full passage; shorter ones score less


def passages(results: Any, field: str, text: str, top: int = 3) -> list[Passage]:
    """The ``top`` paragraphs of ``text`` (split at blank lines) that match the query best: BM25 over the
    paragraphs, each query word weighted by its index-wide idf, a phrase counting once per occurrence with the
    weight of its words together. Paragraphs with no match are never passages."""
    plan = query_plan(results, field)
    analyzer = results.searcher.schema[field].analyzer
    chain = _chain(analyzer, caches.of(results.searcher))
    if not (plan.words or plan.phrases) or not text:
        return []
    text = text[:MAX_MARKED_CHARS]
    if chain is None:  # a segmenting analyzer (Chinese, Japanese, Korean, bigrams: index/analysis.py)
        return _analyzed_passages(analyzer, text, plan, _idf(results, field, plan), top)
    idf = _idf(results, field, plan)
    paragraphs = list(_paragraphs(text))
    if not paragraphs:
        return []
    average = sum(b - a for a, b in paragraphs) / len(paragraphs)  # in characters: no tokenising needed
    # Words as written -> stem, for this process: most words of a body were met before (a dictionary lookup
    # instead of lowercasing and stemming each word again).
    known = bounded(chain.surface)
    hits = _matching_starts(chain, text, plan, known)  # where a query word (or a phrase's) stands
    found = []
    for i, (a, b) in enumerate(paragraphs):
        if hits is not None and not _any_between(hits, a, b):
            continue  # no query word in it: not tokenised at all
        piece = text[a:b]
        tokens = _stemmed_tokens(chain, piece, known)
        counts, marked = _counted(plan, [t[2] for t in tokens])
        if not counts:
            continue
        norm = PASSAGE_K1 * (1 - PASSAGE_B + PASSAGE_B * (b - a) / average)
        score = sum(idf.get(w, 0.0) * tf * (PASSAGE_K1 + 1) / (tf + norm) for w, tf in counts.items())
        # BM25 favours short paragraphs; a heading or a dateline is not what a person reads for an answer.
        score *= min(1.0, len(tokens) / PASSAGE_FULL_WORDS) ** 0.5
        marks = [(tokens[k][0], tokens[k][1]) for k in sorted(marked)]
        found.append(Passage(i, a, b, round(score, 4), _marked(piece, marks)))
    found.sort(key=lambda p: (-p.score, p.paragraph))
    return found[:top]


def _stemmed_tokens(chain: _Chain, piece: str, known: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, indexed form) of each word of ``piece``; ``known``: words as written -> indexed form."""
    tokens = []
    for m in chain.expression.finditer(piece):
        word = m.group(0)
        stem = known.get(word)
        if stem is None:
            stem = known[word] = _indexed(chain, word)
        tokens.append((m.start(), m.end(), stem))
    return tokens


def _counted(plan: Plan, stems: list[str]) -> tuple[dict[str, int], set[int]]:
    """How often each query word (and each phrase, as one) occurs among ``stems``, and which of them to mark."""
    counts: dict[str, int] = {}
    marked: set[int] = set()
    for k, stem in enumerate(stems):
        if stem in plan.words:
            counts[stem] = counts.get(stem, 0) + 1
            marked.add(k)
    for phrase in plan.phrases:
        at = _occurrences(stems, phrase)
        if at:
            counts[" ".join(phrase)] = len(at)
            marked.update(k + j for k in at for j in range(len(phrase)))
    return counts, marked


def _analyzed_passages(analyzer: Any, text: str, plan: Plan, idf: dict[str, float], top: int) -> list[Passage]:
    """``passages`` for any analyzer: each paragraph's tokens as the analyzer makes them, with their positions
    (a segmenter may put a word and the shorter words inside it at one position)."""
    paragraphs = list(_paragraphs(text))
    if not paragraphs:
        return []
    average = sum(b - a for a, b in paragraphs) / len(paragraphs)
    found = []
    for i, (a, b) in enumerate(paragraphs):
        piece = text[a:b]
        tokens = [
            (t.pos, t.startchar, t.endchar, t.text)
            for t in analyzer(piece, positions=True, chars=True, mode="index", removestops=False)
        ]
        counts, marked = _counted_at_positions(plan, tokens)
        if not counts:
            continue
        norm = PASSAGE_K1 * (1 - PASSAGE_B + PASSAGE_B * (b - a) / average)
        score = sum(idf.get(w, 0.0) * tf * (PASSAGE_K1 + 1) / (tf + norm) for w, tf in counts.items())
        score *= min(1.0, len({t[0] for t in tokens}) / PASSAGE_FULL_WORDS) ** 0.5
        marks: list[tuple[int, int]] = []
        for s, e in sorted(
            (s, e)
            for pos, s, e, word in tokens
            if pos in marked and (word in plan.words or any(word in p for p in plan.phrases))
        ):
            if marks and s < marks[-1][1]:  # a word and the words inside it overlap: one mark
                marks[-1] = (marks[-1][0], max(marks[-1][1], e))
            else:
                marks.append((s, e))
        found.append(Passage(i, a, b, round(score, 4), _marked(piece, marks)))
    found.sort(key=lambda p: (-p.score, p.paragraph))
    return found[:top]


def _counted_at_positions(plan: Plan, tokens: list[tuple[int, int, int, str]]) -> tuple[dict[str, int], set[int]]:
    """``_counted`` over (position, start, end, word) tokens: a phrase's words at consecutive positions, any of
    the words a segmenter put at one position."""
    at: dict[int, set[str]] = {}
    for pos, _, _, word in tokens:
        at.setdefault(pos, set()).add(word)
    counts: dict[str, int] = {}
    marked: set[int] = set()  # positions
    for pos, _, _, word in tokens:
        if word in plan.words:
            counts[word] = counts.get(word, 0) + 1
            marked.add(pos)
    for phrase in plan.phrases:
        starts = [p for p in sorted(at) if all(w in at.get(p + j, ()) for j, w in enumerate(phrase))]
        if starts:
            counts[" ".join(phrase)] = len(starts)
            marked.update(p + j for p in starts for j in range(len(phrase)))
    return counts, marked


def _matching_starts(chain: _Chain, text: str, plan: Plan, known: dict[str, str]) -> list[int] | None:
    """Sorted offsets of the words of ``text`` whose indexed form is a query word or a phrase's word, found
    with a search for words starting with one of their first letters (the Porter stemmer never changes a
    word's first letter); None when the analyzer does not keep first letters (then every paragraph is read)."""
    words = plan.words.union(*plan.phrases)
    if not _first_letter_kept(chain) or not words:
        return None
    letters = "".join(sorted({w[0] for w in words if w}))
    finder = re.compile(_WORD_START + "(?i:[" + re.escape(letters) + "])" + _REST_OF_WORD)
    out = []
    for m in finder.finditer(text):
        word = m.group(0)
        stem = known.get(word)
        if stem is None:
            stem = known[word] = _indexed(chain, word)
        if stem in words:
            out.append(m.start())
    return out


def _any_between(starts: list[int], a: int, b: int) -> bool:
    i = bisect_left(starts, a)
    return i < len(starts) and starts[i] < b


def _idf(results: Any, field: str, plan: Plan) -> dict[str, float]:
    searcher = results.searcher
    out = {w: searcher.idf(field, w) for w in plan.words}
    for phrase in plan.phrases:
        out[" ".join(phrase)] = sum(searcher.idf(field, w) for w in phrase)
    return out


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank paragraph: blocks separated by blank lines (a cleaned body's shape)."""
    pos = 0
    for m in re.finditer(r"\n\s*\n", text):
        if text[pos : m.start()].strip():
            yield pos, m.start()
        pos = m.end()
    if text[pos:].strip():
        yield pos, len(text)


def _marked(piece: str, marks: list[tuple[int, int]]) -> str:
    """The paragraph escaped, marks in <b>…</b> (adjacent ones joined, as a phrase), cut to PASSAGE_MAX_CHARS
    around the first mark at sentence boundaries (at words when a sentence is longer), with an ellipsis where
    cut."""
    lo, hi = 0, len(piece)
    if hi > PASSAGE_MAX_CHARS:  # from the start of a sentence before the first mark to the end of one
        first = marks[0][0] if marks else 0
        lo = sentence_start(piece, max(0, first - PASSAGE_MAX_CHARS // 4), PASSAGE_MAX_CHARS // 4) if first else 0
        hi = min(len(piece), lo + PASSAGE_MAX_CHARS)
        if hi < len(piece):
            ends = [m.end() for m in _SENTENCE_END.finditer(piece, lo + PASSAGE_MAX_CHARS // 2, hi)]
            cut = piece.rfind(" ", lo, hi)
            hi = ends[-1] if ends else cut if cut > lo else hi
    joined: list[list[int]] = []
    for a, b in marks:
        if a < lo or b > hi:
            continue
        if joined and not piece[joined[-1][1] : a].strip(" -\u2010\u2011"):  # spaces or a hyphen: one highlight
            joined[-1][1] = b
        else:
            joined.append([a, b])
    out, pos = [], lo
    for a, b in joined:
        out += [html.escape(piece[pos:a], quote=False), "<b>", html.escape(piece[a:b], quote=False), "</b>"]
        pos = b
    out.append(html.escape(piece[pos:hi], quote=False))
    text = " ".join("".join(out).split())
    cut_before = lo > 0 and not _starts_sentence(piece, lo)
    return ("… " if cut_before else "") + text + (" …" if hi < len(piece) and not _ends_sentence(piece, hi) else "")


class _Chain(NamedTuple):
    expression: re.Pattern[str]
    lower: bool
    stem: Callable[[str], str] | None
    stems: dict[str, str]  # lowercased word -> stem (the searcher's memo: reading/caches.py)
    surface: dict[str, str]  # word as written -> its indexed form (the same)


def _chain(analyzer: Any, memos: caches.Caches) -> _Chain | None:
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
    expression = items[0].expression
    return _Chain(
        expression,
        lower,
        stem,
        memos.stems.setdefault(stem, {}),
        memos.surface.setdefault((expression.pattern, lower, stem), {}),
    )


def _first_letter_kept(chain: _Chain) -> bool:
    """Whoosh's default word pattern, lowercased, and no stemmer or the Porter stemmer (which only ever
    changes a word's ending): a word can only match a query word that starts with the same letter."""
    return chain.expression.pattern == _DEFAULT_PATTERN and chain.lower and chain.stem in (None, porter.stem)


def _indexed(chain: _Chain, word: str) -> str:
    if chain.lower:
        word = word.lower()
    if chain.stem is None:
        return word
    stemmed = chain.stems.get(word)
    if stemmed is None:
        stemmed = bounded(chain.stems)[word] = chain.stem(word)
    return stemmed


def _tokens(
    chain: _Chain, text: str, words: frozenset[str], start: int, extra: frozenset[int] = frozenset()
) -> Iterator[Token]:
    """The analyzer's tokens of ``text`` from character ``start`` on (a point no token spans), each marked
    matched or not as Whoosh's set_matched_filter does. One Token object is reused, as Whoosh's tokenizer
    reuses its own: the fragmenter copies the tokens it keeps. ``extra``: where other matched words start (the
    words of phrase occurrences)."""
    t = Token(positions=False, chars=True, removestops=False, mode="index")
    t.boost = 1.0
    t.stopped = False
    for match in chain.expression.finditer(text, start):
        t.text = word = _indexed(chain, match.group(0))
        t.startchar = match.start()
        t.endchar = match.end()
        t.matched = word in words or t.startchar in extra
        yield t


def _near_matches(
    chain: _Chain, text: str, words: frozenset[str], surround: int, extra: frozenset[int] = frozenset()
) -> Iterator[Token]:
    """Only the tokens that can change what a ContextFragmenter yields: those around matched words.

    Idle, the fragmenter only remembers where the tokens of the last ``surround`` characters start; after
    a match it closes the fragment within ``2 * surround`` characters of tokens. So the tokens from a
    point before (the end of the word before a match, less ``surround``) to that far after each match are
    produced, the rest skipped: the same fragments at a fraction of the work for long bodies. Matches are
    found first with a search for words starting with a query word's first letter."""
    starts = sorted(extra)
    letters = "".join(sorted({w[0] for w in words if w}))
    if letters:
        finder = re.compile(_WORD_START + "(?i:[" + re.escape(letters) + "])" + _REST_OF_WORD)
        starts = sorted({*extra, *(m.start() for m in finder.finditer(text) if _indexed(chain, m.group(0)) in words)})
    i = 0
    while i < len(starts):
        since_match = -1  # characters of tokens after the last match; -1 before the first
        for t in _tokens(chain, text, words, _restart_before(text, starts[i], surround), extra):
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
