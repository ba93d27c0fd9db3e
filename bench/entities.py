"""Score newsdex's entity recogniser against the bare en_core_web_sm model on IOB2 CoNLL files.

    python bench/entities.py                      # ../shared/data/ner/wikigold.conll
    python bench/entities.py FILE.conll [...]     # any token<TAB or space>IOB2-tag file, blank line per sentence

Scoring: exact character span + type. Gold PER→PERSON, ORG→ORG, LOC→LOC; gold MISC is not scored.
Predicted types other than PERSON/ORG/LOC (NORP, DATE, MISC, spaCy's numeric types, and the bare model's
FAC) are dropped before scoring: they are neither hits nor false positives. The bare model's GPE and LOC
count as LOC (the mapping behind the 53.3 reported in the issue).

Two settings, both models in each:
- sentences: each sentence is one text (tokens joined by single spaces); nothing to be consistent with;
- documents: ``--context N`` consecutive sentences form one text (default 20, about a short news article;
  WikiGold has no document markers, so a window may straddle two articles). This is how the pipeline
  runs (one text per article), so the document-level rules (surnames, one type per name, acronyms) apply.
  A file with ``-DOCSTART-`` lines is cut at those lines instead.
Throughput: the full enrich stage (``enrich_documents``) over the same sentences grouped into documents,
in words per wall-clock second and per CPU-second (this process plus its worker processes, if any), and
how many cores were busy on average. ``--repeat 3 --processes 1`` vs ``--processes 2`` compares serial and
two-process enrichment on 117k words (``--no-score`` skips the F1 part).
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


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def throughput(texts: list[str], per_doc: int = 20, n_process: int | None = None) -> dict[str, float | int]:
    """The whole enrich stage over pseudo-documents of ``per_doc`` sentences (one paragraph each)."""
    from tasks.enrich import enrich_documents, load_nlp

    docs = []
    for i in range(0, len(texts), per_doc):
        chunk = texts[i : i + per_doc]
        segments = [Segment(kind="paragraph", text=t, sentences=[t]) for t in chunk]
        docs.append(SegmentedDoc(id=str(i), path=f"bench/{i}", kind="text", raw_hash="", segments=segments))
    words = sum(len(t.split()) for t in texts)
    load_nlp()  # model load is not part of the per-batch cost
    (me0, kids0), wall = _cpu(), time.perf_counter()
    enrich_documents(docs, n_process=n_process)
    (me1, kids1), wall = _cpu(), time.perf_counter() - wall
    me, kids = me1 - me0, kids1 - kids0  # workers count once they have exited, which pipe() waits for
    return {"words": words, "docs": len(docs), "wall": wall, "cpu": me + kids, "parent": me, "workers": kids,
            "wps": words / wall, "wpcpu": words / (me + kids), "busy": (me + kids) / wall}


def table(setting: str, name: str, res: dict[str, dict[str, float]]) -> str:
    cells = " | ".join(f"{res[t]['p']:.1f} / {res[t]['r']:.1f} / **{res[t]['f1']:.1f}**" for t in (*SCORED, "micro"))
    return f"| {setting} | {name} | {cells} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--context", type=int, default=20, metavar="N",
                        help="sentences per document in the document setting (0: sentences only)")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--no-score", action="store_true", help="only the throughput measurement")
    parser.add_argument("--processes", type=int, default=None, metavar="N",
                        help="n_process for the throughput run (default: the stage's own choice)")
    parser.add_argument("--repeat", type=int, default=1, metavar="K",
                        help="throughput over K copies of the sentences (more words than PARALLEL_MIN_WORDS)")
    args = parser.parse_args(argv)
    for path in args.files:
        starts: list[int] = []
        sents = read_conll(path, starts)
        texts, gold = [t for t, _ in sents], [g for _, g in sents]
        print(f"\n{path.name}: {len(texts)} sentences, {sum(len(t.split()) for t in texts)} tokens, "
              f"{sum(len(g) for g in gold)} scored gold entities")
        settings = [] if args.no_score else [("sentences", [range(i, i + 1) for i in range(len(texts))])]
        if settings:
            print("| setting | recogniser | PERSON P / R / F1 | ORG P / R / F1 | LOC P / R / F1 | micro P / R / F1 |")
            print("| --- | --- | --- | --- | --- | --- |")
        if (args.context > 0 or starts) and settings:
            label = "documents (-DOCSTART-)" if starts else f"documents ({args.context} sentences)"
            settings.append((label, windows(len(texts), args.context, starts)))
        for label, groups in settings:
            bare = score(gold, in_documents(texts, groups, bare_spans))
            ours = score(gold, in_documents(texts, groups, our_spans))
            print(table(label, "en_core_web_sm alone", bare))
            print(table(label, "newsdex (tasks.enrich)", ours))
            gains = " | ".join(f"{ours[t]['f1'] - bare[t]['f1']:+.1f}" for t in (*SCORED, "micro"))
            print(f"| {label} | gain (F1 points) | {gains} |")
        if not args.no_speed:
            sp = throughput(texts * args.repeat, args.context or 20, args.processes)
            print(f"\nenrich stage: {sp['words']} words in {sp['docs']} documents, {sp['wall']:.2f} s wall, "
                  f"{sp['cpu']:.2f} CPU-s ({sp['parent']:.2f} this process, {sp['workers']:.2f} workers): "
                  f"{sp['wps']:,.0f} words/s, {sp['wpcpu']:,.0f} words per CPU-second, "
                  f"{sp['busy']:.2f} of {os.cpu_count()} cores busy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
