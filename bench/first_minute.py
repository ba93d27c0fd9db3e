"""A new user's first minute, timed as the user sees it (a terminal; ``newsdex ingest`` in a child process):

1. time to the first output of ``ingest`` on a fresh index (target ≤ 1 s), beside the whole run;
2. a re-ingest of N unchanged files (default 1,000; target ≤ 3 s), beside the ingest that made the index;
3. an ingest of M documents (default 200) interrupted by Ctrl-C after its second commit, then run again:
   documents kept at the interruption, and interrupted + resumed time against one uninterrupted run.

Usage (from the repo root; the documents come from tools/corpus.py over tests/data/articles and the seeds):
    nice .venv/bin/python -m bench.first_minute                 # 1,000 files, 200 documents
    nice .venv/bin/python -m bench.first_minute --files 300 --docs 100
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from tools.corpus import generate_corpus
from tools.terminal_run import TerminalRun, run_in_terminal
from tools.watch import indexed_rows

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "tests" / "data" / "articles"


def newsdex(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsdex.search_cli", *args]


def ingest(folder: Path, index: Path, env: dict[str, str], *extra: str, **kwargs) -> TerminalRun:
    run = run_in_terminal(newsdex("ingest", str(folder), "--index", str(index), *extra), env=env, **kwargs)
    if run.returncode not in (0, 130):
        raise SystemExit(f"ingest failed ({run.returncode}): {run.output[-2000:]}")
    return run


def after_commits(index: Path, commits: int):
    """A predicate for run_in_terminal: true once the index has grown ``commits`` times (batches committed)."""
    seen: list[int] = []

    def ready(_output: str) -> bool:
        n = indexed_rows(index)
        if n and (not seen or n > seen[-1]):
            seen.append(n)
        return len(seen) >= commits

    return ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000, help="files of the no-op re-ingest (default 1000)")
    parser.add_argument("--docs", type=int, default=200, help="documents of the interrupted ingest (default 200)")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="--batch-size of the interrupted ingest (default: ingest's own)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsdex-first-minute-") as tmp:
        work = Path(tmp)
        # A home of its own, as a fresh user has: no Prefect profile, newsdex's own state folder.
        env = {"HOME": str(work / "home"), "XDG_STATE_HOME": str(work / "home" / ".local" / "state")}
        for name in [n for n in os.environ if n.startswith("PREFECT_")]:  # as a user who never set Prefect up
            os.environ.pop(name)
        (work / "home").mkdir()
        rows: list[tuple[str, str, str]] = []

        # 1. time to first output, the seeds into a fresh index
        first = ingest(REPO / "seeds", work / "seeds-index", env)
        rows.append(
            (
                "ingest: time to first output (target ≤ 1 s)",
                f"{first.first_output:.2f} s",
                f"whole run {first.seconds:.1f} s; first output at {first.first_output / first.seconds:.1%}",
            )
        )

        # 2. no-op re-ingest of N unchanged files
        folder = work / "files"
        generate_corpus(folder, args.files, seed=7, extraction=ARTICLES)
        made = ingest(folder, work / "files-index", env, "--quiet")
        again = ingest(folder, work / "files-index", env)
        assert "nothing to do" in again.output, again.output[-500:]
        rows.append(
            (
                f"re-ingest of {args.files:,} unchanged files (target ≤ 3 s)",
                f"{again.seconds:.2f} s",
                f"the ingest that made them {made.seconds:.1f} s: {made.seconds / again.seconds:.0f}× longer",
            )
        )

        # 3. M documents, Ctrl-C after the second commit, then again; against one uninterrupted run
        docs = work / "docs"
        generate_corpus(docs, args.docs, seed=11, extraction=ARTICLES)
        batch = ("--batch-size", str(args.batch_size)) if args.batch_size else ()
        whole = ingest(docs, work / "whole-index", env, *batch)
        stopped = ingest(docs, work / "cut-index", env, *batch, interrupt_when=after_commits(work / "cut-index", 2))
        kept = indexed_rows(work / "cut-index")
        resumed = ingest(docs, work / "cut-index", env, *batch)
        report_line = [line for line in resumed.output.splitlines() if "new," in line]
        rows.append(
            (
                f"ingest of {args.docs} docs, Ctrl-C after its 2nd commit",
                f"{kept} kept",
                f"exit {stopped.returncode} at {stopped.interrupted_at or 0:.1f} s; "
                f"{indexed_rows(work / 'cut-index')} after the rerun",
            )
        )
        rows.append(
            (
                "  interrupted + resumed vs uninterrupted",
                f"{stopped.seconds + resumed.seconds:.1f} s",
                f"uninterrupted {whole.seconds:.1f} s: {(stopped.seconds + resumed.seconds) / whole.seconds:.2f}×",
            )
        )
        crash_lines = sum("Crash detected" in r.output for r in (stopped, resumed))
        rows.append(("  Prefect 'Crash detected!' lines", str(crash_lines), "target 0"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  beside")
    for name, value, beside in rows:
        print(f"{name:<{width}}  {value:>10}  {beside}")
    print(json.dumps({"resumed_report": report_line[-1:] if report_line else None, "at": time.strftime("%F %T")}))


if __name__ == "__main__":
    main()
