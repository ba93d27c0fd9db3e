"""Phrase-search recall per language: three consecutive words an article holds, searched as a phrase: is the
article found? Before (every text through the English analyzer, as newsdex indexed until analysis per language)
and after (index/analysis.py), side by side, on both halves of a split by site.

Usage (from the repo root):
    nice .venv/bin/python -m bench.phrase_recall                       # trafilatura-eval, both halves
    nice .venv/bin/python -m bench.phrase_recall DIR --phrases 5 --limit 200
    nice .venv/bin/python -m bench.phrase_recall --throughput 300      # English indexing, before vs after

Pages: ``extraction/trafilatura-eval`` of the shared data (real pages in many languages), cleaned and segmented
by newsdex itself (no entities: they play no part in search recall); the article is the body newsdex indexed,
its language py3langid's. The split is by a hash of the site (the page id's domain): half "dev" is the one
looked at while building the analyzers; half "held-out" was never looked at. Both are printed.

A phrase: three consecutive words of one paragraph, at ``--phrases`` places per page chosen by a seeded random
draw. Words are what a reader takes as words: spans between spaces for spaced scripts (stripped of punctuation
at their ends, each holding a letter); for Chinese and Japanese, which write no spaces, three consecutive
words as the language's segmenter cuts the sentence (jieba, Sudachi), searched as the text writes them
(no spaces). Searched as ``"w1 w2 w3"``, the article is found when it is among every match
(``reader.matching_ids``).

``--throughput N``: N English documents (the seeds and the English test articles, repeated with new ids)
written into a fresh index with the schema before (base fields only) and after, alternating, best of five.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tools.evaldata import DEFAULT_EXTRACTION, require

DEFAULT = DEFAULT_EXTRACTION / "trafilatura-eval"
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_EDGE = re.compile(r"^\W+|\W+$")
SEGMENTED_SCRIPTS = ("zh", "ja")
ROUNDS = 5  # --throughput: before and after alternate, best of this many each


_GTLD = {"com", "org", "net", "info", "edu", "gov", "eu", "io", "co", "media", "news", "online"}


def site(page_id: str) -> str:
    """The site of a page id ("gofeminin.de.abnehmen", "eldeber.com.bo-autos", "blog.python.org"): its labels up
    to the top-level domain (a common one, or two letters), and a country code after it."""
    labels = re.split(r"[.\-]", page_id)
    for i, label in enumerate(labels[1:], 1):
        if label in _GTLD or len(label) == 2:
            end = i + 1 if i + 1 < len(labels) and len(labels[i + 1]) == 2 else i
            return ".".join(labels[: end + 1])
    return labels[0]


def half(page_id: str) -> str:
    return "dev" if int(hashlib.sha1(site(page_id).encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def script(text: str) -> str:
    """ "Latin" when most letters of the text's start are Latin, else "other"."""
    letters = [ch for ch in text[:3000] if ch.isalpha()]
    latin = sum(1 for ch in letters if LATIN.match(ch))
    return "Latin" if letters and latin / len(letters) > 0.5 else "other"


