"""More like this: the articles about the same thing as one article, from its distinctive words and entities.

The query is the document's own text, reduced to what sets it apart: the body's stems weighted tf × idf (the
top ``MAX_TERMS``, skipping words of that document alone or of more than ``MAX_DF_SHARE`` of the archive,
numbers, 1–2 letter words and the function words of its language, ``reading/data/function_words.txt``) and its
most mentioned PERSON / ORG / LOC names (boosted). Each part is scored on its own from the posting blocks
(reading/scoring.py's BM25F) and the parts summed: exactly what Whoosh's Or of
them would score, and it also says which parts each hit shares with the document, which is its reason. Copies
are not "similar": the document's own cluster is left out entirely, and the rest is one hit per story (as
search collapses it).

Imports only Whoosh and SQLite (the models only to read an input path), as reader.py does."""

from __future__ import annotations

import heapq
import html
import math
from collections import Counter
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from whoosh.query import NullQuery, Term

from newsdex.index.analysis import CJK_TEXT, base_of, hit_field, stop_terms, stored_title
from newsdex.index.damage import IndexDamaged, manifest_guard
from newsdex.index.schema import ENTITY_FIELDS, FACET_TYPES, name_term
from newsdex.reading import caches, scoring, snippets
from newsdex.reading.caches import bounded
from newsdex.reading.collapse import MAX_WINDOW, Copies
from newsdex.reading.documents import resolve_id
from newsdex.reading.filters import language_filter, left_out
from newsdex.reading.opening import open_manifest
from newsdex.reading.stored import hit_entities, hit_fields, split_names, stored_fields, ties_by_id

MAX_TERMS = 25  # body words in the query: enough to say what a story is about, few enough to stay fast
MAX_DF_SHARE = 0.05  # words in more documents than this share say little and cost most (their postings are long)
SMALL_ARCHIVE_DF = 50  # ... but never fewer than this many (or half the archive, when smaller)
MAX_NAMES = 6  # names per entity type in the query: a long article's passing mentions say little
ENTITY_BOOST = 2.0  # a shared name says more about "the same thing" than a shared word
MAX_REASON = 6  # items named in a hit's reason
MAX_REASON_NAMES = 4  # of which names, when there are shared words to name too
SNIPPET_CHARS = 200


