"""The ceiling for the whole pipeline's throughput: the enrich stage alone (the slowest stage) over a corpus's
cleaned and segmented documents, in N long-lived worker processes whose model is loaded before the clock starts.
Prints one JSON object: documents, seconds, docs_per_s.

    python -m bench.enrich_ceiling CORPUS --workers 2 --batch-size 500
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _warm() -> None:
    from newsdex.tasks.enrich.stage import load_nlp

    load_nlp()


def _ready() -> int:
    time.sleep(0.5)  # held long enough that the other worker takes the next one: every worker starts
    return 1


def _enrich(docs: list) -> int:
    from newsdex.tasks.enrich.stage import enrich_documents

    return len(enrich_documents(docs, n_process=1))


def segmented(corpus: Path) -> list:
    """Every document of the corpus cleaned and segmented as ingest does (not timed)."""
    from newsdex.models import RawDoc
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_budgeted
    from newsdex.tasks.feeds.stream import FeedStream
    from newsdex.tasks.segment import segment_batch

    raws = [r.doc for r in FeedStream([str(corpus)]) if isinstance(r.doc, RawDoc)]
    cleaned, _ = clean_budgeted(raws, load_rules())
    return segment_batch(cleaned)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=500)
    args = ap.parse_args(argv)
    docs = segmented(args.corpus)
    batches = [docs[i : i + args.batch_size] for i in range(0, len(docs), args.batch_size)]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(args.workers, mp_context=context, initializer=_warm) as pool:
        for f in [pool.submit(_ready) for _ in range(args.workers * 2)]:
            f.result()
        t0 = time.perf_counter()
        done = sum(f.result() for f in [pool.submit(_enrich, b) for b in batches])
        seconds = time.perf_counter() - t0
    print(json.dumps({"documents": done, "seconds": round(seconds, 2), "docs_per_s": round(done / seconds, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
