"""Score newsdex's entity recogniser against the bare en_core_web_sm model on IOB2 CoNLL files.

    python bench/entities.py                      # ../shared/data/ner/wikigold.conll
    python bench/entities.py FILE.conll [...]     # any token<TAB or space>IOB2-tag file, blank line per sentence

Scoring: exact character span + type. Gold PER→PERSON, ORG→ORG, LOC→LOC; gold MISC is not scored.
Predicted types other than PERSON/ORG/LOC (NORP, DATE, MISC, spaCy's numeric types) are dropped before
scoring: they are neither hits nor false positives. The bare model's GPE, LOC and FAC count as LOC, as in
our recogniser. Each sentence is one text: tokens joined by single spaces.
Throughput: the full enrich stage (``enrich_documents``) over the same sentences grouped into documents,
in words per wall-clock second and per CPU-second of this process (time.process_time; with worker
processes the CPU-seconds of the children are added).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks.models import Segment, SegmentedDoc  # noqa: E402

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ner" / "wikigold.conll"
GOLD_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
SCORED = ("PERSON", "ORG", "LOC")
BARE_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}

Span = tuple[int, int, str]


def read_conll(path: Path) -> list[tuple[str, set[Span]]]:
    """Sentences as (text, gold spans in characters); text is the tokens joined by single spaces."""
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
            continue
        tokens.append((parts[0], parts[-1]))
    flush()
    return sentences


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


def bare_spans(texts: list[str]) -> list[set[Span]]:
    from tasks.enrich import load_bare_nlp

    nlp = load_bare_nlp()
    return [
        {(e.start_char, e.end_char, BARE_TYPES[e.label_]) for e in doc.ents if e.label_ in BARE_TYPES}
        for doc in nlp.pipe(texts, batch_size=256)
    ]


def our_spans(texts: list[str]) -> list[set[Span]]:
    from tasks.enrich import recognise

    return [{s for s in spans if s[2] in SCORED} for spans in recognise(texts)]


def cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def throughput(texts: list[str], per_doc: int = 20) -> dict[str, float]:
    """The whole enrich stage over pseudo-documents of ``per_doc`` sentences (one paragraph each)."""
    from tasks.enrich import enrich_documents, load_nlp

    docs = []
    for i in range(0, len(texts), per_doc):
        chunk = texts[i : i + per_doc]
        segments = [Segment(kind="paragraph", text=t, sentences=[t]) for t in chunk]
        docs.append(SegmentedDoc(id=str(i), path=f"bench/{i}", kind="text", raw_hash="", segments=segments))
    words = sum(len(t.split()) for t in texts)
    load_nlp()  # model load is not part of the per-batch cost
    wall, cpu = time.perf_counter(), cpu_seconds()
    enrich_documents(docs)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    return {"words": words, "docs": len(docs), "wall": wall, "cpu": cpu,
            "wps": words / wall, "wpcpu": words / cpu}


def table(name: str, res: dict[str, dict[str, float]]) -> str:
    cells = " | ".join(f"{res[t]['p']:.1f} / {res[t]['r']:.1f} / **{res[t]['f1']:.1f}**" for t in (*SCORED, "micro"))
    return f"| {name} | {cells} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    args = parser.parse_args(argv)
    for path in args.files:
        sents = read_conll(path)
        texts, gold = [t for t, _ in sents], [g for _, g in sents]
        bare = score(gold, bare_spans(texts))
        ours = score(gold, our_spans(texts))
        print(f"\n{path.name}: {len(texts)} sentences, {sum(len(t.split()) for t in texts)} tokens, "
              f"{bare['micro']['gold']} scored gold entities")
        print("| recogniser | PERSON P / R / F1 | ORG P / R / F1 | LOC P / R / F1 | micro P / R / F1 |")
        print("| --- | --- | --- | --- | --- |")
        print(table("en_core_web_sm alone", bare))
        print(table("newsdex (tasks.enrich)", ours))
        print(f"micro F1 gain: {ours['micro']['f1'] - bare['micro']['f1']:+.1f} points; "
              + ", ".join(f"{t} {ours[t]['f1'] - bare[t]['f1']:+.1f}" for t in SCORED))
        if not args.no_speed:
            sp = throughput(texts)
            print(f"enrich stage: {sp['words']} words in {sp['docs']} documents, {sp['wall']:.2f} s wall, "
                  f"{sp['cpu']:.2f} CPU-s: {sp['wps']:,.0f} words/s, {sp['wpcpu']:,.0f} words per CPU-second "
                  f"({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
