"""The query parser and search under generated hostile queries: random words, operators, quotes, parentheses,
field prefixes, wildcards, boosts, ranges, unicode and control characters, very long and deeply nested ones.
Every query either returns a valid search result or raises QueryError, the documented bad-query error, within
a time bound; the spelling suggestion, called directly, never raises; and on every query search accepts, the fast
scorer (reading/scoring.py), where it takes the query's shape, finds the documents and scores Whoosh finds."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from newsdex.index import whoosh_internals
from newsdex.index.layout import IndexPaths
from newsdex.index.writer import apply_changes
from newsdex.reading import query as user_query
from newsdex.reading import reader, scoring
from newsdex.reading.archive import Archive
from newsdex.reading.rank import counting_collector
from tests.conftest import enriched_folder, seeds_and_generated

QUERIES = 3000
# Generous for a slow CI machine: the slowest query takes a small fraction of it. Whoosh's own matchers (the fast
# paths off: CI's second run) take longer on the wildcard-heavy ones.
PER_QUERY_S = 2.0 if whoosh_internals.fast_paths() else 5.0

WORDS = [
    "korea",
    "troops",
    "gulags",
    "kursk",
    "region",
    "russia",
    "ukraine",
    "the",
    "of",
    "kim",
    "putin",
    "sent",
    "gulagz",
    "troopz",
    "koreaa",
    "ukrane",
    "rusia",
    "regoin",
    "x",
    "a",
    "zzzz",
    "2025",
    "10:30",
    "11,000",
    "North-Korean",
    "don't",
    "e-mail",
    "café",
    "naïve",
    "Ünïcödé",
    "北朝鮮",
    "Корея",
    "كوريا",
    "😀",
    "e\u0301",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x1b[2J",
    "\x07",
    "\t",
    "\r\n",
    "a" * 60,
    "ß",
    "İ",
]
FIELDS = [
    "title",
    "body",
    "source",
    "person",
    "org",
    "loc",
    "published",
    "dated",
    "id",
    "path",
    "url",
    "raw_hash",
    "spell_body",
    "nosuchfield",
    "tilte",
    "Title",
    "ТИТЛ",
    "_",
    "a1",
    "*",
]
OPERATORS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "or", "not", "&&", "||", "-", "+", "!"]
SYNTAX = [
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "^",
    "~",
    ":",
    "\\",
    "/",
    "TO",
    "<",
    ">",
    "=",
    "^2",
    "^0",
    "^1e9",
    "^99999999999999999999999",
    "~2",
    "~99",
    "*:*",
]


def _word(rnd: random.Random) -> str:
    word = rnd.choice(WORDS)
    roll = rnd.random()
    if roll < 0.15:
        return word[: rnd.randint(0, len(word))] + rnd.choice(["*", "?", "**", "*?*", "*a*b*c*"])
    if roll < 0.25:
        return f"{rnd.choice(FIELDS)}:{rnd.choice(['', word, '*', f'({word} OR {rnd.choice(WORDS)})'])}"
    if roll < 0.3:
        return f"{rnd.choice(FIELDS)}:{rnd.choice('[{')}{rnd.choice(WORDS)} TO {rnd.choice(WORDS)}{rnd.choice(']}')}"
    if roll < 0.35:
        return "".join(rnd.choice([chr(rnd.randint(0, 0x2FFF)), rnd.choice(SYNTAX)]) for _ in range(rnd.randint(1, 8)))
    return word


def _query(rnd: random.Random, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(rnd.randint(0, 6)):
        roll = rnd.random()
        if roll < 0.5:
            parts.append(_word(rnd))
        elif roll < 0.65:
            parts.append(rnd.choice(OPERATORS))
        elif roll < 0.75:
            parts.append('"' + " ".join(_word(rnd) for _ in range(rnd.randint(0, 4))) + rnd.choice(['"', '"~3', ""]))
        elif roll < 0.85 and depth < 4:
            parts.append("(" + _query(rnd, depth + 1) + rnd.choice([")", ")", ")^2", ""]))
        else:
            parts.append(rnd.choice(SYNTAX))
    if rnd.random() < 0.02:  # an argument whose bytes were not UTF-8 (a lone surrogate): refused up front
        parts.append(rnd.choice(["\udcff", "caf\ud800"]))
    return rnd.choice([" ", " ", "", "  ", "\n"]).join(parts)


def _extreme(rnd: random.Random) -> str:
    """The shapes that broke or slowed the parser: long, deep, repeated operators and wildcards."""
    n = rnd.choice([31, 32, 33, 200, 2500])
    word = rnd.choice(WORDS)
    return rnd.choice(
        [
            "(" * n + word + ")" * n,
            "(" * n + word,
            f"{word} " * rnd.randint(100, 1200),
            "NOT " * rnd.randint(1, 300) + word,
            " AND ".join([word] * rnd.randint(2, 200)),
            "a*" * rnd.randint(1, 500),
            "*" * rnd.randint(1, 50),
            '"' * rnd.randint(1, 999),
            "x" * rnd.randint(990, 1010),
            " OR ".join(rnd.choice(WORDS) + "~2" for _ in range(rnd.randint(1, 120))),
        ]
    )


def queries(n: int, seed: int = 14) -> list[str]:
    rnd = random.Random(seed)
    return [_extreme(rnd) if rnd.random() < 0.1 else _query(rnd) for _ in range(n)]


@pytest.fixture(scope="module")
def index_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and 30 generated articles, written in three batches (three segments)."""
    docs = enriched_folder(seeds_and_generated(tmp_path_factory.mktemp("fuzz-corpus"), 30, seed=14))
    paths = IndexPaths(tmp_path_factory.mktemp("fuzz-index") / "ix")
    for i in range(0, len(docs), 12):
        apply_changes(paths, docs[i : i + 12])
    return paths.root