def load(folder: Path, limit: int | None) -> list[dict]:
    pages = []
    for line in (require(folder) / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        path = folder / "html" / f"{meta['id']}.html.gz"
        if path.exists():
            pages.append({"id": meta["id"], "raw": gzip.decompress(path.read_bytes()), "with": meta.get("with") or []})
        if limit and len(pages) >= limit:
            break
    return pages


def documents(pages: list[dict], work: Path) -> list:
    """The pages through newsdex's own loading, cleaning and segmenting; EnrichedDocs without entities."""
    from newsdex.models import EnrichedDoc
    from newsdex.tasks import load as loading
    from newsdex.tasks import segment
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_budgeted

    folder = work / "pages"
    folder.mkdir()
    for p in pages:
        (folder / f"{p['id']}.html").write_bytes(p["raw"])
    raws = [r for r in map(loading.load_path, loading.iter_input_files([str(folder)])) if not hasattr(r, "reason")]
    cleaned = clean_budgeted(raws, load_rules()).docs
    docs = []
    for seg in segment.segment_batch(cleaned):
        docs.append(EnrichedDoc(**seg.model_dump(), entities=[]))
    return docs


def phrases(texts: list[str], lang: str, n: int, rng: random.Random) -> list[str]:
    """Up to ``n`` phrases of three consecutive words of one of ``texts`` (paragraphs) in ``lang``."""
    from newsdex.index import analysis

    candidates: list[str] = []
    for para in texts:
        if lang in SEGMENTED_SCRIPTS:
            tokens = [(t.startchar, t.endchar) for t in analysis.analyzer(lang)(para, chars=True, mode="query")]
            for k in range(len(tokens) - 2):
                text = para[tokens[k][0] : tokens[k + 2][1]]
                if analysis.CJK_TEXT.search(text) and not re.search(r"[\s\W]", text.replace("·", "")):
                    candidates.append(text)
            continue
        words = [_EDGE.sub("", w) for w in para.split()]
        for k in range(len(words) - 2):
            three = words[k : k + 3]
            if all(w and any(ch.isalpha() for ch in w) and '"' not in w for w in three):
                candidates.append(" ".join(three))
    rng.shuffle(candidates)
    return candidates[:n]


def build(docs: list, root: Path, english_only: bool) -> None:
    from newsdex.index import analysis
    from newsdex.index.store import IndexStore

    original = analysis.family
    if english_only:  # "before": every document's text in the base fields, through the English analyzer
        analysis.family = lambda language: analysis.BASE  # type: ignore[assignment]
    try:
        store = IndexStore(root)
        with store.writing():
            store.write(docs)
    finally:
        analysis.family = original  # type: ignore[assignment]


def recall(docs: list, truths: dict[str, list[str]], n: int, seed: int, root_before: Path, root_after: Path) -> dict:
    from newsdex.reading.archive import Archive
    from newsdex.reading.request import Selection

    archives = [Archive(root_before), Archive(root_after)]  # one each: a warm searcher for every phrase

    # (source, half, script, language) -> [phrases, found before, found after]
    found: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    rng = random.Random(seed)
    for doc in docs:
        if not doc.language or not doc.body.strip():
            continue
        group = script(doc.body)
        sources = {"body": doc.body.split("\n\n"), "truth": truths.get(Path(doc.path).name.removesuffix(".html"), [])}
        for source, texts in sources.items():
            for phrase in phrases(texts, doc.language, n, rng):
                query = f'"{phrase}"'
                hits = []
                for archive in archives:
                    try:
                        hits.append(doc.id in archive.matching_ids(Selection(query=query)))
                    except ValueError:
                        hits.append(False)
                page = Path(doc.path).name.removesuffix(".html")
                for key in ((source, half(page), group, doc.language), (source, half(page), group, "*")):
                    found[key][0] += 1
                    found[key][1] += hits[0]
                    found[key][2] += hits[1]
    for archive in archives:
        archive.close()
    return found


def report(found: dict) -> None:
    print(f"  {'from':<6} {'half':<9} {'script':<6} {'lang':<5} {'phrases':>7} {'before':>7} {'after':>7}")
    for key in sorted(found, key=lambda k: (k[0], k[1], k[2], k[3] != "*", k[3])):
        total, before, after = found[key]
        print(
            f"  {key[0]:<6} {key[1]:<9} {key[2]:<6} {key[3]:<5} {total:>7} {before / total:7.3f} {after / total:7.3f}"
        )


def throughput(n: int) -> None:
    """English indexing, documents per second, the schema before (base fields only) and after, alternating."""
    from newsdex.index import schema, writer
    from tests.conftest import SEEDS, enriched_folder

    with tempfile.TemporaryDirectory() as tmp:
        base = enriched_folder(SEEDS) + enriched_folder(Path("tests/data/articles/clean"))
        base = [d for d in base if d.language in (None, "en")]
        docs = [d.model_copy(update={"id": f"{i:016x}"}) for i in range(n) for d in [base[i % len(base)]]]

        def old_schema():
            fields = {
                k: f
                for k, f in schema.build_schema().items()
                if not k.startswith("spell_")
                and (k.rpartition("_")[0] not in ("title", "headings", "body", "captions"))
            }
            return schema.Schema(**fields)

        best = {"before": float("inf"), "after": float("inf")}
        for rnd in range(ROUNDS):
            for label in ("before", "after"):
                saved = writer.build_schema
                if label == "before":
                    writer.build_schema = old_schema  # type: ignore[assignment]
                try:
                    paths = writer.IndexPaths(Path(tmp) / f"{label}{rnd}")
                    t0 = time.perf_counter()
                    rb = writer.Rebuild(paths)
                    rb.add(docs)
                    rb.commit()
                    best[label] = min(best[label], time.perf_counter() - t0)
                finally:
                    writer.build_schema = saved  # type: ignore[assignment]
        rate = {k: n / v for k, v in best.items()}
        print(
            f"English indexing, {n} documents, best of {ROUNDS}: before {rate['before']:.0f} docs/s, "
            f"after {rate['after']:.0f} docs/s, ratio {rate['after'] / rate['before']:.3f}"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--phrases", type=int, default=5, help="phrases per page")
    ap.add_argument("--limit", type=int, default=None, help="pages read at most")
    ap.add_argument("--seed", type=int, default=25)
    ap.add_argument("--throughput", type=int, default=0, help="also time English indexing of N documents")
    args = ap.parse_args(argv)
    if args.throughput:
        throughput(args.throughput)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        pages = load(args.folder, args.limit)
        truths = {p["id"]: p["with"] for p in pages}
        docs = documents(pages, work)
        print(f"{len(docs)} pages cleaned and segmented in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        build(docs, work / "before", english_only=True)
        build(docs, work / "after", english_only=False)
        found = recall(docs, truths, args.phrases, args.seed, work / "before", work / "after")
    report(found)


if __name__ == "__main__":
    main()
