"""The cleaner's F1 on non-English pages next to English ones, before and after language-aware stopwords.

Usage (from the repo root):
    .venv/bin/python -m bench.languages                  # both shared extraction sets, text and HTML paths
    .venv/bin/python -m bench.languages DIR --limit 50 --jobs 2

A page's language is py3langid's reading of its truth text (newsdex.tasks.language). "before" counts English
stopwords on every page (``stoplists.LANGUAGE_AWARE = False``), "after" the page language's list. STOP_SCALE was
chosen on wcxb-dev (all English); the non-English pages are scrapinghub's, never used to choose anything.
Metric and data as bench/cleaning.py.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.cleaning import _ours, score
from tools.evaldata import DEFAULT_EXTRACTION, load_pages, require

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
    declared = [(m.group(1).lower(), lang) for p, lang in zip(pages, langs, strict=True)
                if (m := _DECLARED.search(p["html"][:5000])) and lang != "?"]
    agree = sum(d == lang for d, lang in declared)
    print(f"  detector: {len(pages) / seconds:.0f} texts/s; agrees with <html lang> on {agree}/{len(declared)} "
          f"pages that declare one; disagreements (declared, detected): "
          f"{sorted(Counter((d, lang) for d, lang in declared if d != lang).items())}")
    return langs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", help="data set folders (default: every folder in ../shared/data/extraction)")
    ap.add_argument("--limit", type=int, default=None, help="pages per data set")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = ap.parse_args(argv)
    dirs = [Path(d) for d in args.dirs] or sorted(
        p for p in require(DEFAULT_EXTRACTION).iterdir() if (p / "truth").is_dir())
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
