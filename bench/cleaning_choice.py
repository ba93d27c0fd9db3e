"""The HTML path's choice between trafilatura and readability-lxml, judged leave-one-set-out.

Usage (from the repo root):
    .venv/bin/python -m bench.cleaning_choice [DIR…] [--limit N] [--jobs 2] [--cache FILE]

Both extractors run once on every page (``tasks.clean.html.extract_candidates``); each answer goes through
the rest of the HTML path (``finish``) and is scored; the evidence ``tasks.clean.choice`` reads is kept per
page. Choice rules are then replayed on those rows without re-extracting: "trafilatura" (always), "readability"
(always), "rescue" (the former fixed-share rule, at its shipped values), "evidence" (``choice.choose``) over a
grid of its parameters, and the oracle (the better answer per page: the ceiling of any choice). Every tuned
rule is reported leave-one-set-out (bench/cleaning_protocol.py): chosen on one set, reported on the other.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.cleaning_protocol import label, loso, print_table, score
from tools.evaldata import DEFAULT_EXTRACTION, load_pages, require

GAINS = (1.5, 1.2, 1.3, 1.7, 2.0, 2.5)
# Rule variants, each a grid (first values: the untuned starting point; ties go to earlier values). The
# shipped rule is "gain"; the others add evidence that was tried and did not hold out (docs/cleaning.md).
VARIANTS: dict[str, dict[str, tuple[float, ...]]] = {
    "gain": {"choice_min_gain": GAINS, "choice_max_link_density": (0.5, 1.0, 0.3)},
    "gain+agreement": {"choice_min_gain": GAINS, "choice_min_agreement": (0.9, 0.8, 0.95)},
    "gain+extra-density": {"choice_min_gain": (1.05, 1.1, *GAINS), "choice_min_extra_dense": (0.3, 0.5, 0.7)},
    "gain+extra-model": {"choice_min_gain": (1.05, 1.1, *GAINS), "choice_min_extra_model": (0.3, 0.5, 0.7, 0.9)},
    "gain+trim": {"choice_min_gain": GAINS, "choice_max_trim": (0.3, 0.5, 0.7, 0.8, 0.9)},
}
FIXED = {
    "choice_min_agreement": 0.0,
    "choice_max_trim": 0.0,
    "choice_min_extra_dense": 0.0,
    "choice_min_extra_model": 0.0,
    "choice_max_link_density": 0.5,
}


# The choice's evidence (tasks/clean/choice.py ``Evidence``), kept in each page's row to replay rules from.
EVIDENCE = (
    "t_words",
    "r_words",
    "page_words",
    "t_in_r",
    "r_in_t",
    "r_links",
    "r_extra_words",
    "r_extra_dense",
    "r_extra_model",
)


def _rows(dataset: str, pages: list[dict[str, str]]) -> list[dict[str, Any]]:
    from newsdex.models import RawDoc
    from newsdex.tasks.clean.choice import evidence
    from newsdex.tasks.clean.html import extract_candidates, finish
    from newsdex.tasks.clean.line_model import line_scorer
    from newsdex.tasks.clean.rules import load_rules

    rules = load_rules()
    scorer = line_scorer(rules)
    out = []
    for page in pages:
        raw = RawDoc(id="x", path="x", kind="html", text=page["html"], raw_hash="", url=page["url"])
        try:
            cand = extract_candidates(raw, rules, readability=True)
            t_texts, t_roles = cand.trafilatura
            body_t = finish(raw, rules, cand, t_texts, t_roles).body
            r = cand.readability
            body_r = finish(raw, rules, cand, r[0], r[1]).body if r is not None else body_t
            ev = evidence(
                t_texts,
                r[0] if r else [],
                cand.page_words,
                r[2] if r else 0.0,
                scorer,
                rules.thresholds.dense_min_words,
            )
        except Exception as exc:  # one failing page scores 0, the run goes on
            print(f"  failed on {page['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        out.append(
            {
                "set": dataset,
                "id": page["id"],
                "f1_t": score(body_t, page["truth"])[2],
                "f1_r": score(body_r, page["truth"])[2],
                "t_split": sum(len(t.split()) for t in t_texts),
                "r_split": sum(len(t.split()) for t in r[0]) if r else 0,
                **{k: getattr(ev, k) for k in EVIDENCE},
            }
        )
    return out


def collect(dirs: list[Path], limit: int | None, jobs: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for folder in dirs:
        pages = load_pages(folder, limit, "all")
        chunks = [pages[i::jobs] for i in range(jobs)]
        if jobs > 1:
            with ProcessPoolExecutor(jobs) as pool:
                for part in pool.map(_rows, [folder.name] * jobs, chunks):
                    rows.extend(part)
        else:
            rows.extend(_rows(folder.name, pages))
        print(f"{folder.name}: {sum(r['set'] == folder.name for r in rows)} pages extracted", flush=True)
    return rows


def policy(row: dict[str, Any], name: str, params: dict[str, float]) -> float:
    """The F1 a page gets under a choice rule, replayed from its row."""
    from newsdex.tasks.clean.choice import Evidence, choose
    from newsdex.tasks.clean.rules import Thresholds

    if name == "trafilatura":
        return row["f1_t"]
    if name == "readability":
        return row["f1_r"]
    if name == "oracle":
        return max(row["f1_t"], row["f1_r"])
    th = Thresholds(**params)
    if name == "rescue":
        w = row["t_split"]
        take = (
            w >= th.html_fallback_min_words
            and row["page_words"] > 0
            and w < th.html_rescue_max_share * row["page_words"]
            and row["r_split"] >= th.html_rescue_min_gain * w
        )
        return row["f1_r"] if take else row["f1_t"]
    ev = Evidence(**{k: row[k] for k in EVIDENCE})
    return row["f1_r"] if choose(ev, th) == "readability" else row["f1_t"]


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=None, help="rows read from / written to this JSON file")
    args = ap.parse_args(argv)
    if args.cache and args.cache.exists():
        rows = json.loads(args.cache.read_text())
    else:
        dirs = [Path(d) for d in args.dirs] or sorted(
            p for p in require(DEFAULT_EXTRACTION).iterdir() if (p / "truth").is_dir()
        )
        rows = collect(dirs, args.limit, args.jobs)
        if args.cache:
            args.cache.write_text(json.dumps(rows))
    sets = sorted({r["set"] for r in rows})
    by_set = {s: [r for r in rows if r["set"] == s] for s in sets}

    print("\nuntuned rules (nothing chosen on any set; 'rescue' at its shipped values)")
    print(f"{'rule':<14}" + "".join(f"{s:>14}" for s in sets))
    for name in ("trafilatura", "readability", "rescue", "oracle"):
        print(f"{name:<14}" + "".join(f"{mean([policy(r, name, {}) for r in by_set[s]]):14.3f}" for s in sets))

    for variant, grid in VARIANTS.items():
        configs = [tuple(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
        scores = {
            s: {c: mean([policy(r, "evidence", {**FIXED, **dict(c)}) for r in by_set[s]]) for c in configs}
            for s in sets
        }
        pooled = max(configs, key=lambda c: mean([policy(r, "evidence", {**FIXED, **dict(c)}) for r in rows]))
        print_table(
            f"evidence choice, variant {variant!r}: parameters chosen leave-one-set-out "
            f"(best on both sets pooled: {label(pooled)})",
            loso(scores),
        )
    rescue_grid = [
        (("html_rescue_max_share", a), ("html_rescue_min_gain", g))
        for a in (0.3, 0.2, 0.4, 0.5, 0.7, 1.0)
        for g in (2.0, 1.0, 1.2, 1.5, 3.0)
    ]
    rscores = {s: {c: mean([policy(r, "rescue", dict(c)) for r in by_set[s]]) for c in rescue_grid} for s in sets}
    print_table("former rescue rule, its two thresholds re-chosen leave-one-set-out", loso(rscores))
    for s in sets:
        took = sum(policy(r, "evidence", {}) != r["f1_t"] for r in by_set[s])
        print(f"{s}: {len(by_set[s])} pages; the shipped rule keeps readability's answer on {took} (F1 differs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