def test_generated_queries_return_or_raise_query_error(index_root: Path) -> None:
    rnd = random.Random(141)
    archive = Archive(index_root)  # one reader for every query, as a long-lived caller keeps one
    searcher = reader.open_index(index_root).searcher()
    parser = user_query.make_parser(searcher.schema)
    slowest, slowest_query, rejected, compared = 0.0, "", 0, 0
    started = time.perf_counter()
    for text in queries(QUERIES):
        sort = rnd.choice(["relevance", "relevance", "relevance", "newest"])  # newest: Whoosh's own matchers
        t0 = time.perf_counter()
        accepted = False
        try:
            result = archive.search(reader.request(text, limit=5, sort=sort))
        except user_query.QueryError as exc:
            rejected += 1
            assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 200, text
        else:
            accepted = True
            assert set(result) >= {"query", "total", "hits", "facets", "suggestion"}, text
            json.dumps(result, allow_nan=False)  # no infinite score: the JSON stays valid
        took = time.perf_counter() - t0
        if took > slowest:
            slowest, slowest_query = took, text
        assert took < PER_QUERY_S, (text[:200], took)
        try:  # the suggestion itself, without search()'s safety net, on every query that parses
            q = user_query.parse(parser, text)
        except user_query.QueryError:
            continue
        suggestion = user_query.suggest(searcher, q, text)  # a searcher of the index search() read
        assert suggestion is None or isinstance(suggestion, str), text
        if accepted:
            compared += _fast_equals_whoosh(searcher, q, text)
    archive.close()
    elapsed = time.perf_counter() - started
    print(
        f"\nfuzz: {QUERIES} queries in {elapsed:.1f}s, {rejected} rejected with QueryError; "
        f"slowest {slowest * 1000:.0f} ms: {slowest_query[:80]!r}{'…' if len(slowest_query) > 80 else ''}"
    )
    assert 0 < rejected < QUERIES  # the generator reaches both outcomes
    print(f"fuzz: the fast scorer took {compared} of the accepted queries, each scored as Whoosh scores it")
    assert compared > QUERIES // 10 if whoosh_internals.fast_paths() else compared == 0


def _fast_equals_whoosh(searcher, q, text: str) -> bool:
    """Whether the fast scorer took ``q``; when it did, its matches and scores are Whoosh's (to rounding)."""
    ours = scoring.evaluate(searcher, q)
    if ours is None:
        return False
    collector = counting_collector(searcher, 1_000_000, None, {})
    searcher.search_with_collector(q, collector)
    theirs = {docnum: score for score, docnum in collector.results().top_n}
    assert ours.keys() == theirs.keys(), text
    for docnum, score in ours.items():
        assert score == pytest.approx(theirs[docnum], rel=1e-9, abs=1e-12), (text, docnum)
    return True


def test_a_wildcard_standing_for_too_many_words_is_refused(index_root: Path, monkeypatch) -> None:
    monkeypatch.setattr(user_query, "MAX_EXPANSIONS", 50)
    for text in ("s*", "c*", "body:[a TO z]", "ko* s*"):
        with pytest.raises(user_query.QueryError, match="more than 50 words"):
            reader.search(index_root, text)
    assert reader.search(index_root, "gulag*")["total"] >= 1  # a prefix that stands for a few words
