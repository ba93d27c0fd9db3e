"""Throughput and memory of the whole pipeline (``newsdex ingest`` as a user runs it), per corpus size.

Each run is its own child process on a fresh index, so its peak RSS is its own: documents per second per stage
and overall, peak RSS of the process tree and of each process, index size, the slowest stage with its share,
and the CPU seconds of each process (what bounds the run). With ``--workers-size`` it also compares the Dask
runner with 1 and with 2 workers on one size.

    python -m bench.pipeline --sizes 1000,10000,50000 --workers-size 1000 --out var/bench
    python -m bench.pipeline --sizes 1000,50000 --workers 2 --out var/bench   # the sizes on 2 Dask workers

``--compare`` runs, per size and on the same corpus: the default runner (local worker processes), the code of
``--before DIR`` (an earlier newsdex installed with ``pip install --target DIR``: the runner it started from),
Dask with 2 workers, and the ceiling (the enrich stage alone over the same segmented documents in two
long-lived processes, the model loaded before the clock starts); prints the ratios first, and whether the
default runner's index equals the earlier one's (same documents, stored fields and search results):

    python -m bench.pipeline --compare --sizes 2000,10000 --before DIR_BEFORE --out var/bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from bench._measure import run_measured
from tools.corpus import generate_corpus

REPO = Path(__file__).resolve().parent.parent


def corpus_for(work: Path, n: int, seed: int) -> Path:
    """Generate once, reuse when the same size and seed already exist."""
    folder = work / f"corpus-{n}-s{seed}"
    sidecar = folder / ".corpus.jsonl"
    if not (sidecar.exists() and sum(1 for _ in sidecar.open()) == n):
        shutil.rmtree(folder, ignore_errors=True)
        generate_corpus(folder, n, seed)
    return folder


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def ingest(work: Path, corpus: Path, label: str, extra: list[str], code: Path | None = None) -> dict:
    """One ``newsdex ingest`` of ``corpus`` on a fresh index; ``code``: run an earlier newsdex installed there
    (``pip install --target``), from outside the repository so that this checkout does not shadow it."""
    index = work / f"index-{label}"
    shutil.rmtree(index, ignore_errors=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    if code is not None:
        env["PYTHONPATH"] = str(code)
    cmd = [sys.executable, "-m", "newsdex.search_cli", "ingest", str(corpus), "--index", str(index), "--json", *extra]
    m = run_measured(cmd, env=env, cwd=str(work if code is not None else REPO))
    if m.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({m.returncode}):\n{m.stderr[-3000:]}")
    report = json.loads(m.stdout)
    docs = report["new"] + report["changed"]
    stages = report.get("stages", {})
    work_s = sum(stages.values()) or 1.0
    slowest = max(stages, key=stages.get) if stages else None
    return {
        "label": label,
        "documents": docs,
        "wall_s": round(m.seconds, 1),
        "flow_s": report["seconds"],
        "docs_per_s": round(docs / m.seconds, 2),
        "stage_s": stages,
        "stage_docs_per_s": {k: round(docs / v, 1) for k, v in stages.items() if v > 0},
        "slowest_stage": slowest,
        "slowest_share": round(stages[slowest] / work_s, 3) if slowest else None,
        "peak_rss_mb": round(m.tree_peak_mb, 1),
        "peak_pss_mb": round(m.tree_peak_pss_mb, 1),
        "process_peaks_mb": m.process_peaks_mb,
        "process_cpu_s": m.process_cpu_s,
        "index_mb": round(folder_bytes(index / "gens") / 1e6, 1),  # Whoosh generations
        "manifest_mb": round((index / "manifest.sqlite").stat().st_size / 1e6, 1),
        "raw_store_mb": round(folder_bytes(index / "raw") / 1e6, 1),
        "orchestration": report.get("runner"),  # combined tasks and their work seconds
        "bound_by": max(m.process_cpu_s, key=m.process_cpu_s.get) if m.process_cpu_s else None,
        "args": extra,
        "index": str(index),
    }


def task_overhead(work: Path, local: bool = False) -> dict:
    """Seconds an empty combined task costs on a 1-worker Dask runner (or a local worker process), submit to
    result, in a child process."""
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    code = (
        "import json; from newsdex.flows.launch import task_overhead; "
        f"print(json.dumps(task_overhead(1, local={local})))"
    )
    m = run_measured([sys.executable, "-c", code], env=env, cwd=str(REPO))
    if m.returncode != 0:
        raise SystemExit(m.stderr[-3000:])
    return json.loads(m.stdout.strip().splitlines()[-1])


QUERIES = ["said", "government", '"prime minister"', "police OR court", "title:new", "loc:ukraine"]


def same_index(a: Path, b: Path) -> dict:
    """Whether two indexes hold the same documents, stored fields and search results (ids, scores, snippets)."""
    from newsdex.reading.reader import open_index, search

    def stored(index: Path) -> list[dict]:
        with open_index(index).searcher() as searcher:
            return sorted((dict(f) for f in searcher.all_stored_fields()), key=lambda f: f["id"])

    def results(index: Path) -> list:
        out = []
        for q in QUERIES:
            res = search(index, q, limit=20)
            out.append([(h["id"], h["score"], h["snippet"]) for h in res["hits"]] + [res["total"], res["facets"]])
        return out

    sa, sb = stored(a), stored(b)
    return {"documents": len(sa) == len(sb), "stored_fields": sa == sb, "search_results": results(a) == results(b)}


def ceiling(work: Path, corpus: Path, workers: int = 2) -> dict:
    """The enrich stage alone in ``workers`` long-lived processes (bench/enrich_ceiling.py), in a child process."""
    cmd = [sys.executable, "-m", "bench.enrich_ceiling", str(corpus), "--workers", str(workers)]
    m = run_measured(cmd, env={**os.environ}, cwd=str(REPO))
    if m.returncode != 0:
        raise SystemExit(m.stderr[-3000:])
    return {
        "label": f"ceiling-{corpus.name}",
        **json.loads(m.stdout.strip().splitlines()[-1]),
        "peak_rss_mb": round(m.tree_peak_mb, 1),
    }


def compare(args: argparse.Namespace, sizes: list[int]) -> int:
    """Per size, on one corpus: before (``--before``), the default runner, Dask 2 workers, the ceiling."""
    results_file = args.out / "pipeline.jsonl"
    for n in sizes:
        corpus = corpus_for(args.out, n, args.seed)
        runs: dict[str, dict] = {}
        plan = [("after", [], None), ("dask2", ["--workers", "2", "--dask"], None)]
        if args.before:
            plan.insert(0, ("before", [], args.before))
        for name, flags, code in plan:
            runs[name] = ingest(args.out, corpus, f"{n}-{name}", flags, code)
            print(json.dumps(runs[name]), flush=True)
        top = ceiling(args.out, corpus)
        print(json.dumps(top), flush=True)
        after = runs["after"]
        lines = [f"== {n} documents: ratios"]
        if "before" in runs:
            lines.append(
                f"default runner after / before : {after['docs_per_s'] / runs['before']['docs_per_s']:.2f}x"
                "  (target >= 2)"
            )
        share = after["docs_per_s"] / top["docs_per_s"]
        lines.append(f"default runner / enrich-only ceiling (2 processes): {share:.2f}  (target >= 0.85)")
        lines.append(
            f"default runner / Dask 2 workers: {after['docs_per_s'] / runs['dask2']['docs_per_s']:.2f}  (target >= 1)"
        )
        lines.append("")
        lines.append(
            f"{'run':<8} {'docs':>6} {'wall s':>8} {'docs/s':>7} {'peak RSS MB':>11}  slowest stage"
            "      bound by (most CPU)"
        )
        for name, r in runs.items():
            lines.append(
                f"{name:<8} {r['documents']:>6} {r['wall_s']:>8} {r['docs_per_s']:>7} {r['peak_rss_mb']:>11}"
                f"  {r['slowest_stage']} {r['slowest_share']:.0%}  {r['bound_by']}"
            )
        lines.append(
            f"{'ceiling':<8} {top['documents']:>6} {top['seconds']:>8} {top['docs_per_s']:>7} "
            f"{top['peak_rss_mb']:>11}  enrich only"
        )
        per_task = task_overhead(args.out, local=True)
        tasks = after["orchestration"]["tasks"]
        lines.append(
            f"orchestration (after): {per_task['median_s']:.3f} s per process task (median, empty task on "
            f"a local worker) x {tasks} tasks = {per_task['median_s'] * tasks / after['wall_s']:.2%} of the "
            "run's wall time  (target < 5%)"
        )
        lines.append(f"per process peak RSS (after): {after['process_peaks_mb']}")
        lines.append(f"per process CPU s (after): {after['process_cpu_s']}")
        if "before" in runs:
            same = same_index(Path(runs["before"]["index"]), Path(after["index"]))
            lines.append(f"index after == before: {same}")
        print("\n".join(lines), flush=True)
        with results_file.open("a") as fh:
            fh.write(json.dumps({"label": f"compare-{n}", "runs": runs, "ceiling": top}) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=REPO / "var" / "bench", help="work folder (corpora, indexes)")
    ap.add_argument(
        "--workers-size",
        type=int,
        default=0,
        help="also run the Dask runner with 1 and 2 workers on a corpus of this size (0: skip)",
    )
    ap.add_argument("--batch-size", type=int, help="documents per task (passed to ingest)")
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run the --sizes on the Dask runner with this many workers (0: the default runner)",
    )
    ap.add_argument("--compare", action="store_true", help="per size: before, default runner, Dask 2, ceiling")
    ap.add_argument("--before", type=Path, help="an earlier newsdex installed with pip install --target DIR")
    args = ap.parse_args(argv)
    args.out = args.out.resolve()  # an earlier newsdex runs from there: relative paths would not resolve
    args.out.mkdir(parents=True, exist_ok=True)
    if args.compare:
        return compare(args, [int(s) for s in args.sizes.split(",") if s.strip()])
    results_file = args.out / "pipeline.jsonl"
    extra = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    runs = []
    runner = ["--workers", str(args.workers), "--dask"] if args.workers else []
    suffix = f"-w{args.workers}" if args.workers else ""
    plan = [(int(s), f"{int(s)}{suffix}", [*extra, *runner]) for s in args.sizes.split(",") if s.strip()]
    if args.workers_size:
        plan += [
            (args.workers_size, f"{args.workers_size}-w{w}", [*extra, "--workers", str(w), "--dask"]) for w in (1, 2)
        ]
    for n, label, flags in plan:
        corpus = corpus_for(args.out, n, args.seed)
        result = ingest(args.out, corpus, label, flags)
        runs.append(result)
        with results_file.open("a") as fh:
            fh.write(json.dumps(result) + "\n")
        print(json.dumps(result), flush=True)
    by_label = {r["label"]: r for r in runs}
    if args.workers_size:
        one, two = by_label[f"{args.workers_size}-w1"], by_label[f"{args.workers_size}-w2"]
        print(f"2 workers / 1 worker throughput: {two['docs_per_s'] / one['docs_per_s']:.2f}x")
        per_task = task_overhead(args.out)
        share = per_task["median_s"] * two["orchestration"]["tasks"] / two["orchestration"]["task_work_s"]
        print(
            f"orchestration: {per_task['median_s']:.3f} s per Dask task (median, empty task), "
            f"{two['orchestration']['tasks']} tasks for {two['orchestration']['task_work_s']:.0f} s of work: "
            f"{share:.1%}"
        )
        with results_file.open("a") as fh:
            fh.write(json.dumps({"label": "task-overhead", **per_task, "share": round(share, 4)}) + "\n")
    sizes = [r for r in runs if r["label"].endswith(suffix) and r["label"].removesuffix(suffix).isdigit()]
    if len(sizes) > 1:
        ratio = sizes[-1]["peak_rss_mb"] / sizes[0]["peak_rss_mb"]
        print(f"peak RSS {sizes[-1]['label']} / {sizes[0]['label']}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
