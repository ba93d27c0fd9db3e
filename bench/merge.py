"""Segment merge benchmark: CPU seconds to merge segments with Whoosh's own merge (``SegmentWriter.add_reader``,
through its posting pool) and with newsdex's term-by-term merge (``newsdex.index.merge.MergingWriter``), on the same
segments, and whether the two merged segments are the same bytes.

    python -m bench.merge --index var/bench/index-2000-w2 --docs 1000 --segment 100
    python -m bench.merge --docs 300                   # documents enriched here (tools/corpus.py + seeds)

Documents come from the manifest of an existing index (what ``bench/pipeline.py`` leaves), or are generated
and enriched first. They are built into segments of ``--segment`` documents (what Dask workers hand over),
a few are deleted, and each merge runs ``--repeat`` times on a fresh copy; the best CPU time is reported.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from whoosh.writing import SegmentWriter

from newsdex.index.manifest import unpack
from newsdex.index.merge import MergingWriter
from newsdex.index.segments import build_segment
from newsdex.models import EnrichedDoc
from tools.merge_check import index_of, merge_all, segment_digests


def documents(index: Path | None, n: int, work: Path) -> list[EnrichedDoc]:
    if index is not None:
        with sqlite3.connect(index / "manifest.sqlite") as conn:
            rows = conn.execute("SELECT doc FROM documents WHERE doc IS NOT NULL ORDER BY id LIMIT ?", (n,))
            return [unpack(blob) for (blob,) in rows]
    from newsdex.flows.batch import process_batch
    from newsdex.tasks import load
    from newsdex.tasks.clean.rules import load_rules
    from tools.corpus import generate_corpus

    generate_corpus(work / "corpus", n, seed=0)
    raws = [r for r in map(load.load_path, load.iter_input_files([str(work / "corpus")])) if not hasattr(r, "reason")]
    return process_batch(raws, load_rules()).docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, help="read the documents from this index's manifest")
    ap.add_argument("--docs", type=int, default=300, help="documents to merge")
    ap.add_argument("--segment", type=int, default=100, help="documents per segment before the merge")
    ap.add_argument("--delete-every", type=int, default=37, help="delete every Nth document first (0: none)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdex-merge-bench-") as tmp:
        work = Path(tmp)
        docs = documents(args.index, args.docs, work)
        built = [build_segment(docs[i : i + args.segment]) for i in range(0, len(docs), args.segment)]
        results = {}
        for label, writer_class in (("whoosh", SegmentWriter), ("newsdex", MergingWriter)):
            best = float("inf")
            for attempt in range(args.repeat):
                folder = work / f"{label}-{attempt}"
                deleted = [i for b in built for i in b.ids[:: args.delete_every]] if args.delete_every else []
                ix = index_of(folder, built, deleted)
                t0 = time.process_time()
                writer_class(ix, limitmb=64).commit(mergetype=merge_all)
                best = min(best, time.process_time() - t0)
                (digests,) = segment_digests(folder)  # merged into one segment
                results[label] = (best, digests)
                shutil.rmtree(folder)
        whoosh_s, whoosh_digest = results["whoosh"]
        ours_s, ours_digest = results["newsdex"]
        deleted = f"every {args.delete_every}th deleted" if args.delete_every else "none deleted"
        print(f"{len(docs)} documents in {len(built)} segments of {args.segment} ({deleted})")
        print(f"whoosh merge:  {whoosh_s:.2f} CPU-s ({1000 * whoosh_s / len(docs):.1f} ms per document)")
        print(f"newsdex merge: {ours_s:.2f} CPU-s ({1000 * ours_s / len(docs):.1f} ms per document)")
        print(f"speed-up: {whoosh_s / ours_s:.2f}x; same segment bytes: {ours_digest == whoosh_digest}")
    return 0 if ours_digest == whoosh_digest else 1


if __name__ == "__main__":
    raise SystemExit(main())
