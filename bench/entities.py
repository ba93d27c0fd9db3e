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
Fitted vs held-out: every 20-sentence window goes to "fit" or "held" by a hash of its text (tools/conll.py:
split_of). Rules may be chosen by looking at the fit part only; F1 is printed fitted / held-out side by side
and the held-out figure is the one that counts. ``--ablate`` flips each rule of tasks/enrich/pipe.py RULES
alone; ``--seeds`` checks tests/data/seed_entities.tsv (the seeds' gold entities and their display names).
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
from tools.conll import SCORED, Span, in_documents, parts, read_conll, score, windows
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
    return {
        "words": words,
        "docs": len(docs),
        "wall": wall,
        "cpu": me + kids,
        "parent": me,
        "workers": kids,
        "wps": words / wall,
        "wpcpu": words / (me + kids),
        "busy": (me + kids) / wall,
    }


PR_HEADER = (
    "| setting | recogniser | PERSON P / R / F1 | ORG P / R / F1 | LOC P / R / F1 | micro P / R / F1 |\n"
    "| --- | --- | --- | --- | --- | --- |"
)
SPLIT_WINDOW = 20  # the fit/held split is by windows of this many sentences, whatever --context is


def table(setting: str, name: str, res: dict[str, dict[str, float]]) -> str:
    cells = " | ".join(f"{res[t]['p']:.1f} / {res[t]['r']:.1f} / **{res[t]['f1']:.1f}**" for t in (*SCORED, "micro"))
    return f"| {setting} | {name} | {cells} |"


def side_by_side(setting: str, name: str, fit: dict, held: dict) -> str:
    """F1 on the fitted part next to F1 on the held-out part, per type."""
    cells = " | ".join(f"{fit[t]['f1']:.1f} / **{held[t]['f1']:.1f}**" for t in (*SCORED, "micro"))
    return f"| {setting} | {name} | {cells} |"


def _gain(ours: dict, bare: dict) -> dict:
    return {t: {"f1": ours[t]["f1"] - bare[t]["f1"]} for t in (*SCORED, "micro")}


def _gain_row(setting: str, fit: dict, held: dict) -> str:
    cells = " | ".join(f"{fit[t]['f1']:+.1f} / **{held[t]['f1']:+.1f}**" for t in (*SCORED, "micro"))
    return f"| {setting} | gain (F1 points) | {cells} |"


def split_scores(gold, pred, split: dict[str, list[int]]) -> dict[str, dict]:
    """Scores on all sentences and on each part of the fit/held split."""
    out = {"all": score(gold, pred)}
    for part, idx in split.items():
        out[part] = score([gold[i] for i in idx], [pred[i] for i in idx])
    return out


ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = ROOT / "tests" / "data" / "seed_entities.tsv"


def read_seed_gold(path: Path = SEED_GOLD) -> list[tuple[str, str, list[str]]]:
    """(seed prefix, type, accepted display names) per line of tests/data/seed_entities.tsv."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            seed, type_, names = line.split("\t")
            rows.append((seed, type_, names.split("|")))
    return rows


def seed_docs() -> list[SegmentedDoc]:
    """The seeds as the enrich tests make them: first block the title, one paragraph per blank-line block."""
    docs = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        segments = [Segment(kind="paragraph", text=b, sentences=[b]) for b in blocks[1:]]
        docs.append(
            SegmentedDoc(id=path.stem[:3], path=path.name, kind="text", raw_hash="", title=blocks[0], segments=segments)
        )
    return docs


def seed_check(gold: list[tuple[str, str, list[str]]] | None = None) -> list[dict]:
    """Per gold entity: found (an entity of that type whose name or a mention has an accepted key) and the
    name it is shown under (None when not found)."""
    from newsdex.tasks.enrich.canonical import canonical_key
    from newsdex.tasks.enrich.stage import enrich_documents

    docs = {d.id: d for d in enrich_documents(seed_docs())}
    out = []
    for seed, type_, names in gold or read_seed_gold():
        keys = {canonical_key(n) for n in names}
        hit = next(
            (
                e
                for e in docs[seed].entities
                if e.type == type_ and not e.caption_only and keys & {canonical_key(x) for x in (e.name, *e.mentions)}
            ),
            None,
        )
        out.append(
            {
                "seed": seed,
                "type": type_,
                "gold": names[0],
                "found": hit is not None,
                "shown": hit.name if hit else None,
                "display_ok": bool(hit and hit.name in names),
            }
        )
    return out


def print_seed_check() -> None:
    rows = seed_check()
    found = [r for r in rows if r["found"]]
    unique = {(r["type"], r["gold"]) for r in rows}
    unique_found = {(r["type"], r["gold"]) for r in found}
    print(
        f"\nseed entities (tests/data/seed_entities.tsv): {len(found)} of {len(rows)} found "
        f"({len(unique_found)} of {len(unique)} distinct), "
        f"{sum(r['display_ok'] for r in rows)} shown under an accepted name"
    )
    for r in rows:
        if not r["found"]:
            print(f"  missing  {r['seed']} {r['type']:6} {r['gold']}")
        elif not r["display_ok"]:
            print(f"  shown as {r['seed']} {r['type']:6} {r['gold']!r} -> {r['shown']!r}")


def ablate(texts, gold, split, settings) -> None:
    """Each rule of tasks/enrich/pipe.py RULES flipped on its own (the others as shipped), fitted / held-out F1."""
    from newsdex.tasks.enrich import pipe

    shipped = dict(pipe.RULES)
    variants = [("as shipped", {})] + [
        (f"{name} {'off' if on else 'on'}", {name: not on}) for name, on in shipped.items()
    ]
    print("\nAblation: micro F1 fitted / **held-out** (and held-out per type), each rule flipped alone:\n")
    print("| variant | setting | micro | PERSON held | ORG held | LOC held |")
    print("| --- | --- | --- | --- | --- | --- |")
    try:
        for name, change in variants:
            pipe.RULES.update(shipped | change)
            for label, groups in settings:
                res = split_scores(gold, in_documents(texts, groups, our_spans), split)
                print(
                    f"| {name} | {label} | {res['fit']['micro']['f1']:.1f} / **{res['held']['micro']['f1']:.1f}** | "
                    + " | ".join(f"{res['held'][t]['f1']:.1f}" for t in SCORED)
                    + " |"
                )
    finally:
        pipe.RULES.update(shipped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT_NER])
    parser.add_argument(
        "--context",
        type=int,
        default=20,
        metavar="N",
        help="sentences per document in the document setting (0: sentences only)",
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--no-score", action="store_true", help="only the throughput measurement")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        metavar="N",
        help="n_process for the throughput run (default: the stage's own choice)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="K",
        help="throughput over K copies of the sentences (more words than PARALLEL_MIN_WORDS)",
    )
    parser.add_argument("--brief", action="store_true", help="only the fitted / held-out F1 table")
    parser.add_argument(
        "--ablate",
        action="store_true",
        help="also score with each switchable rule (tasks/enrich/pipe.py RULES) flipped alone",
    )
    parser.add_argument(
        "--seeds",
        action="store_true",
        help="only the seed check: gold entities of seeds/*.txt found, and their display names",
    )
    args = parser.parse_args(argv)
    if args.seeds:
        print_seed_check()
        return 0
    for path in args.files:
        starts: list[int] = []
        sents = read_conll(require(path), starts)
        texts, gold = [t for t, _ in sents], [g for _, g in sents]
        print(
            f"\n{path.name}: {len(texts)} sentences, {sum(len(t.split()) for t in texts)} tokens, "
            f"{sum(len(g) for g in gold)} scored gold entities"
        )
        split = parts(texts, windows(len(texts), SPLIT_WINDOW, starts))
        if not args.no_score:
            print(
                f"split (by a hash of each {SPLIT_WINDOW}-sentence window): fit {len(split['fit'])} sentences "
                f"({sum(len(gold[i]) for i in split['fit'])} entities), held-out {len(split['held'])} sentences "
                f"({sum(len(gold[i]) for i in split['held'])} entities). Rules may be chosen on fit only; "
                "the held-out figure is the one that counts."
            )
        settings = [] if args.no_score else [("sentences", [range(i, i + 1) for i in range(len(texts))])]
        if (args.context > 0 or starts) and settings:
            label = "documents (-DOCSTART-)" if starts else f"documents ({args.context} sentences)"
            settings.append((label, windows(len(texts), args.context, starts)))
        if args.ablate and settings:
            ablate(texts, gold, split, settings)
        results = []
        for label, groups in settings:
            bare = split_scores(gold, in_documents(texts, groups, bare_spans), split)
            ours = split_scores(gold, in_documents(texts, groups, our_spans), split)
            results.append((label, bare, ours))
        if results:
            print("\nF1, fitted / **held-out**:\n")
            print("| setting | recogniser | PERSON | ORG | LOC | micro |")
            print("| --- | --- | --- | --- | --- | --- |")
            for label, bare, ours in results:
                print(side_by_side(label, "en_core_web_sm alone", bare["fit"], bare["held"]))
                print(side_by_side(label, "newsdex", ours["fit"], ours["held"]))
                print(_gain_row(label, _gain(ours["fit"], bare["fit"]), _gain(ours["held"], bare["held"])))
            for part in [] if args.brief else ["held", "all"]:
                name = {"held": "held-out part", "all": "whole file (fitted + held-out: not a held-out figure)"}[part]
                print(f"\nP / R / F1, {name}:\n")
                print(PR_HEADER)
                for label, bare, ours in results:
                    print(table(label, "en_core_web_sm alone", bare[part]))
                    print(table(label, "newsdex", ours[part]))
        if not args.no_speed:
            sp = throughput(texts * args.repeat, args.context or 20, args.processes)
            print(
                f"\nenrich stage: {sp['words']} words in {sp['docs']} documents, {sp['wall']:.2f} s wall, "
                f"{sp['cpu']:.2f} CPU-s ({sp['parent']:.2f} this process, {sp['workers']:.2f} workers): "
                f"{sp['wps']:,.0f} words/s, {sp['wpcpu']:,.0f} words per CPU-second, "
                f"{sp['busy']:.2f} of {os.cpu_count()} cores busy"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
