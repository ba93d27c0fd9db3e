"""Search latency on built indexes, side by side with a floor, in one run.

Per index and query: cold, the median wall time of a whole ``newsdex search … --json`` process, and of the floor
(bench/search_floor.py: a process that imports only Whoosh, opens the same index and runs the same query), run
alternately so that the machine's noise hits both alike, and their ratio (the median of each newsdex run over
the floor run next to it); warm, in-process ``newsdex.reading.reader.search``: the first search of each query in a
process that has searched before, then p50/p95 of repeats. Query kinds: term, phrase, fielded, faceted (an entity
filter), no-hit (misspelt words: the suggestion path) and similar (``newsdex.reading.similar.similar`` warm, and
a whole ``newsdex similar ID --json`` process cold, for the first hits of the term and phrase queries; it has no
floor). A JSON line per (index, query), then a table with a row per kind and a column group per index, and a
line per index saying which targets are met: cold ≤ 1.5× the floor and ≤ 0.3 s (medians), warm p95 ≤ 20 ms
per search kind, similar warm p95 ≤ 50 ms.

    python -m bench.search_latency var/bench/search/index-10000 var/bench/search/index-50000 --cold 7 --warm 40
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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FLOOR = Path(__file__).resolve().with_name("search_floor.py")
KINDS = ["term", "phrase", "fielded", "faceted", "no-hit", "similar"]
SEARCH_KINDS = KINDS[:-1]
TARGET_RATIO = 1.5  # a search process at most this many times the floor's wall time
TARGET_COLD_S = 0.3
TARGET_WARM_P95_MS = 20.0
TARGET_SIMILAR_P95_MS = 50.0
SIMILAR_DOCS = 3


def queries(index: Path) -> list[dict[str, Any]]:
    """One or two queries per kind; the faceted ones filter on the index's most mentioned entities."""
    from newsdex.reading.reader import top_entities

    top = {t: top_entities(index, t, 1) for t in ("PERSON", "ORG", "LOC")}
    out: list[dict[str, Any]] = [
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
    # Few or no hits: these also pay for the spelling suggestion, the slow path of a search that finds little.
    out += [{"kind": "no-hit", "q": "govermnent"}, {"kind": "no-hit", "q": "zzqxv"}]
    return out


def newsdex_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("newsdex")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "newsdex.search_cli"]


def cli_args(q: dict[str, Any], index: Path) -> list[str]:
    args = ["search", q["q"], "--index", str(index), "--json"]
    return args + (["--entity", q["entity"]] if q.get("entity") else [])


