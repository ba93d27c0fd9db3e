"""Names the archive knows, found in pages of languages without a model (tasks/enrich/known.py ``archive_names``).

Usage (from the repo root):
    .venv/bin/python -m bench.archive_names                # the shared extraction sets
    .venv/bin/python -m bench.archive_names --sample 40    # and 40 added names to read by eye

The "archive" is every English page of the shared extraction sets scrapinghub and wcxb-dev (their truth text),
enriched as an ingest would, and its names kept as ``IndexStore.known_names`` keeps them (PERSON and LOC,
``ARCHIVE_TYPES``, in at least ``ARCHIVE_MIN_DOCUMENTS`` documents, the ``ARCHIVE_MAX_NAMES`` most
frequent), then filtered by ``archive_names``. The pages of other languages are trafilatura-eval's, through
newsdex's HTML path; each is enriched with the shipped names alone and with the archive's names too. Printed per
half (split by a hash of the site, tools/evaldata.is_tuning_site; nothing here was tuned on either) and language:
entity mentions before and after, the names added, and the share of mentions whose name holds a function word.
There is no gold for these pages' entities: ``--sample`` prints added names with their context to judge by eye.
The thresholds (two documents, four characters, a capital) were set before this was first run; the rules "two
words or more" and "people and places only" were added after reading samples of added names drawn from both
halves, so for those two the halves are not a held-out judgment.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from tools.evaldata import DEFAULT_EXTRACTION, DEFAULT_MULTILINGUAL, is_tuning_site, load_multilingual, load_pages

CONTENT = ("PERSON", "ORG", "LOC")


def _english_names(text: str) -> list[tuple[str, str]]:
    from newsdex.tasks.enrich.stage import enrich_documents
    from newsdex.tasks.language import detect_language
    from newsdex.tasks.segment import segment_document

    if detect_language(text) != "en":
        return []
    doc = segment_document(_clean_doc("archive", text))
    return sorted({(e.name, e.type) for e in enrich_documents([doc], n_process=1)[0].entities if e.type in CONTENT})


def _clean_doc(pid: str, text: str) -> Any:
    from newsdex.models import Block, CleanDoc

    title, _, body = text.strip().partition("\n")
    blocks = [Block(kind="paragraph", text=p.strip()) for p in body.split("\n") if p.strip()]
    return CleanDoc(id=pid, path=f"{pid}.txt", kind="text", raw_hash=pid, title=title.strip(), blocks=blocks)


def _foreign(row: dict[str, Any]) -> dict[str, Any] | None:
    """One trafilatura-eval page cleaned and segmented, in a language without a model; None otherwise."""
    from newsdex.models import Quarantined
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document
    from newsdex.tasks.enrich.stage import ENGLISH_MODEL, recogniser_for
    from newsdex.tasks.language import detect_language
    from newsdex.tasks.load import decode_input
    from newsdex.tasks.segment import segment_document

    raw = decode_input(f"{row['id']}.html", row["data"])
    if isinstance(raw, Quarantined):
        return None
    doc = clean_document(raw, load_rules())
    language = detect_language(" ".join(row["with"])) or doc.language
    if not doc.blocks or recogniser_for(language) == ENGLISH_MODEL:
        return None
    seg = segment_document(doc).model_copy(update={"language": language})
    return {"site": row["site"], "tune": is_tuning_site(row["site"]), "doc": seg}


def _mentions(doc: Any, names: dict[str, str] | None) -> tuple[Counter[tuple[str, str]], int]:
    from newsdex.tasks.enrich.guard import holds_function_word
    from newsdex.tasks.enrich.stage import enrich_documents

    found: Counter[tuple[str, str]] = Counter()
    bad = 0
    for e in enrich_documents([doc], n_process=1, known_names=names)[0].entities:
        if e.type in CONTENT:
            found[(e.name, e.type)] += e.count
            bad += e.count * any(holds_function_word(m, doc.language) for m in e.mentions)
    return found, bad


def main(argv: list[str] | None = None) -> int:
    from newsdex.tasks.enrich import known

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=0, help="added names to print with their context")
    args = parser.parse_args(argv)

    rows = load_multilingual(DEFAULT_MULTILINGUAL)
    texts = [
        p["truth"] for name in ("scrapinghub", "wcxb-dev") for p in load_pages(DEFAULT_EXTRACTION / name, None, "all")
    ]
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        per_doc = list(pool.map(_english_names, texts, chunksize=8))
        foreign = [f for f in pool.map(_foreign, rows, chunksize=4) if f is not None]
    english = [names for names in per_doc if names]
    documents: Counter[tuple[str, str]] = Counter(n for names in english for n in names)
    kept = [n for n, c in documents.most_common() if c >= known.ARCHIVE_MIN_DOCUMENTS][: known.ARCHIVE_MAX_NAMES]
    names = known.archive_names(kept)
    print(f"archive: {len(english)} English pages, {len(kept)} names in 2+ of them, {len(names)} kept to match")

    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    added_examples: list[tuple[str, str, str, str]] = []
    for f in foreign:
        doc = f["doc"]
        before, bad_before = _mentions(doc, None)
        after, bad_after = _mentions(doc, names)
        half = "tune" if f["tune"] else "held out"
        for key in ((half, doc.language), (half, "all")):
            row = table[key]
            row[0] += 1
            row[1] += sum(before.values())
            row[2] += sum(after.values())
            row[3] += bad_after
            row[4] += len(set(after) - set(before))
        text = f"{doc.title or ''}\n{doc.body}"
        for name, type_ in sorted(set(after) - set(before)):
            at = text.find(name)
            added_examples.append((doc.language or "?", type_, name, text[max(0, at - 50) : at + len(name) + 50]))
    print(
        f"  {'half':<9} {'language':<9} {'pages':>5} {'mentions':>9} {'with names':>11} {'names added':>12} {'fw':>6}"
    )
    for (half, lang), (pages, before, after, bad, added) in sorted(table.items(), key=lambda kv: (kv[0][0], -kv[1][0])):
        fw = f"{bad / after:.3f}" if after else "-"
        print(f"  {half:<9} {lang:<9} {pages:>5} {before:>9} {after:>11} {added:>12} {fw:>6}")
    if args.sample:
        print(f"\n{min(args.sample, len(added_examples))} of {len(added_examples)} added names, at random:")
        for lang, type_, name, context in random.Random(7).sample(
            added_examples, min(args.sample, len(added_examples))
        ):
            print(f"  [{lang}] {type_:<6} {name!r}: …{' '.join(context.split())}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
