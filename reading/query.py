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
from collections.abc import Callable
from itertools import islice
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser

from newsdex.errors import QueryError as QueryError  # re-exported: what a query that cannot run raises
from newsdex.index.analysis import base_of

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


def make_parser(schema: Any, families: list[str] | tuple[str, ...] = ("",)) -> MultifieldParser:
    """Whoosh's parser over the indexed fields only, keeping unknown field names as fields (so that
    ``nosuchfield:x`` matches nothing, as in Elasticsearch) rather than reading them as words.

    A word without a field is searched in the text fields of each language family of ``families``
    (index/analysis.py), each field analysing it its own way; ``title:x`` in each family's title field."""
    from newsdex.index import analysis

    # Whoosh's own helper fields (spell_body) are re-created by their parent; a stored-only field cannot be
    # searched (Whoosh's parser raises on it): both count as unknown.
    helpers = {prefix + name for name, field in schema.items() for prefix, _ in field.subfields() if prefix}
    searchable = Schema(**{n: f for n, f in schema.items() if f.indexed and n not in helpers})
    fields, boosts = analysis.search_fields(SEARCH_FIELDS, FIELD_BOOSTS, families, searchable)
    parser = MultifieldParser(fields, schema=searchable, fieldboosts=boosts)
    # A field name starts with a letter: `10:30` stays two numbers, not a field named 10.
    parser.replace_plugin(FieldsPlugin(expr=r"(?P<text>[^\W\d]\w*):", remove_unknown=False))
    if [f for f in families if f]:
        parser.add_plugin(analysis.FamilyFieldsPlugin(families, searchable))
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
    except Exception as exc:  # the parser's only input is the text: what it trips on is a bad query
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
                raise QueryError(
                    f"wildcards or ranges stand for more than {MAX_EXPANSIONS:,} words of the index "
                    f"(at {_short(str(leaf))!r}): make them more specific"
                )


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


Aliases = Callable[[str], list[tuple[str, str]]]
"""The words of a query (a word, or a phrase's text) -> [(entity type, canonical name)] when they are another
spelling of a known entity (the alias file); given by the caller: the index does not read the alias file."""
Neighbours = Callable[[str, int], "list[str] | None"]
"""A word and a distance -> the archive's words about that near (index/vocabulary.py); None: not available."""

FEW_HITS = 2  # a query with this many hits or fewer gets a suggestion too, for its rare words
RARE_RATIO = 20  # ...when a neighbour of a rare word is in this many times more documents


def _span(leaf: wq.Query) -> tuple[int, int] | None:
    """Where a word or a phrase stands in the query string (None when the parser did not say)."""
    if isinstance(leaf, wq.Phrase):
        ranges = getattr(leaf, "char_ranges", None)
        return (ranges[0][0], ranges[-1][1]) if ranges else None
    start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
    return (start, end) if start is not None and end is not None else None


def _group_span(node: wq.Query) -> tuple[int, int] | None:
    """The span of a word or phrase searched in every default field (the parser's Or of one leaf per field)."""
    if not isinstance(node, wq.Or) or not node.subqueries:
        return None
    spans = set()
    for leaf in node.subqueries:
        if type(leaf) not in (wq.Term, wq.Phrase) or base_of(leaf.field()) not in SEARCH_FIELDS:
            return None
        spans.add(_span(leaf))
    return spans.pop() if len(spans) == 1 and None not in spans else None


def with_entities(q: wq.Query, text: str, aliases: Aliases | None, reader: Any) -> tuple[wq.Query, list[dict]]:
    """``q`` where each word or phrase that is another spelling of an entity the index knows also matches the
    documents naming that entity (its canonical name in the entity field), and the list of those expansions.
    Words under NOT and words typed with a field (``title:x``) are left as typed."""
    from newsdex.index.schema import ENTITY_FIELDS, name_term

    found: list[dict] = []
    if aliases is None:
        return q, found

    def visit(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Not):
            return node
        if isinstance(node, wq.AndNot):
            return wq.AndNot(visit(node.a), node.b, boost=node.boost)
        span = _group_span(node)
        if span is not None:
            words = text[span[0] : span[1]]
            extra: list[wq.Query] = []
            for etype, name in aliases(words)[:3]:
                field = ENTITY_FIELDS.get(etype)
                term = name_term(reader.schema, field, name) if field else ""
                if field and reader.doc_frequency(field, term):
                    extra.append(wq.Term(field, term))
                    found.append({"text": words, "type": etype, "name": name})
            return wq.Or([node, *extra]) if extra else node
        return node if node.is_leaf() else node.apply(visit)

    return visit(q), found


class Hints(NamedTuple):
    """What a suggestion may use besides the query: the time it may take (the search's own), the archive's
    words (``neighbours``), the search's total and the caller's alias lookup."""

    budget_s: float = 0.0
    neighbours: Neighbours | None = None
    total: int = 0
    aliases: Aliases | None = None


