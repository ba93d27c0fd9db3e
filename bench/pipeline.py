"""Throughput and memory of the whole pipeline (``newsdex ingest`` as a user runs it), per corpus size.

Each size runs in its own child process on a fresh index, so its peak RSS is its own: documents per second
per stage and overall, peak RSS of the process tree, index size, and the slowest stage with its share. With
``--workers`` it also compares the Dask runner with 1 and with 2 workers on one size.

    python -m bench.pipeline --sizes 1000,10000,50000 --workers-size 1000 --out var/bench
    python -m bench.pipeline --sizes 1000,50000 --workers 2 --out var/bench   # the sizes on 2 Dask workers
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


def ingest(work: Path, corpus: Path, label: str, extra: list[str]) -> dict:
    index = work / f"index-{label}"
    shutil.rmtree(index, ignore_errors=True)
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "newsdex.search_cli", "ingest", str(corpus), "--index", str(index), "--json", *extra]
    m = run_measured(cmd, env=env, cwd=str(REPO))
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
        "orchestration": report.get("runner"),  # Dask runs: combined tasks and their work seconds
        "args": extra,
    }


def task_overhead(work: Path) -> dict:
    """Seconds an empty combined task costs on a 1-worker Dask runner (submit to result), in a child process."""
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    code = "import json; from newsdex.flows.runners import task_overhead; print(json.dumps(task_overhead(1)))"
    m = run_measured([sys.executable, "-c", code], env=env, cwd=str(REPO))
    if m.returncode != 0:
        raise SystemExit(m.stderr[-3000:])
    return json.loads(m.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=REPO / "var" / "bench", help="work folder (corpora, indexes)")
    ap.add_argument("--workers-size", type=int, default=0, help="also run the Dask runner with 1 and 2 workers "
                    "on a corpus of this size (0: skip)")
    ap.add_argument("--batch-size", type=int, help="documents per task (passed to ingest)")
    ap.add_argument("--workers", type=int, default=0, help="run the --sizes on the Dask runner with this many "
                    "workers (0: the default runner)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results_file = args.out / "pipeline.jsonl"
    extra = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    runs = []
    runner = ["--workers", str(args.workers)] if args.workers else []
    suffix = f"-w{args.workers}" if args.workers else ""
    plan = [(int(s), f"{int(s)}{suffix}", [*extra, *runner]) for s in args.sizes.split(",") if s.strip()]
    if args.workers_size:
        plan += [(args.workers_size, f"{args.workers_size}-w{w}", [*extra, "--workers", str(w)]) for w in (1, 2)]
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
        print(f"orchestration: {per_task['median_s']:.3f} s per Dask task (median, empty task), "
              f"{two['orchestration']['tasks']} tasks for {two['orchestration']['task_work_s']:.0f} s of work: "
              f"{share:.1%}")
        with results_file.open("a") as fh:
            fh.write(json.dumps({"label": "task-overhead", **per_task, "share": round(share, 4)}) + "\n")
    sizes = [r for r in runs if r["label"].endswith(suffix) and r["label"].removesuffix(suffix).isdigit()]
    if len(sizes) > 1:
        ratio = sizes[-1]["peak_rss_mb"] / sizes[0]["peak_rss_mb"]
        print(f"peak RSS {sizes[-1]['label']} / {sizes[0]['label']}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
