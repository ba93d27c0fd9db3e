"""Score newsdex's entity recogniser against the bare en_core_web_sm model on IOB2 CoNLL files.

    python -m bench.entities                      # ../shared/data/ner/wikigold.conll
    python -m bench.entities FILE.conll [...]     # any token<TAB or space>IOB2-tag file, blank line per sentence

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
import time
from pathlib import Path

from newsdex.models import Segment, SegmentedDoc
from tools.conll import SCORED, Span, in_documents, read_conll, score, windows
from tools.evaldata import DEFAULT_NER, require

BARE_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}

def bare_spans(texts: list[str]) -> list[set[Span]]:
    from newsdex.tasks.enrich.stage import load_bare_nlp

    nlp = load_bare_nlp()
    return [
        {(e.start_char, e.end_char, BARE_TYPES[e.label_]) for e in doc.ents if e.label_ in BARE_TYPES}
        for doc in nlp.pipe(texts, batch_size=256)
    ]


def our_spans(texts: list[str]) -> list[set[Span]]:
    from newsdex.tasks.enrich.stage import recognise

    return [{s for s in spans if s[2] in SCORED} for spans in recognise(texts)]


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def throughput(texts: list[str], per_doc: int = 20, n_process: int | None = None) -> dict[str, float | int]:
    """The whole enrich stage over pseudo-documents of ``per_doc`` sentences (one paragraph each)."""
    from newsdex.tasks.enrich.stage import enrich_documents, load_nlp

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
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT_NER])
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
        sents = read_conll(require(path), starts)
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
            print(table(label, "newsdex (newsdex.tasks.enrich.stage)", ours))
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