def suggest(searcher: Any, q: wq.Query, text: str, hints: Hints | None = None) -> str | None:
    """``text`` with its misspelt words replaced by the archive's likeliest words, and its entity aliases by
    their canonical names; None when there is nothing to offer.

    A word is misspelt when the index does not have it, or (with ``total`` at most FEW_HITS) when a neighbour
    within one edit (two for words over five letters) is in RARE_RATIO times more documents. Neighbours come
    from the archive's words (``neighbours``; index/vocabulary.py), ranked by edit distance, then by how many
    documents hold them; without them, Whoosh's corrector. Bounded: only short queries, a few words, and no
    more time than ``budget_s`` (the search's own) or SUGGEST_FLOOR_S."""
    budget_s, neighbours, total, aliases = hints or Hints()
    if len(text) > SUGGEST_MAX_CHARS:
        return None
    deadline = time.perf_counter() + max(budget_s, SUGGEST_FLOOR_S)
    reader = searcher.reader()
    fixes: dict[tuple[int, int], str] = {}
    for start, end in _group_spans(q) if aliases is not None else []:
        named = aliases(text[start:end]) if aliases is not None else []
        if named:
            name = named[0][1]
            quoted = text[start - 1 : start] == '"'  # a phrase's span is inside its quotes
            fixes[(start, end)] = f'"{name}"' if " " in name and not quoted else name
    searched = {leaf.field() for leaf in positive_leaves(q)}  # a word's field in each language the query meets
    for (start, end), (field, word) in _misspelt(reader, q, rare=True) if total <= FEW_HITS else []:
        if len(fixes) >= SUGGEST_MAX_WORDS or time.perf_counter() > deadline:
            break
        while start < end and not text[start].isalnum():  # the parser's word may hold a `-` or `+` in front
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if start == end or any(a <= start and end <= b for a, b in fixes):
            continue
        siblings = [f for f in searched if f and base_of(f) == base_of(field)]
        fix = _nearest(reader, field, text[start:end].lower(), word, neighbours, siblings)
        if fix is not None:
            fixes[(start, end)] = fix
    if not fixes:
        return None
    out, last = [], 0
    for (start, end), fix in sorted(fixes.items()):
        out += [text[last:start], fix]
        last = end
    return "".join(out) + text[last:]


def _group_spans(q: wq.Query) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []

    def visit(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            visit(node.a)
            return
        span = _group_span(node)
        if span is not None:
            found.append(span)
        elif not node.is_leaf():
            for child in node.children():
                visit(child)

    visit(q)
    return found


def _nearest(
    reader: Any,
    field: str,
    surface: str,
    indexed: str,
    neighbours: Neighbours | None,
    siblings: list[str] | None = None,
) -> str | None:
    """The archive's likeliest word for ``surface`` (as typed; ``indexed``: as the index has it), or None.
    ``siblings``: the same field in each language the query meets (``body``, ``body_de``…), whose documents
    count together."""
    from newsdex.index.vocabulary import distance

    maxdist = 1 if len(surface) <= 5 else 2
    spells = [("spell_" + f if ("spell_" + f) in reader.schema else f) for f in sorted(set(siblings or []) | {field})]
    found = neighbours(surface, maxdist) if neighbours is not None and surface.isalpha() else None
    if found is None:  # no word table (an index made before it, not yet written to): Whoosh's corrector
        fixed = reader.corrector(field).suggest(indexed, limit=1, maxdist=maxdist, prefix=1)
        return fixed[0] if fixed and fixed[0] != indexed else None
    own = sum(reader.doc_frequency(spell, surface) for spell in spells)
    best: tuple[float, int, str] | None = None
    for word in found:
        d = distance(surface, word, maxdist)
        if d > maxdist:
            continue
        df = sum(reader.doc_frequency(spell, word) for spell in spells)
        if df == 0 or (own and df < RARE_RATIO * own):
            continue
        # People rarely mistype a word's first letter (Whoosh's corrector does not try it at all): a change
        # there counts half an edit more, so `kurst` is `kursk` before it is `burst`.
        rank = (d + (0.5 if word[0] != surface[0] else 0.0), -df, word)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _misspelt(reader: Any, q: wq.Query, rare: bool = False) -> list[tuple[tuple[int, int], tuple[str, str]]]:
    """(place in the query string, (field, word)) of each word the index does not have (or, ``rare``, has in
    at most FEW_HITS documents), one per place: a plain word is searched in several fields, its spelling is
    checked against the body. Words under NOT are never corrected."""
    places: dict[tuple[int, int], tuple[str, str]] = {}
    for leaf in positive_leaves(q):
        if type(leaf) not in (wq.Term, wq.Phrase) or base_of(leaf.field()) not in ("body", "title"):
            continue
        for token in leaf.tokens():
            start, end, word = token.startchar, token.endchar, token.text
            if start is None or end is None or not isinstance(word, str) or not word.isalpha():
                continue  # a word the analyzer split (`North-Koreen`) has no place of its own to correct
            if not SUGGEST_WORD_CHARS[0] <= len(word) <= SUGGEST_WORD_CHARS[1]:
                continue
            if base_of(places.get((start, end), ("",))[0]) != "body":
                places[(start, end)] = (token.fieldname, word)
            elif (found := places[(start, end)][0]) != token.fieldname and base_of(token.fieldname) == "body":
                # a word searched in several languages' bodies: the one where the index has it most
                if reader.doc_frequency(token.fieldname, word) > reader.doc_frequency(found, word):
                    places[(start, end)] = (token.fieldname, word)
    out = []
    for place, (field, word) in places.items():
        df = reader.doc_frequency(field, word)
        if df == 0 or (rare and df <= FEW_HITS):
            out.append((place, (field, word)))
    return out


def positive_leaves(q: wq.Query) -> list[wq.Query]:
    """The leaves a matching document can show: not those under NOT, nor on the right of ANDNOT."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return positive_leaves(q.a)
    if q.is_leaf():
        return [q]
    return [leaf for child in q.children() for leaf in positive_leaves(child)]
