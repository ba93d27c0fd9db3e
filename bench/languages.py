"""Cleaning and entities per language: newsdex beside trafilatura alone on real pages in many languages.

Usage (from the repo root):
    .venv/bin/python -m bench.languages                          # trafilatura-eval, both halves, per language
    .venv/bin/python -m bench.languages --eval DIR --jobs 2      # the trafilatura-eval folder elsewhere
    .venv/bin/python -m bench.languages --stopwords [DIR…]      # issue 15's table: English vs own stopwords
    .venv/bin/python -m bench.languages --throughput --limit 1000 --rounds 3   # English enrichment before/after

trafilatura-eval (471 real pages, ~70% German; ``with``/``without`` strings per page) is split by a hash of the
site (tools/evaldata.is_tuning_site): every rule and threshold of the multilingual work was chosen on the **tune**
half; the **held-out** half is printed beside it and is the figure that counts. Per page, the HTML path's kept
text (title and body) and trafilatura alone (``bare_extraction``, fast=False, tables on, comments off: its title
and text) are scored as that project scores: a string counts when it occurs in the whitespace-normalised output
(both in Unicode NFC, without invisible characters); precision = with-found / (with-found + without-found), recall
= with-found / with-total, F1 of those pooled over the pages of a group. A page's language is py3langid's reading
of its ``with`` strings. "non-Latin kept": ``with`` strings written mostly in another script that the output
holds. "fw names": the share of entity mentions (the enrich stage on newsdex's cleaned page) whose name holds a
function word of the page's language (tasks/enrich/guard.holds_function_word: spaCy's stop list for the language),
with the recogniser each page got.

``--stopwords`` is issue 15's measure on the shared extraction sets (scrapinghub, wcxb-dev): token F1 of the
text and HTML paths with English stopwords on every page ("before", ``stoplists.LANGUAGE_AWARE = False``) and
with the page language's ("after"); a page's language is py3langid's reading of its truth text. STOP_SCALE was
chosen on wcxb-dev (all English); the non-English pages are scrapinghub's. Metric as bench/cleaning.py.
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.cleaning import _ours, score
from tools.evaldata import (
    DEFAULT_EXTRACTION,
    DEFAULT_MULTILINGUAL,
    DEFAULT_NER,
    is_tuning_site,
    load_multilingual,
    load_pages,
    require,
)

PATHS = (("text", "scraped"), ("html", "html"))


def _run(aware: bool, kind: str, pages: list[dict[str, str]]) -> list[float]:
    from newsdex.tasks.clean import stoplists

    stoplists.LANGUAGE_AWARE = aware
    fn = _ours(kind)
    field = dict(PATHS)[kind]
    return [score(fn(p[field], p["url"]), p["truth"])[2] for p in pages]


def _table(langs: list[str], f1: dict[tuple[bool, str], list[float]]) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        groups[lang].append(i)
        if lang not in ("en", "?"):  # "?": an empty truth text, no language to tell
            groups["non-en"].append(i)
    print(f"  {'path':<5} {'language':<8} {'pages':>5} {'before':>7} {'after':>7} {'change':>7}")
    for kind, _ in PATHS:
        for lang in sorted(groups, key=lambda g: (g != "en", g == "non-en", g)):
            idx = groups[lang]
            before = sum(f1[(False, kind)][i] for i in idx) / len(idx)
            after = sum(f1[(True, kind)][i] for i in idx) / len(idx)
            print(f"  {kind:<5} {lang:<8} {len(idx):>5} {before:7.3f} {after:7.3f} {after - before:+7.3f}")
        if "non-en" in groups and "en" in groups:
            for aware in (False, True):
                mean = {g: sum(f1[(aware, kind)][i] for i in groups[g]) / len(groups[g]) for g in ("en", "non-en")}
                label = "after" if aware else "before"
                print(f"  {kind:<5} ratio non-en/en F1 {label}: {mean['non-en'] / mean['en']:.3f}")


_DECLARED = re.compile(r"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})", re.I)


def detector(pages: list[dict[str, str]]) -> list[str]:
    """Each truth text's language, with the detector's agreement with the language the page declares
    (``<html lang>``, where it does) and its speed."""
    from newsdex.tasks.language import detect_language

    detect_language("warm up: the model loads once")
    started = time.perf_counter()
    langs = [detect_language(p["truth"]) or "?" for p in pages]
    seconds = time.perf_counter() - started
    declared = [
        (m.group(1).lower(), lang)
        for p, lang in zip(pages, langs, strict=True)
        if (m := _DECLARED.search(p["html"][:5000])) and lang != "?"
    ]
    agree = sum(d == lang for d, lang in declared)
    print(
        f"  detector: {len(pages) / seconds:.0f} texts/s; agrees with <html lang> on {agree}/{len(declared)} "
        f"pages that declare one; disagreements (declared, detected): "
        f"{sorted(Counter((d, lang) for d, lang in declared if d != lang).items())}"
    )
    return langs


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c < "\u0250" for c in letters) / len(letters) if letters else 1.0


def _norm(text: str) -> str:
    """Whitespace folded, NFC, no invisible characters (the same for both extractors): a page may write "য়" as
    one code point where its ``with`` string has two, and one ``with`` string ends in an invisible separator
    (U+2063) that newsdex removes at decoding by design (tasks/decode.strip_invisible)."""
    return unicodedata.normalize("NFC", " ".join(_INVISIBLE.sub("", text).split()))


_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060-\u2064\ufeff]")


def _found(output: str, strings: list[str]) -> list[bool]:
    norm = _norm(output)
    return [_norm(x) in norm for x in strings]


def _page(row: dict[str, Any]) -> dict[str, Any]:
    """One trafilatura-eval page through newsdex's HTML path, enrichment, and trafilatura alone."""
    import trafilatura

    from newsdex.models import Quarantined
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document
    from newsdex.tasks.language import detect_language
    from newsdex.tasks.load import decode_input

    raw = decode_input(f"{row['id']}.html", row["data"])
    out: dict[str, Any] = {"id": row["id"], "site": row["site"], "tune": is_tuning_site(row["site"])}
    ours = theirs = ""
    doc = None
    if not isinstance(raw, Quarantined):
        doc = clean_document(raw, load_rules())
        ours = f"{doc.title or ''}\n{doc.body}"
        found = trafilatura.bare_extraction(
            raw.text, url=None, fast=False, include_tables=True, include_comments=False, with_metadata=True
        )
        if found is not None:
            theirs = f"{found.title or ''}\n{found.text or ''}"
    out["language"] = detect_language(" ".join(row["with"])) or detect_language(theirs) or "?"
    for name, text in (("ours", ours), ("trafilatura", theirs)):
        out[name] = (_found(text, row["with"]), _found(text, row["without"]))
    out["non_latin"] = [_latin_share(x) < 0.5 for x in row["with"]]
    out["fw"] = _function_word_mentions(doc, out["language"]) if doc is not None and doc.blocks else (0, 0, "")
    return out