@cache
def function_words(language: str | None) -> frozenset[str]:
    """The words of ``language`` (English when unknown or not listed) that say nothing about what an article
    is about: "but", "might", "said". Neither a query term nor a reason."""
    lang = language or "en"
    table: dict[str, set[str]] = {}
    text = files("newsdex.reading").joinpath("data/function_words.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        code, sep, word = line.partition("\t")
        if sep and not code.startswith("#"):
            table.setdefault(code, set()).add(word)
    return frozenset(table.get(lang) or table.get("en") or ())


class _Part:
    """One clause of the query: a body stem or an entity name, what a reason shows for it, and its matches."""

    __slots__ = ("field", "text", "label", "boost", "scores")

    def __init__(self, field: str, text: str, label: str, boost: float) -> None:
        self.field, self.text, self.label, self.boost = field, text, label, boost
        self.scores: dict[int, float] = {}


def body_terms(analyzer: Any, body: str) -> tuple[Counter[str], dict[str, str]]:
    """Stem frequencies of a body, and for each stem the surface word a reader recognises (its most frequent
    spelling in the body, lower-cased unless it is always capitalised: "Kursk", "casualties")."""
    tf: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for token in analyzer(body, chars=True, removestops=False):
        stem = token.text
        tf[stem] += 1
        spellings.setdefault(stem, Counter())[body[token.startchar : token.endchar]] += 1
    surface = {}
    for stem, forms in spellings.items():
        word = forms.most_common(1)[0][0]
        surface[stem] = word if all(f[:1].isupper() for f in forms) else word.lower()
    return tf, surface


def _distinctive(
    searcher: Any,
    body: str,
    field: str = "body",
    stop: frozenset[str] = frozenset(),
    words: frozenset[str] = frozenset(),
) -> tuple[list[_Part], int]:
    """The body's top stems by tf × idf, each boosted by its weight relative to the best one; ``field``: the body
    field of the document's language (index/analysis.py); ``stop`` (indexed forms) and ``words`` (as written):
    its function words, never distinctive."""
    n = max(1, searcher.doc_count())
    tf, surface = body_terms(searcher.schema[field].analyzer, body)
    ceiling = _ceiling(n, MAX_DF_SHARE)
    best_idf = math.log(n / 2)  # the highest idf a kept stem can have (it is in 2 documents at least)
    weighted: list[tuple[float, str]] = []  # a min-heap of the best MAX_TERMS
    for stem, count in sorted(tf.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(weighted) == MAX_TERMS and count * best_idf <= weighted[0][0]:
            break  # stems come by falling tf: none of the rest can place, so their df is not looked up
        if (
            stem in stop
            or stem in words
            or surface[stem].lower() in words
            or len(stem) < (2 if CJK_TEXT.match(stem) else 3)
        ):
            continue  # a function word; a CJK word of two characters is a word
        if any(ch.isdigit() for ch in stem):
            continue
        df = _doc_frequency(searcher, field, stem)
        if df < 2 or df > ceiling:  # only this document, or too common to say anything
            continue
        item = (count * math.log(n / df), stem)
        if len(weighted) < MAX_TERMS:
            heapq.heappush(weighted, item)
        elif item > weighted[0]:
            heapq.heapreplace(weighted, item)
    top = sorted(weighted, key=lambda ws: (-ws[0], ws[1]))
    best = top[0][0] if top and top[0][0] > 0 else 1.0
    return [_Part(field, stem, surface[stem], max(0.1, w / best)) for w, stem in top], n


def _ceiling(n: int, share: float) -> float:
    """The most documents a query term may be in: ``share`` of a large archive; in a small one (where a
    story's words are in a good part of it) up to half of it."""
    return max(n * share, min(n / 2, SMALL_ARCHIVE_DF))


def _doc_frequency(searcher: Any, field: str, text: str) -> int:
    """A term's document frequency, remembered per searcher: a long-lived process (a test session, a web
    service) looks each common word up once, not once per segment per call."""
    cache = caches.of(searcher).doc_frequency
    key = (field, text)
    found = cache.get(key)
    if found is None:
        found = bounded(cache)[key] = searcher.reader().doc_frequency(field, text)
    return found


def _entity_parts(searcher: Any, fields: dict[str, Any], n: int) -> list[_Part]:
    """The document's most mentioned PERSON, ORG and LOC names (``MAX_NAMES`` of each) that some other document
    also has, boosted."""
    parts = []
    for etype in FACET_TYPES:
        field = ENTITY_FIELDS[etype]
        kept = 0
        for name in split_names(fields.get(field)):  # most mentioned first (enrich sorts them so)
            key = name_term(searcher.schema, field, name)
            df = _doc_frequency(searcher, field, key)
            if 2 <= df <= _ceiling(n, 2 * MAX_DF_SHARE):  # names are rarer than words: a looser ceiling
                parts.append(_Part(field, key, name, ENTITY_BOOST))
                kept += 1
                if kept == MAX_NAMES:
                    break
    return parts


def _score_parts(searcher: Any, parts: list[_Part]) -> None:
    """Each part's matches (global docnum -> its BM25F score × boost), read straight from the posting blocks
    when reading/scoring.py can (Whoosh's scores, to the last bits), else by Whoosh."""
    if scoring.evaluate(searcher, NullQuery) is None:  # another weighting or codec: Whoosh does it all
        for part in parts:
            q = Term(part.field, part.text, boost=part.boost)
            part.scores = {d: s for s, d in searcher.search(q, limit=None, optimize=False).top_n}
        return
    for sub, offset in searcher.leaf_searchers():
        leaf = scoring._Segment(searcher, sub.reader())
        for part in parts:
            for d, s in leaf.term(part.field, part.text, part.boost, None).items():
                part.scores[d + offset] = s


def _shared(mine: list[_Part], docnum: int) -> list[str]:
    """A hit's reason: the shared names, then the shared words, each group by what it adds to the hit's score
    (the rarer, the more: the most specific first); at most ``MAX_REASON_NAMES`` names, so that words show
    too, and no word already said by a name ("Kursk" after "Kursk")."""

    def weight(p: _Part) -> float:
        return -p.scores[docnum]

    names = list(dict.fromkeys(p.label for p in sorted((p for p in mine if not _is_body(p)), key=weight)))
    said = {w.lower() for name in names for w in name.split()}
    words = [p.label for p in sorted((p for p in mine if _is_body(p)), key=weight) if p.label.lower() not in said]
    names = names[: max(MAX_REASON_NAMES, MAX_REASON - len(words))]
    return list(dict.fromkeys(names + words))[:MAX_REASON]


def _is_body(part: _Part) -> bool:
    return base_of(part.field) == "body"


def _snippet(analyzer: Any, body: str, stems: set[str]) -> str:
    """HTML-escaped text around the first shared word of a hit's body, shared words in <b>…</b> (search's
    snippet format); the analyzer stops at that word, so a long body is not read to its end."""
    first = None
    for token in analyzer(body, chars=True, removestops=False):
        if token.text in stems:
            first = token.startchar
            break
    if first is None:
        return html.escape(" ".join(snippets.lead(body, SNIPPET_CHARS).split()), quote=False)
    start = snippets.sentence_start(body, first)  # from its sentence's start, to a sentence's end (else a word's)
    end = snippets.sentence_end(body, min(len(body), max(first, start + SNIPPET_CHARS)))
    window = body[start:end]
    out, at = [], 0
    for token in analyzer(window, chars=True, removestops=False):
        if token.text in stems:
            out += [
                html.escape(window[at : token.startchar], quote=False),
                f"<b>{html.escape(window[token.startchar : token.endchar], quote=False)}</b>",
            ]
            at = token.endchar
    out.append(html.escape(window[at:], quote=False))
    text = " ".join("".join(out).split())
    cut_before = start > 0 and not snippets._starts_sentence(body, start)
    return ("… " if cut_before else "") + text + (" …" if not snippets._ends_sentence(body, end) else "")


def similar(
    searcher: Any, root: Path, ref: str, limit: int = 10, kind: str = "article", languages: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """The ``similar`` JSON of docs/contract.md for the document ``ref`` names (id, unique id prefix, input
    path), or None when there is no such document; ``searcher``: the index's (an Archive's: opening it first,
    a missing or damaged generation says so); ``languages``: only articles in those. Raises AmbiguousId for an
    ambiguous prefix."""
    found = _the_document(root, ref)
    if found is None:
        return None
    doc_id, body, members = found
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        raise IndexDamaged(f"document {doc_id} is in the manifest but not in the live generation")
    source = stored_fields(searcher, [docnum])[0]
    # The document and every copy of it are left out before ranking, so a story on hundreds of sites does not
    # crowd the window.
    excluded = {docnum} | {d for m in members if (d := searcher.document_number(id=m)) is not None}
    excluded |= left_out(searcher, kind)  # listings and other pages are no story like this one
    language = source.get("language")  # its words are read in its language's field, its function words left out
    parts, n = _distinctive(
        searcher, body, hit_field(searcher.schema, "body", language), stop_terms(language), function_words(language)
    )
    parts = _entity_parts(searcher, source, n) + parts
    scores = _only(searcher, _summed(searcher, parts, excluded), languages)
    ranked, stored, copies = _stories(searcher, root, scores, limit)
    hits = [_hit(searcher, parts, ranked[i], stored[i], copies) for i in copies.kept[:limit]]
    return {
        "id": doc_id,
        "title": stored_title(source),
        "total": len(scores),
        "terms": [p.label for p in parts if _is_body(p)],
        "entities": hit_entities(source),
        "copies": [m for m in members if m != doc_id],
        "hits": hits,
    }


def _the_document(root: Path, ref: str) -> tuple[str, str, list[str]] | None:
    """The id ``ref`` names, its body and the ids of its cluster of copies (none without copies)."""
    manifest = open_manifest(root)
    with manifest, manifest_guard(manifest.path):
        doc_id = resolve_id(manifest, ref)
        if doc_id is None:
            return None
        body = manifest.bodies([doc_id]).get(doc_id, "")
        key = manifest.cluster_of(doc_id)
        members = [m["id"] for m in manifest.cluster(key)] if key else []
    return doc_id, body, members


def _summed(searcher: Any, parts: list[_Part], excluded: set[int]) -> dict[int, float]:
    """Each document's score: its parts' scores summed part by part, as Whoosh's Or of the parts would."""
    _score_parts(searcher, parts)
    scores: dict[int, float] = {}
    for part in parts:
        for d, s in part.scores.items():
            scores[d] = scores.get(d, 0.0) + s
    for d in excluded:
        scores.pop(d, None)
    return scores


def _only(searcher: Any, scores: dict[int, float], languages: tuple[str, ...]) -> dict[int, float]:
    """``scores`` of the documents in ``languages`` only (all of them without languages)."""
    filt = language_filter(languages)
    if filt is None:
        return scores
    allowed = scoring.matching(searcher, filt)
    if allowed is None:  # the fast paths off: Whoosh lists them
        allowed = set(searcher.docs_for_query(filt))
    return {d: s for d, s in scores.items() if d in allowed}


def _stories(searcher: Any, root: Path, scores: dict[int, float], limit: int) -> tuple[list, list, Copies]:
    """The best ``limit`` stories (one hit per story, as search collapses them): the window read further while
    copies crowd it."""
    window = max(limit * 4, 50)
    while True:
        ranked = scoring.top(scores, window)
        ranked, stored = ties_by_id(ranked, stored_fields(searcher, [d for _, d in ranked]))  # as search ranks
        copies = Copies(root, [f["id"] for f in stored], limit, all_copies=False)
        if len(copies.kept) >= limit or len(ranked) >= len(scores) or window >= MAX_WINDOW:
            return ranked, stored, copies
        window = min(window * 4, MAX_WINDOW)


def _hit(
    searcher: Any, parts: list[_Part], ranked: tuple[float, int], fields: dict[str, Any], copies: Copies
) -> dict[str, Any]:
    score, d = ranked
    mine = [p for p in parts if d in p.scores]
    shared = _shared(mine, d)
    body_stems = {p.text for p in mine if _is_body(p)}
    analyzer = searcher.schema[hit_field(searcher.schema, "body", fields.get("language"))].analyzer
    return {
        **hit_fields(fields),
        "score": round(float(score), 4),
        "snippet": _snippet(analyzer, copies.bodies.get(fields["id"], ""), body_stems),
        "shared": shared,
        "reason": "shared: " + ", ".join(shared),
        **copies.of(fields["id"]),
    }
