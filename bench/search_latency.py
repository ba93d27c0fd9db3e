"""Search latency on a built index: cold (a whole ``newsdex search`` process, median) and warm (in-process
``newsdex.index.reader.search``: the first search of each query in a process that has searched before, then p50/p95
of repeats) for term, phrase, fielded and faceted queries.

    python -m bench.search_latency var/bench/index-10000 --cold 7 --warm 40
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def queries(index: Path) -> list[dict]:
    """One or two queries per kind; the faceted ones filter on the index's most mentioned entities."""
    from newsdex.index.reader import top_entities

    top = {t: top_entities(index, t, 1) for t in ("PERSON", "ORG", "LOC")}
    out = [
        {"kind": "term", "q": "government"},
        {"kind": "term", "q": "health"},
        {"kind": "phrase", "q": '"United States"'},
        {"kind": "phrase", "q": '"social media"'},
        {"kind": "fielded", "q": "title:guide"},
        {"kind": "fielded", "q": "body:market NOT title:market"},
    ]
    for etype, ents in top.items():
        if ents:
            out.append({"kind": "faceted", "q": "people", "entity": f"{etype}:{ents[0]['name']}"})
    return out


def cli_args(q: dict, index: Path) -> list[str]:
    args = ["search", q["q"], "--index", str(index), "--json"]
    return args + (["--entity", q["entity"]] if q.get("entity") else [])


def cold(q: dict, index: Path, repeat: int) -> list[float]:
    """Wall time of the whole command, as a user runs it (interpreter start, imports, open, query, print)."""
    exe = Path(sys.executable).with_name("newsdex")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "newsdex.search_cli"]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run([*cmd, *cli_args(q, index)], capture_output=True, cwd=REPO, env=os.environ)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode()[-2000:])
    return times


def warm(q: dict, index: Path, repeat: int) -> tuple[float, list[float], int]:
    """The first search of ``q`` in a process that has already searched (other queries), then repeats."""
    from newsdex.index.reader import search
    from newsdex.search_cli.cmd_search import parse_entity_filters

    ents = parse_entity_filters([q["entity"]]) if q.get("entity") else None
    t0 = time.perf_counter()
    search(index, q["q"], entities=ents)
    first = time.perf_counter() - t0
    times = []
    total = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        total = search(index, q["q"], entities=ents)["total"]
        times.append(time.perf_counter() - t0)
    return first, times, total


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("--cold", type=int, default=7, help="processes per query (default 7)")
    ap.add_argument("--warm", type=int, default=40, help="in-process searches per query (default 40)")
    args = ap.parse_args(argv)
    rows = []
    from newsdex.index.reader import search

    for _ in range(2):  # the process's first searches open the index (once without mmap, then with)
        search(args.index, "process warm-up")
    for q in queries(args.index):
        c = cold(q, args.index, args.cold)
        first, w, total = warm(q, args.index, args.warm)
        rows.append({**q, "hits": total, "cold_median_s": round(statistics.median(c), 3),
                     "warm_first_ms": round(first * 1000, 1),
                     "warm_p50_ms": round(pct(w, 0.5) * 1000, 1), "warm_p95_ms": round(pct(w, 0.95) * 1000, 1)})
        print(json.dumps(rows[-1]), flush=True)
    print(f"cold median (all queries): {statistics.median(r['cold_median_s'] for r in rows):.3f} s; "
          f"worst warm first: {max(r['warm_first_ms'] for r in rows):.1f} ms; "
          f"worst warm p95: {max(r['warm_p95_ms'] for r in rows):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
