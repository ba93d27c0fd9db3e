"""Reading and scoring IOB2 CoNLL files (token and tag per line, a blank line between sentences): gold spans in
characters, sentences grouped into documents, exact span-and-type precision, recall and F1. Shared by
``bench/entities.py`` and its tests."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

GOLD_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
SCORED = ("PERSON", "ORG", "LOC")
Span = tuple[int, int, str]


def read_conll(path: Path, starts: list[int] | None = None) -> list[tuple[str, set[Span]]]:
    """Sentences as (text, gold spans in characters); text is the tokens joined by single spaces.

    ``starts`` (if given) receives the index of the first sentence after each ``-DOCSTART-`` line.
    """
    sentences: list[tuple[str, set[Span]]] = []
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if not tokens:
            return
        text, spans, offset, open_span = "", set(), 0, None
        for i, (tok, tag) in enumerate(tokens):
            start = offset
            text += ("" if i == 0 else " ") + tok
            start = len(text) - len(tok)
            kind = tag[2:] if len(tag) > 2 else ""
            if open_span and (not tag.startswith("I-") or kind != open_span[2]):
                spans.add(open_span)
                open_span = None
            if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                open_span = (start, len(text), kind)
            elif tag.startswith("I-") and open_span:
                open_span = (open_span[0], len(text), kind)
            offset = len(text)
        if open_span:
            spans.add(open_span)
        scored = {(s, e, GOLD_TYPES[t]) for s, e, t in spans if t in GOLD_TYPES}
        sentences.append((text, scored))
        tokens.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            flush()
            if parts and starts is not None:
                starts.append(len(sentences))
            continue
        tokens.append((parts[0], parts[-1]))
    flush()
    return sentences


def windows(n_sentences: int, size: int, starts: list[int]) -> list[range]:
    """Groups of consecutive sentences: at document markers if the file has them, else every ``size``."""
    if starts:
        cuts = sorted({0, *starts, n_sentences})
        return [range(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    return [range(i, min(i + size, n_sentences)) for i in range(0, n_sentences, size)]


def split_of(texts: list[str], group: range) -> str:
    """ "fit" or "held": a deterministic half of the groups, by a hash of the group's own text.

    The rules and thresholds may be chosen by looking at the "fit" part only; the "held" part is scored and
    never read. The hash depends on the window's words alone, not on its position or on the run.
    """
    digest = hashlib.sha256(" ".join(texts[i] for i in group).encode("utf-8")).digest()
    return "held" if digest[0] % 2 else "fit"


def parts(texts: list[str], groups: list[range]) -> dict[str, list[int]]:
    """{"fit": sentence indices, "held": sentence indices}: every sentence goes with its window."""
    out: dict[str, list[int]] = {"fit": [], "held": []}
    for g in groups:
        out[split_of(texts, g)].extend(g)
    return out


def in_documents(texts: list[str], groups: list[range], predict) -> list[set[Span]]:
    """Run ``predict`` on each group joined by spaces; give each sentence back its own spans."""
    joined = [" ".join(texts[i] for i in g) for g in groups]
    out: list[set[Span]] = []
    for g, spans in zip(groups, predict(joined), strict=True):
        offset = 0
        for i in g:
            end = offset + len(texts[i])
            out.append({(s - offset, e - offset, t) for s, e, t in spans if offset <= s and e <= end})
            offset = end + 1
    return out


def score(gold: list[set[Span]], pred: list[set[Span]]) -> dict[str, dict[str, float]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred, strict=True):
        for s in p & g:
            tp[s[2]] += 1
        for s in p - g:
            fp[s[2]] += 1
        for s in g - p:
            fn[s[2]] += 1
    out = {}
    for t in (*SCORED, "micro"):
        a, b, c = (sum(x.values()) for x in (tp, fp, fn)) if t == "micro" else (tp[t], fp[t], fn[t])
        prec = a / (a + b) if a + b else 0.0
        rec = a / (a + c) if a + c else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[t] = {"p": 100 * prec, "r": 100 * rec, "f1": 100 * f1, "gold": a + c}
    return out