def _function_word_mentions(doc: Any, language: str) -> tuple[int, int, str]:
    """(mentions, mentions whose name holds a function word of ``language``, the recogniser used)."""
    from newsdex.tasks.enrich import stage
    from newsdex.tasks.enrich.guard import holds_function_word
    from newsdex.tasks.segment import segment_document

    seg = segment_document(doc)
    seg = seg.model_copy(update={"language": None if language == "?" else language})
    total = bad = 0
    for e in stage.enrich_documents([seg], n_process=1)[0].entities:
        if e.type in ("DATE", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "TIME"):
            continue
        total += e.count
        if any(holds_function_word(m, seg.language) for m in e.mentions):
            bad += e.count
    # a release before recognisers per language ran the English model on every page
    recogniser = getattr(stage, "recogniser_for", lambda _: "en_core_web_sm")(seg.language)
    return total, bad, recogniser


def _prf(pages: list[dict[str, Any]], who: str) -> tuple[float, float, float]:
    tp = sum(sum(p[who][0]) for p in pages)
    fp = sum(sum(p[who][1]) for p in pages)
    total = sum(len(p[who][0]) for p in pages)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / total if total else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def _non_latin(pages: list[dict[str, Any]], who: str) -> tuple[int, int]:
    pairs = [(f, nl) for p in pages for f, nl in zip(p[who][0], p["non_latin"], strict=True) if nl]
    return sum(f for f, _ in pairs), len(pairs)


