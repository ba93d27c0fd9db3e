"""A user's query, parsed within bounds: length, nesting, wildcards and boosts are limited, a field the index
does not have matches nothing, and the spelling suggestion is cheap and cannot fail on odd input.

Whoosh's parser is lenient (most odd input becomes words), but deep nesting overflows Python's stack, a
prefix operator with nothing after it raises IndexError, and a word it splits in two (``nosuchfield:x``,
``North-Koreen``) has no position in the query string, which Whoosh's own spelling correction trips on.
"""

from __future__ import annotations

import math
import time
import traceback
from itertools import islice
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser

SEARCH_FIELDS = ["title", "headings", "body", "captions", "byline"]  # what a word without field: searches
FIELD_BOOSTS = {"title": 2.0, "headings": 1.5}

MAX_QUERY_CHARS = 1000  # Google allows 2048; longer text is a pasted document, not a query
MAX_NESTING = 32  # levels of parentheses; Whoosh recurses per level and overflows near 2,500
MAX_STARS = 2  # `*` per word: each one multiplies the regex backtracking over every term of a field
MAX_BOOST = 1000.0  # larger boosts only push scores towards infinity (not valid JSON)
MAX_EXPANSIONS = 1000  # words the wildcards and ranges of a query may stand for (Lucene's classic 1024 clauses):
# Whoosh reads the postings of each, several times over (size estimates, then matching)

SUGGEST_MAX_CHARS = 200  # longer queries get no suggestion
SUGGEST_MAX_WORDS = 6  # misspelt words looked up per query
SUGGEST_WORD_CHARS = (4, 30)  # shorter words have too many neighbours, longer ones are not typos
SUGGEST_FLOOR_S = 0.05  # the suggestion may take as long as the search, or this, whichever is more


class QueryError(ValueError):
    """A query that cannot be run as given (too long, too deep, unparseable): bad input, exit code 1."""


def make_parser(schema: Any) -> MultifieldParser:
    """Whoosh's parser over the indexed fields only, keeping unknown field names as fields (so that
    ``nosuchfield:x`` matches nothing, as in Elasticsearch) rather than reading them as words."""
    # Whoosh's own helper fields (spell_body) are re-created by their parent; a stored-only field cannot be
    # searched (Whoosh's parser raises on it): both count as unknown.
    helpers = {prefix + name for name, field in schema.items() for prefix, _ in field.subfields() if prefix}
    searchable = Schema(**{n: f for n, f in schema.items() if f.indexed and n not in helpers})
    parser = MultifieldParser(SEARCH_FIELDS, schema=searchable, fieldboosts=FIELD_BOOSTS)
    # A field name starts with a letter: `10:30` stays two numbers, not a field named 10.
    parser.replace_plugin(FieldsPlugin(expr=r"(?P<text>[^\W\d]\w*):", remove_unknown=False))
    return parser


