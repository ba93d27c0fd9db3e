"""What copy detection costs and finds in a whole ingest: the pipeline before and after it, on one corpus with
syndicated copies (``tools.corpus --copies``).

Three parts, one run, one generated corpus (reused when present):

1. ``newsdex ingest CORPUS --json`` (default runner) with the code before copy detection (``--before``: a
   ``pip --target`` folder put first on PYTHONPATH, run from a folder outside the repository so the editable
   install cannot win) and after it (this repository), each on a fresh index, measured like bench/pipeline.py:
   docs/s, wall, seconds per stage, peak RSS of the process tree, ``enrichment_reused``; ratios after/before.
2. Detection cost: on a copy of the after index's manifest, the ``copies`` and ``bands`` rows are deleted and
   ``Manifest.refresh_copies()`` timed: it re-fingerprints and re-places every document from its stored body,
   the work detection adds to ingest. Reported in ms per document and as a share of the after run's wall
   seconds per document (target: under 5%).
3. Quality against the corpus sidecar (``.corpus.jsonl``): share of copies (by kind) in their original's
   cluster; "suspect merges" (clusters holding two documents of different ground-truth stories that share no
   article key; originals are composites, so stories sharing an article key may rightly share text); distinct
   stories in the top 10 of a few common queries, with and without ``--all-copies``.

    python -m bench.copies_pipeline --n 10000 --seed 0 --copies 0.3 --out var/bench/copies --before DIR_BEFORE
    python -m bench.copies_pipeline --n 300 --out var/bench/copies                # after only, a few minutes

Tables are printed; a JSON line of every figure is appended to OUT/copies_pipeline.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import closing
from pathlib import Path
from typing import Any

from bench._measure import run_measured
from tools.corpus import generate_corpus

REPO = Path(__file__).resolve().parent.parent
QUERIES = ("said", "the", "government", "police", "president")
TARGET_SHARE = 0.05  # detection's share of the per-document ingest time


def corpus_for(work: Path, n: int, seed: int, copies: float) -> Path:
    """Generate once, reuse when the same size, seed and copy share already exist."""
    folder = work / f"corpus-{n}-s{seed}-c{copies:g}"
    sidecar = folder / ".corpus.jsonl"
    if not (sidecar.exists() and sum(1 for _ in sidecar.open()) == n):
        shutil.rmtree(folder, ignore_errors=True)
        generate_corpus(folder, n, seed, copies=copies)
    return folder


def child_env(work: Path, before: Path | None) -> dict[str, str]:
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PYTHONPATH", None)
    if before is not None:
        env["PYTHONPATH"] = str(before)
    return env


def child_cwd(before: Path | None) -> str:
    # The old code must not be run from the repository: there the current code could be imported instead.
    if before is None:
        return str(REPO)
    cwd = Path(tempfile.gettempdir()) / "newsdex-copies-bench-cwd"
    cwd.mkdir(exist_ok=True)
    return str(cwd)


def package_file(work: Path, before: Path | None) -> str:
    """Where ``newsdex`` is imported from in that environment: proof of which code a run measures."""
    out = subprocess.run(
        [sys.executable, "-c", "import newsdex; print(newsdex.__file__)"],
        capture_output=True,
        text=True,
        env=child_env(work, before),
        cwd=child_cwd(before),
        check=True,
    )
    return out.stdout.strip()


def ingest(work: Path, corpus: Path, label: str, before: Path | None) -> dict[str, Any]:
    index = work / f"index-{label}"
    shutil.rmtree(index, ignore_errors=True)
    cmd = [sys.executable, "-m", "newsdex.search_cli", "ingest", str(corpus), "--index", str(index), "--json"]
    m = run_measured(cmd, env=child_env(work, before), cwd=child_cwd(before))
    if m.returncode != 0:
        raise SystemExit(f"{label}: {' '.join(cmd)} failed ({m.returncode}):\n{m.stderr[-3000:]}")
    report = json.loads(m.stdout)
    docs = report["new"] + report["changed"]
    stages = report.get("stages", {})
    enrich = next((v for k, v in stages.items() if "enrich" in k), None)
    return {
        "label": label,
        "package": package_file(work, before),
        "index": str(index),
        "documents": docs,
        "quarantined": len(report.get("quarantined", [])),
        "wall_s": round(m.seconds, 1),
        "flow_s": report["seconds"],
        "docs_per_s": round(docs / m.seconds, 2),
        "stage_s": stages,
        "enrich_s": enrich,
        "enrich_docs_per_s": round(docs / enrich, 1) if enrich else None,
        "peak_rss_mb": round(m.tree_peak_mb, 1),
        "peak_pss_mb": round(m.tree_peak_pss_mb, 1),
        "enrichment_reused": report.get("enrichment_reused"),  # absent before copy detection
    }


def detection_cost(index: Path, work: Path, wall_s: float, documents: int) -> dict[str, Any]:
    """Time re-placing every document of a copy of the manifest whose clusters were emptied."""
    from newsdex.index.manifest import Manifest

    copy = work / "detection" / "manifest.sqlite"
    shutil.rmtree(copy.parent, ignore_errors=True)
    copy.parent.mkdir(parents=True)
    # The backup API reads through the WAL: a plain file copy could miss pages not yet checkpointed.
    with closing(sqlite3.connect(index / "manifest.sqlite")) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
        with dst:  # one committed transaction, before the clock starts
            dst.execute("DELETE FROM copies")
            dst.execute("DELETE FROM bands")
            # The "settled" marker makes refresh_copies a no-op; manifests written before it have no such table.
            if dst.execute("SELECT 1 FROM sqlite_master WHERE name = 'copies_meta'").fetchone():
                dst.execute("DELETE FROM copies_meta")
    manifest = Manifest(copy)
    try:
        t0 = time.perf_counter()
        placed = manifest.refresh_copies()
        seconds = time.perf_counter() - t0
        clusters = manifest.conn.execute(
            "SELECT COUNT(*) FROM (SELECT cluster FROM copies GROUP BY cluster HAVING COUNT(*) > 1)"
        ).fetchone()[0]
    finally:
        manifest.close()
    if placed != documents:
        raise SystemExit(f"refresh_copies placed {placed} of {documents} documents: not the whole detection work")
    ms = 1000 * seconds / placed
    per_doc_wall = wall_s / max(documents, 1)
    return {
        "placed": placed,
        "seconds": round(seconds, 2),
        "ms_per_doc": round(ms, 2),
        "share_of_wall": round(ms / 1000 / per_doc_wall, 4),
        "clusters_after_refresh": clusters,
    }


def doc_index(path: str) -> int | None:
    """Corpus index of an input path (``NNN/NNNNNN-slug.ext``, as the generator names files)."""
    head = Path(path).name.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def newsdex_json(work: Path, args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "newsdex.search_cli", *args, "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=child_env(work, None), cwd=str(REPO))
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def quality(work: Path, corpus: Path, index: Path) -> dict[str, Any]:
    truth = {r["i"]: r for r in map(json.loads, (corpus / ".corpus.jsonl").open())}

    def story(i: int) -> int:
        c = truth[i]["copy_of"]
        return i if c is None else c

    dups = newsdex_json(work, ["duplicates", "--index", str(index)])["clusters"]
    cluster_of: dict[int, int] = {}
    suspects: list[dict[str, Any]] = []
    multi_story = 0
    for n, c in enumerate(dups):
        members = [(i, m["title"]) for m in c["members"] if (i := doc_index(m["path"])) is not None]
        for i, _ in members:
            cluster_of[i] = n
        if len({story(i) for i, _ in members}) > 1:
            multi_story += 1
        # A pair of other stories with no article in common: nothing in the corpus explains their shared text.
        pair = next(
            (
                (a, b)
                for a in members
                for b in members
                if story(a[0]) != story(b[0]) and truth[a[0]]["article"] != truth[b[0]]["article"]
            ),
            None,
        )
        if pair is not None:
            suspects.append(
                {
                    "cluster": c["id"],
                    "size": len(c["members"]),
                    "titles": [pair[0][1], pair[1][1]],
                    "docs": [pair[0][0], pair[1][0]],
                }
            )
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, r in truth.items():
        if r["copy_of"] is None:
            continue
        kind = r["copy_kind"]
        hit = i in cluster_of and cluster_of[i] == cluster_of.get(r["copy_of"])
        for k in (kind, "all"):
            found[k][0] += hit
            found[k][1] += 1
    recall = {k: {"found": f, "copies": t, "share": round(f / t, 4) if t else None} for k, (f, t) in found.items()}
    searches = {}
    for q in QUERIES:
        row = {}
        for flag, name in (([], "collapsed"), (["--all-copies"], "all_copies")):
            hits = newsdex_json(work, ["search", q, "--index", str(index), "--limit", "10", *flag])["hits"]
            ids = [i for h in hits if (i := doc_index(h["path"])) is not None]
            row[name] = {"hits": len(hits), "stories": len({story(i) for i in ids})}
        searches[q] = row
    return {
        "clusters": len(dups),
        "clustered_docs": len(cluster_of),
        "multi_story_clusters": multi_story,
        "copies_in_original_cluster": recall,
        "suspect_merges": len(suspects),
        "suspect_examples": suspects[:3],
        "search_top10_stories": searches,
    }


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["-" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[k]) for r in cells) for k in range(len(headers))]
    lines = [
        "  ".join(v.ljust(w) if k == 0 else v.rjust(w) for k, (v, w) in enumerate(zip(r, widths, strict=True)))
        for r in cells
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="documents in the corpus")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--copies", type=float, default=0.3, help="share of documents that are copies")
    ap.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "copies", help="work folder")
    ap.add_argument("--before", type=Path, help="folder of the package before copy detection (pip --target)")
    ap.add_argument(
        "--after",
        type=Path,
        help="folder of the package with copy detection (pip --target; default: "
        "this checkout), so that a later runner change does not mix into the comparison",
    )
    args = ap.parse_args(argv)
    work = args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    before = args.before.resolve() if args.before else None
    corpus = corpus_for(work, args.n, args.seed, args.copies)
    print(f"corpus {corpus} ({args.n} documents, copies {args.copies:g})", flush=True)

    runs: dict[str, dict[str, Any]] = {}
    for label, code in (("before", before), ("after", args.after.resolve() if args.after else None)):
        if label == "before" and before is None:
            continue
        t0 = time.strftime("%H:%M:%S")
        runs[label] = ingest(work, corpus, f"{args.n}-{label}", code)
        print(f"[{t0}] {label}: {runs[label]['wall_s']} s, newsdex from {runs[label]['package']}", flush=True)
    after = runs["after"]
    old = runs.get("before")

    ratios = {
        "throughput_after_over_before": ratio(after["docs_per_s"], old and old["docs_per_s"]),
        "enrich_s_after_over_before": ratio(after["enrich_s"], old and old["enrich_s"]),
    }
    print("\n== ratios after/before")
    print(table(["figure", "ratio"], [[k, v] for k, v in ratios.items()]))

    labels = list(runs)
    print("\n== ingest (default runner)")
    rows = [
        [k, *(runs[x][k] for x in labels)]
        for k in (
            "documents",
            "quarantined",
            "docs_per_s",
            "wall_s",
            "flow_s",
            "enrich_docs_per_s",
            "peak_rss_mb",
            "peak_pss_mb",
            "enrichment_reused",
        )
    ]
    stages = list(dict.fromkeys(s for x in labels for s in runs[x]["stage_s"]))
    rows += [[f"stage {s} (s)", *(runs[x]["stage_s"].get(s) for x in labels)] for s in stages]
    print(table(["figure", *labels], rows))

    print("\n== detection cost (refresh_copies on the after manifest, clusters emptied)", flush=True)
    cost = detection_cost(Path(after["index"]), work, after["wall_s"], after["documents"])
    print(
        table(
            ["figure", "value"],
            [
                ["documents placed", cost["placed"]],
                ["seconds", cost["seconds"]],
                ["ms per document", cost["ms_per_doc"]],
                ["share of ingest wall per document", f"{cost['share_of_wall']:.2%} (target < {TARGET_SHARE:.0%})"],
                ["clusters (>1) after refresh", cost["clusters_after_refresh"]],
            ],
        )
    )

    print("\n== quality against .corpus.jsonl", flush=True)
    q = quality(work, corpus, Path(after["index"]))
    print(
        table(
            ["copies", "in original's cluster", "of", "share"],
            [[k, v["found"], v["copies"], v["share"]] for k, v in sorted(q["copies_in_original_cluster"].items())],
        )
    )
    print(
        f"\nclusters: {q['clusters']} ({q['clustered_docs']} documents); with more than one ground-truth story: "
        f"{q['multi_story_clusters']}; suspect merges (other story, no shared article key): {q['suspect_merges']}"
    )
    for s in q["suspect_examples"]:
        print(
            f"  cluster {s['cluster']} ({s['size']} docs): #{s['docs'][0]} {s['titles'][0]!r}  /  "
            f"#{s['docs'][1]} {s['titles'][1]!r}"
        )
    print()
    print(
        table(
            ["query", "stories in top 10", "(hits)", "with --all-copies", "(hits)"],
            [
                [
                    k,
                    v["collapsed"]["stories"],
                    v["collapsed"]["hits"],
                    v["all_copies"]["stories"],
                    v["all_copies"]["hits"],
                ]
                for k, v in q["search_top10_stories"].items()
            ],
        )
    )

    record = {
        "n": args.n,
        "seed": args.seed,
        "copies": args.copies,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "ratios": ratios,
        "runs": runs,
        "detection": cost,
        "quality": q,
    }
    with (work / "copies_pipeline.jsonl").open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