def _groups(pages: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in pages:
        groups[p["language"]].append(p)
        groups["all"].append(p)
        if p["language"] not in ("en", "de"):
            groups["neither en nor de"].append(p)
        if any(p["non_latin"]):
            groups["non-Latin script"].append(p)
    return groups


def multilingual(folder: Path, jobs: int) -> list[dict[str, Any]]:
    rows = load_multilingual(folder)
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        pages = list(pool.map(_page, rows, chunksize=4))
    halves = {"tune": [p for p in pages if p["tune"]], "held out": [p for p in pages if not p["tune"]]}
    print(
        f"\n{folder.name}: {len(pages)} pages, split by a hash of the site: "
        f"{len(halves['tune'])} tune, {len(halves['held out'])} held out"
    )
    print(
        f"  {'half':<9} {'language':<18} {'pages':>5} {'F1 ours':>8} {'F1 traf.':>8} {'P ours':>7} {'P traf.':>7}"
        f" {'R ours':>7} {'R traf.':>7} {'non-Latin kept':>15} {'traf.':>7} {'fw names':>9} recogniser"
    )
    for half, group in halves.items():
        groups = _groups(group)
        order = sorted(
            groups, key=lambda g: (g not in ("all", "neither en nor de", "non-Latin script"), -len(groups[g]), g)
        )
        for lang in order:
            ps = groups[lang]
            po, ro, fo = _prf(ps, "ours")
            pt, rt, ft = _prf(ps, "trafilatura")
            k, n = _non_latin(ps, "ours")
            kt, _ = _non_latin(ps, "trafilatura")
            mentions = sum(p["fw"][0] for p in ps)
            bad = sum(p["fw"][1] for p in ps)
            recs = Counter(p["fw"][2] for p in ps if p["fw"][2])
            nl = f"{k}/{n}" if n else "-"
            nlt = f"{kt}/{n}" if n else "-"
            fw = f"{bad / mentions:.3f}" if mentions else "-"
            rec = ", ".join(f"{r} {c}" for r, c in recs.most_common())
            print(
                f"  {half:<9} {lang:<18} {len(ps):>5} {fo:8.3f} {ft:8.3f} {po:7.3f} {pt:7.3f} {ro:7.3f} {rt:7.3f}"
                f" {nl:>15} {nlt:>7} {fw:>9} {rec}"
            )
    return pages


def english_throughput(conll: Path, rounds: int, limit: int) -> None:
    """English enrichment before (the English model on every text, no guard: ``stage.LANGUAGE_AWARE = False``)
    and after, alternating in one process over the same English documents (WikiGold sentences, 20 a document)."""
    from bench.entities import throughput
    from newsdex.tasks.enrich import stage
    from tools.conll import read_conll

    texts = [text for text, _ in read_conll(conll)][:limit]
    throughput(texts[:200], n_process=1)  # warm: model and name tables loaded before any clock starts
    runs: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for aware in (False, True):
            stage.LANGUAGE_AWARE = aware
            runs[aware].append(throughput(texts, n_process=1)["wpcpu"])
    before, after = max(runs[False]), max(runs[True])
    print(
        f"\nEnglish enrichment, {len(texts)} WikiGold sentences, best of {rounds} alternating rounds, words per "
        f"CPU-second: before {before:,.0f}, after {after:,.0f}, ratio {after / before:.3f} "
        f"(every round: before {[round(x) for x in runs[False]]}, after {[round(x) for x in runs[True]]})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "dirs",
        nargs="*",
        help="--stopwords: data set folders (default: every folder in ../shared/data/extraction with truth texts)",
    )
    ap.add_argument("--eval", type=Path, default=DEFAULT_MULTILINGUAL, help="the trafilatura-eval folder")
    ap.add_argument("--stopwords", action="store_true", help="issue 15's English-vs-own-stopwords table instead")
    ap.add_argument(
        "--throughput",
        action="store_true",
        help="English enrichment throughput before/after the per-language recognisers, one process",
    )
    ap.add_argument("--conll", type=Path, default=DEFAULT_NER, help="--throughput: English sentences (CoNLL)")
    ap.add_argument("--rounds", type=int, default=3, help="--throughput: alternating rounds")
    ap.add_argument("--limit", type=int, default=None, help="--stopwords: pages per data set")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = ap.parse_args(argv)
    if args.throughput:
        english_throughput(require(args.conll), args.rounds, args.limit or 1000)
        return 0
    if not args.stopwords:
        multilingual(require(args.eval), args.jobs)
        return 0
    return stopwords_table(args)


def stopwords_table(args: argparse.Namespace) -> int:
    dirs = [Path(d) for d in args.dirs] or sorted(
        p for p in require(DEFAULT_EXTRACTION).iterdir() if (p / "truth").is_dir()
    )
    for folder in dirs:
        pages = load_pages(folder, args.limit, "all")
        print(f"\n{folder.name}")
        langs = detector(pages)
        runs = [(aware, kind) for aware in (False, True) for kind, _ in PATHS]
        with ProcessPoolExecutor(max(1, args.jobs)) as pool:
            results = pool.map(_run, *zip(*[(a, k, pages) for a, k in runs], strict=True))
            f1 = dict(zip(runs, results, strict=True))
        others = sum(lang not in ("en", "?") for lang in langs)
        print(f"  cleaning F1: {len(pages)} pages, {others} not English, {langs.count('?')} without truth text")
        _table(langs, f1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