def parse(parser: MultifieldParser, text: str) -> wq.Query:
    """The query for ``text``; raises QueryError for anything outside the bounds above or unparseable."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(text):,} characters (at most {MAX_QUERY_CHARS:,})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes of a command-line argument that were not UTF-8
        raise QueryError("query is not valid UTF-8 text") from None
    depth = _nesting(text)
    if depth > MAX_NESTING:
        raise QueryError(f"query nested too deeply: {depth} levels of parentheses (at most {MAX_NESTING})")
    try:
        q = parser.parse(text)
    except RecursionError:
        raise QueryError("query nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - the parser's only input is the text: what it trips on is a bad query
        raise QueryError(f"cannot parse the query: {_reason(exc)}") from None
    return _checked(q, frozenset(parser.schema.names()))


def _nesting(text: str) -> int:
    """Deepest level of parentheses, counting those inside quotes too (an upper bound is enough)."""
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
    return deepest


def _reason(exc: Exception) -> str:
    if traceback.extract_tb(exc.__traceback__)[-1].name == "_parse_datestring":  # ValueError or Exception
        return "a date range takes dates: [YYYY TO YYYY-MM-DD]"
    if type(exc) is Exception and str(exc):  # Whoosh's own messages
        return str(exc)[:120]
    return "check its AND/OR/NOT operators, quotes and parentheses"


def _checked(q: wq.Query, fields: frozenset[str]) -> wq.Query:
    """``q`` with every part on an unknown field made to match nothing, after checking boosts and wildcards."""
    boost = getattr(q, "boost", 1.0)
    if not math.isfinite(boost) or boost > MAX_BOOST:
        raise QueryError(f"boost too large (at most ^{MAX_BOOST:g})")
    if not q.is_leaf():
        return q.apply(lambda sub: _checked(sub, fields))
    field = q.field()
    if field is not None and field not in fields:
        # A term no document has (ids are never empty), in a field every reader knows: it matches nothing,
        # and unlike NullQuery an And does not drop it, so `korea nosuchfield:x` matches nothing while
        # `korea OR nosuchfield:x` matches korea.
        return wq.Term("id", "")
    if isinstance(q, wq.Every) and field is not None:
        # `*` among other words, or `field:*`: every document. Whoosh would read every term's postings of the
        # field to find the documents that have it (every one, in practice): the whole index, per field.
        return wq.Every(boost=q.boost)
    if isinstance(q, wq.Wildcard) and q.text[:1] in ("*", "?"):
        # As Lucene's parser: a leading wildcard has no prefix to seek to, so Whoosh matches its pattern
        # against every word of the field, several times per search (seconds at 50k documents).
        raise QueryError(f"a word cannot start with * or ? ({_short(q.text)!r}): put letters first")
    if isinstance(q, wq.Wildcard) and q.text.count("*") > MAX_STARS:
        raise QueryError(f"too many wildcards in {_short(q.text)!r} (at most {MAX_STARS} * per word)")
    return q


def check_expansions(q: wq.Query, reader: Any) -> None:
    """QueryError when the wildcards and ranges of ``q`` stand for more than MAX_EXPANSIONS words of the index
    together (`*?*` is every word: the whole index read, seconds at 50k documents). Counting stops there."""
    left = MAX_EXPANSIONS
    for leaf in q.leaves():
        if isinstance(leaf, wq.MultiTerm) and leaf.field():
            left -= sum(1 for _ in islice(leaf.expanded_terms(reader), left + 1))
            if left < 0:
                raise QueryError(f"wildcards or ranges stand for more than {MAX_EXPANSIONS:,} words of the index "
                                 f"(at {_short(str(leaf))!r}): make them more specific")


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def suggest(searcher: Any, q: wq.Query, text: str, budget_s: float = 0.0) -> str | None:
    """``text`` with its misspelt words replaced by the nearest indexed terms, or None.

    Bounded: only short queries, only plain words and phrase words typed where the index spells them (body,
    title), a few words, and no more time than ``budget_s`` (the search's own) or SUGGEST_FLOOR_S."""
    if len(text) > SUGGEST_MAX_CHARS:
        return None
    deadline = time.perf_counter() + max(budget_s, SUGGEST_FLOOR_S)
    reader = searcher.reader()
    fixes: dict[tuple[int, int], str] = {}
    for (start, end), (field, word) in _misspelt(reader, q):
        if len(fixes) >= SUGGEST_MAX_WORDS or time.perf_counter() > deadline:
            break
        maxdist = 1 if len(word) <= 5 else 2
        found = reader.corrector(field).suggest(word, limit=1, maxdist=maxdist, prefix=1)
        if found and found[0] != word:
            fixes[(start, end)] = found[0]
    if not fixes:
        return None
    out, last = [], 0
    for (start, end), fix in sorted(fixes.items()):
        out += [text[last:start], fix]
        last = end
    return "".join(out) + text[last:]


def _misspelt(reader: Any, q: wq.Query) -> list[tuple[tuple[int, int], tuple[str, str]]]:
    """(place in the query string, (field, word)) of each word the index does not have, one per place: a
    plain word is searched in several fields, its spelling is checked against the body."""
    places: dict[tuple[int, int], tuple[str, str]] = {}
    for leaf in q.leaves():
        if type(leaf) not in (wq.Term, wq.Phrase) or leaf.field() not in ("body", "title"):
            continue
        for token in leaf.tokens():
            start, end, word = token.startchar, token.endchar, token.text
            if start is None or end is None or not isinstance(word, str) or not word.isalpha():
                continue  # a word the analyzer split (`North-Koreen`) has no place of its own to correct
            if not SUGGEST_WORD_CHARS[0] <= len(word) <= SUGGEST_WORD_CHARS[1]:
                continue
            if places.get((start, end), ("",))[0] != "body":
                places[(start, end)] = (token.fieldname, word)
    return [(place, fw) for place, fw in places.items() if fw not in reader]