def floor_args(q: dict[str, Any], index: Path) -> list[str]:
    args = [sys.executable, str(FLOOR), str(index), q["q"]]
    if q.get("entity"):
        etype, _, name = q["entity"].partition(":")
        args += ["--entity", f"{etype.lower()}:{name}"]  # PERSON -> the index field person (schema.ENTITY_FIELDS)
    return args


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall time of a whole process, as a user runs it (interpreter start, imports, open, query, print)."""
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, cwd=REPO, env=os.environ)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}\n{done.stderr.decode()[-2000:]}")
    return seconds, done.stdout.decode()


def cold(q: dict[str, Any], index: Path, repeat: int) -> dict[str, Any]:
    """``repeat`` newsdex and floor processes, alternating (and which goes first, so neither always follows the
    other's page cache or a burst of load); the ratio is the median of each pair's."""
    cli, floor = [*newsdex_cmd(), *cli_args(q, index)], floor_args(q, index)
    ours: list[float] = []
    theirs: list[float] = []
    out_cli = out_floor = ""
    for i in range(repeat):
        if i % 2 == 0:
            (a, out_cli), (b, out_floor) = timed(cli), timed(floor)
        else:
            (b, out_floor), (a, out_cli) = timed(floor), timed(cli)
        ours.append(a)
        theirs.append(b)
    return {
        "cli_hits": json.loads(out_cli)["total"],
        "floor_hits": json.loads(out_floor)["total"],
        "cold_median_s": round(statistics.median(ours), 3),
        "floor_median_s": round(statistics.median(theirs), 3),
        "ratio": round(statistics.median(a / b for a, b in zip(ours, theirs, strict=True)), 2),
    }


def warm(q: dict[str, Any], index: Path, repeat: int) -> tuple[float, list[float], dict[str, Any]]:
    """The first search of ``q`` in a process that has already searched (other queries), then repeats."""
    from newsdex.reading.reader import search
    from newsdex.search_cli.cmd_search import parse_entity_filters

    ents = parse_entity_filters([q["entity"]]) if q.get("entity") else None
    t0 = time.perf_counter()
    search(index, q["q"], entities=ents)
    first = time.perf_counter() - t0
    times = []
    result: dict[str, Any] = {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = search(index, q["q"], entities=ents)
        times.append(time.perf_counter() - t0)
    return first, times, result


def warm_similar(index: Path, doc_id: str, repeat: int) -> tuple[float, list[float], dict[str, Any]]:
    """As ``warm``, for ``similar`` of one document (imported here: reading/similar.py may not import yet)."""
    from newsdex.reading.similar import similar

    t0 = time.perf_counter()
    similar(index, doc_id, limit=10)
    first = time.perf_counter() - t0
    times = []
    result: dict[str, Any] | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = similar(index, doc_id, limit=10)
        times.append(time.perf_counter() - t0)
    if result is None:
        raise LookupError(f"similar found no document {doc_id}")
    return first, times, result


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def warm_fields(first: float, times: list[float]) -> dict[str, float]:
    return {
        "warm_first_ms": round(first * 1000, 1),
        "warm_p50_ms": round(pct(times, 0.5) * 1000, 1),
        "warm_p95_ms": round(pct(times, 0.95) * 1000, 1),
    }


def measure_index(index: Path, n_cold: int, n_warm: int) -> list[dict[str, Any]]:
    """A row per query of ``index`` (printed as it comes), search kinds first, then similar."""
    from newsdex.reading.reader import search

    for _ in range(2):  # the process's first searches open the index (once without mmap, then with)
        search(index, "process warm-up")
    rows: list[dict[str, Any]] = []
    refs: list[str] = []  # documents for similar: the first hits of the term, then phrase queries
    for q in queries(index):
        c = cold(q, index, n_cold)
        first, w, result = warm(q, index, n_warm)
        if q["kind"] in ("term", "phrase") and result["hits"] and result["hits"][0]["id"] not in refs:
            refs.append(result["hits"][0]["id"])
        rows.append({"index": index.name, **q, "hits": result["total"], **c, **warm_fields(first, w)})
        if q["kind"] == "no-hit":  # shows the suggestion path ran (a misspelling should get one)
            rows[-1]["suggestion"] = result.get("suggestion")
        print(json.dumps(rows[-1]), flush=True)
    for doc_id in refs[:SIMILAR_DOCS]:
        row: dict[str, Any] = {"index": index.name, "kind": "similar", "q": doc_id}
        cmd = [*newsdex_cmd(), "similar", doc_id, "--index", str(index), "--json"]
        try:
            first, w, result = warm_similar(index, doc_id, n_warm)
            times = [timed(cmd)[0] for _ in range(n_cold)]
        except (Exception, SystemExit) as exc:  # similar is new (maybe mid-edit): report it, keep the run
            row["error"] = f"{type(exc).__name__}: {str(exc)[-500:]}"
            print(json.dumps(row), flush=True)
            rows.append(row)
            break
        row.update(
            {"hits": len(result["hits"]), "cold_median_s": round(statistics.median(times), 3), **warm_fields(first, w)}
        )
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def by_kind(rows: list[dict[str, Any]], kind: str) -> dict[str, float | None]:
    """A kind's figures over its queries: medians of the cold figures, the worst warm p95 (the target is per
    kind, so its slowest query decides)."""
    mine = [r for r in rows if r["kind"] == kind and "error" not in r]

    def med(key: str) -> float | None:
        values = [r[key] for r in mine if key in r]
        return statistics.median(values) if values else None

    p95 = [r["warm_p95_ms"] for r in mine]
    return {
        "cold": med("cold_median_s"),
        "floor": med("floor_median_s"),
        "ratio": med("ratio"),
        "p95": max(p95) if p95 else None,
    }


def cell(value: float | None, fmt: str) -> str:
    return format(value, fmt) if value is not None else "-"


def summary(results: dict[str, list[dict[str, Any]]]) -> None:
    """The side-by-side table (a row per kind, a column group per index), then a verdict line per index."""
    group = f"{'cold s':>7} {'floor s':>7} {'ratio':>5} {'p95 ms':>7}"
    print()
    print(f"{'':9}" + " | ".join(f"{name:^{len(group)}}" for name in results))
    print(f"{'kind':9}" + " | ".join(group for _ in results))
    for kind in KINDS:
        cells = []
        for rows in results.values():
            k = by_kind(rows, kind)
            cells.append(
                f"{cell(k['cold'], '7.3f')} {cell(k['floor'], '7.3f'):>7} {cell(k['ratio'], '5.2f'):>5} "
                f"{cell(k['p95'], '7.1f'):>7}"
            )
        print(f"{kind:9}" + " | ".join(cells))
    print()
    for name, rows in results.items():
        searches = [r for r in rows if r["kind"] in SEARCH_KINDS]
        cold_s = statistics.median(r["cold_median_s"] for r in searches)
        floor_s = statistics.median(r["floor_median_s"] for r in searches)
        ratio = statistics.median(r["ratio"] for r in searches)
        slow = [k for k in SEARCH_KINDS if (by_kind(rows, k)["p95"] or 0.0) > TARGET_WARM_P95_MS]
        sim = by_kind(rows, "similar")["p95"]
        mismatch = [r["q"] for r in searches if r["cli_hits"] != r["floor_hits"]]
        slow_kinds = f" ({', '.join(slow)})" if slow else ""

        def ok(met: bool) -> str:
            return "ok" if met else "MISSED"

        print(
            f"{name}: medians over search queries: cold {cold_s:.3f} s, floor {floor_s:.3f} s, ratio {ratio:.2f}"
            f" | cold <= {TARGET_RATIO}x floor: {ok(ratio <= TARGET_RATIO)}"
            f" | cold <= {TARGET_COLD_S} s: {ok(cold_s <= TARGET_COLD_S)}"
            f" | warm p95 <= {TARGET_WARM_P95_MS:.0f} ms: {ok(not slow)}{slow_kinds}"
            f" | similar p95 <= {TARGET_SIMILAR_P95_MS:.0f} ms: "
            f"{ok(sim <= TARGET_SIMILAR_P95_MS) if sim is not None else 'not measured'}"
        )
        if mismatch:  # the floor should find what newsdex finds; else the ratio compares different work
            print(f"  totals differ between newsdex and the floor for: {', '.join(mismatch)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=Path, nargs="+", help="index folders, measured in this order")
    ap.add_argument("--cold", type=int, default=7, help="processes per query, each of newsdex and floor (default 7)")
    ap.add_argument("--warm", type=int, default=40, help="in-process searches per query (default 40)")
    args = ap.parse_args(argv)
    names = [p.name for p in args.index]
    if len(set(names)) < len(names):  # the table's columns are named by folder
        ap.error(f"index folder names must differ: {names}")
    results = {index.name: measure_index(index.absolute(), args.cold, args.warm) for index in args.index}
    summary(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
