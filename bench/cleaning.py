"""Benchmark the cleaner against pages with known main text, next to trafilatura, readability-lxml and nothing.

Usage (from the repo root):
    .venv/bin/python -m bench.cleaning                       # every data set under ../shared/data/extraction
    .venv/bin/python -m bench.cleaning DIR [DIR…] --limit 50 --jobs 2 --only text,trafilatura
    .venv/bin/python -m bench.cleaning --split heldout       # WCXB pages the line model was not trained on
    .venv/bin/python -m bench.cleaning --set html_choice=rescue --only html   # a threshold overridden
    .venv/bin/python -m bench.cleaning --protocol loso --only text --split heldout \
        --grid "model_threshold=0.7,0.6,0.8;region_score=0.5,0.4"          # tuned leave-one-set-out
    .venv/bin/python -m bench.cleaning --protocol loso --only html --jobs 2   # the HTML choice rule, LOSO

A data set folder holds html/<id>.html.gz, truth/<id>.txt and scraped/<id>.txt (naive BeautifulSoup text).
Metric (as in the data README): tokens = re.findall(r"\\w+", text.lower()); per page precision, recall and F1 over
token multisets (an empty output scores 0); means over pages. Speed is pages per second of one core: the sum
of per-page CPU times (time.process_time: a busy machine does not count against it), input already read,
so --jobs does not inflate it.

Protocol (``--protocol loso``, bench/cleaning_protocol.py): every point of ``--grid`` (fields of the rules
file's [thresholds], first value of each the shipped one) is run on every set; for each set the point that
scores best on the *other* set is reported ("held-out F1", the figure that counts) beside the best on the set
itself ("fitted F1"). Tuning a threshold and quoting the tuned score on the same pages is what this prevents.
The line model itself trains on a hash split of wcxb-dev only: pass ``--split heldout`` for text-path figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.cleaning_protocol import label, loso, parse_grid, parse_value, print_table, score
from tools.evaldata import DEFAULT_EXTRACTION, load_pages, require

EXTRACTORS = ("nothing", "text", "html", "trafilatura", "readability")


def _ours(kind: str, overrides: dict[str, Any] | None = None) -> Callable[[str, str | None], str]:
    from newsdex.models import RawDoc
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document

    rules = load_rules()
    if overrides:
        th = rules.thresholds.model_validate({**rules.thresholds.model_dump(), **overrides})
        rules = rules.model_copy(update={"thresholds": th})

    def run(text: str, url: str | None) -> str:
        raw = RawDoc(id="x", path="x", kind=kind, text=text, raw_hash="", url=url)
        return clean_document(raw, rules).body

    return run


def _trafilatura() -> Callable[[str, str | None], str]:
    import trafilatura

    def run(html: str, url: str | None) -> str:
        return trafilatura.extract(html, url=url) or ""

    return run


def _readability() -> Callable[[str, str | None], str]:
    import lxml.html
    from readability import Document

    def run(html: str, url: str | None) -> str:
        summary = Document(html, url=url).summary(html_partial=True)
        if not summary.strip():
            return ""
        return lxml.html.fromstring(summary).text_content()

    return run


def make(name: str, overrides: dict[str, Any] | None = None) -> Callable[[str, str | None], str]:
    if name == "nothing":
        return lambda text, url: text
    if name == "text":
        return _ours("text", overrides)
    if name == "html":
        return _ours("html", overrides)
    if name == "trafilatura":
        return _trafilatura()
    if name == "readability":
        return _readability()
    raise SystemExit(f"unknown extractor {name!r}; choose from {', '.join(EXTRACTORS)}")


def _run_chunk(
    name: str, pages: list[dict[str, str]], overrides: dict[str, Any] | None = None
) -> list[tuple[float, float, float, float]]:
    fn = make(name, overrides)
    field = "scraped" if name in ("nothing", "text") else "html"
    # Warm-up in every process (with --jobs too): imports, models and compiled rules are paid once per
    # process, not per page, and would otherwise land on the first timed page of each chunk.
    for page in pages[:3]:
        try:
            fn(page[field], page["url"])
        except Exception:  # the timed run reports failures
            continue
    out = []
    for page in pages:
        t0 = time.process_time()
        try:
            pred = fn(page[field], page["url"])
        except Exception as exc:  # one failing page scores 0, the run goes on
            print(f"  {name} failed on {page['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            pred = ""
        dt = time.process_time() - t0
        out.append((*score(pred, page["truth"]), dt))
    return out


def evaluate(
    name: str, pages: list[dict[str, str]], jobs: int, overrides: dict[str, Any] | None = None
) -> dict[str, float]:
    if jobs > 1:
        chunks = [pages[i::jobs] for i in range(jobs)]
        with ProcessPoolExecutor(jobs) as pool:
            rows = [r for part in pool.map(_run_chunk, [name] * jobs, chunks, [overrides] * jobs) for r in part]
    else:
        rows = _run_chunk(name, pages, overrides)
    n = len(rows)
    seconds = sum(r[3] for r in rows)
    return {
        "precision": sum(r[0] for r in rows) / n,
        "recall": sum(r[1] for r in rows) / n,
        "f1": sum(r[2] for r in rows) / n,
        "pages_per_s": n / seconds if seconds else float("inf"),
        "pages": n,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", help="data set folders (default: every folder in ../shared/data/extraction)")
    ap.add_argument("--limit", type=int, default=None, help="pages per data set")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (speed stays per core)")
    ap.add_argument("--only", default=",".join(EXTRACTORS), help="comma-separated extractors to run")
    ap.add_argument(
        "--split",
        choices=("all", "heldout", "train"),
        default="all",
        help="pages of the line model's training split to use (see tools/train_line_model.py)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a [thresholds] field for our extractors (repeatable)",
    )
    ap.add_argument(
        "--protocol",
        choices=("plain", "loso"),
        default="plain",
        help="loso: run every --grid point, report each set's figure from the point chosen on the other",
    )
    ap.add_argument("--grid", default="", help='"field=v1,v2;field2=v1,v2" (first values: the shipped ones)')
    args = ap.parse_args(argv)
    overrides: dict[str, Any] = {}
    for item in args.set:
        k, _, v = item.partition("=")
        overrides[k.strip()] = parse_value(v)
    dirs = [Path(d) for d in args.dirs] or sorted(
        p for p in require(DEFAULT_EXTRACTION).iterdir() if (p / "truth").is_dir()
    )
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    if args.protocol == "loso":
        return run_loso(dirs, names, args, overrides)
    print(f"split={args.split}  extractors={','.join(names)}  overrides={overrides or '-'}")
    for folder in dirs:
        pages = load_pages(folder, args.limit, args.split)
        if not pages:
            print(f"{folder.name}: no pages")
            continue
        print(f"\n{folder.name} ({len(pages)} pages)")
        print(f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>9}")
        results = {}
        for name in names:
            r = evaluate(name, pages, args.jobs, overrides)
            results[name] = r
            row = f"{r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:7.3f} {r['pages_per_s']:9.1f}"
            print(f"{name:<12} {row}", flush=True)
        if "html" in results and "trafilatura" in results:
            ratio = results["html"]["pages_per_s"] / results["trafilatura"]["pages_per_s"]
            print(f"speed ratio html/trafilatura: {ratio:.2f} (our HTML path is {100 * (1 - ratio):.0f}% slower)")
        if "html" in results and {"trafilatura", "readability"} & results.keys():
            best = max(results[k]["f1"] for k in ("trafilatura", "readability") if k in results)
            print(f"F1 html - best(trafilatura, readability): {results['html']['f1'] - best:+.3f}")
    return 0


def run_loso(dirs: list[Path], names: list[str], args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    """Every grid point on every set (our extractors only: the others have nothing to tune), then per set the
    fitted figure (best point on the set) and the held-out one (best point on the other set, reported here)."""
    if not args.grid and "html" in names:
        # the HTML path's tunables are its choice rule's: replayed on both extractors' answers, one extraction
        from bench import cleaning_choice

        cleaning_choice.main(
            [str(d) for d in dirs] + ["--jobs", str(args.jobs)] + (["--limit", str(args.limit)] if args.limit else [])
        )
        names = [n for n in names if n != "html"]
    grid = parse_grid(args.grid) or [()]
    pages = {f.name: load_pages(f, args.limit, args.split) for f in dirs}
    print(
        f"protocol=loso split={args.split} sets={','.join(pages)} grid points={len(grid)} overrides={overrides or '-'}"
    )
    for name in names:
        if name not in ("text", "html"):
            continue
        scores: dict[str, dict[Any, float]] = {s: {} for s in pages}
        print(f"\n{name}: {'point':<60}" + "".join(f"{s:>14}" for s in pages))
        for point in grid:
            for s, ps in pages.items():
                scores[s][point] = evaluate(name, ps, args.jobs, {**overrides, **dict(point)})["f1"]
            print(f"{name}: {label(point):<60}" + "".join(f"{scores[s][point]:14.3f}" for s in pages), flush=True)
        print_table(
            f"{name}: leave-one-set-out (untuned = first point: "
            + "  ".join(f"{s} {scores[s][grid[0]]:.3f}" for s in pages)
            + ")",
            loso(scores),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
