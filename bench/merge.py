"""Segment merge benchmark: CPU seconds to merge segments with Whoosh's own merge (``SegmentWriter.add_reader``,
through its posting pool) and with newsdex's term-by-term merge (``index.merge.MergingWriter``), on the same
segments, and whether the two merged segments are the same bytes.

    python bench/merge.py --index var/bench/index-2000-w2 --docs 1000 --segment 100
    python bench/merge.py --docs 300                   # documents enriched here (bench/corpus.py + seeds)

Documents come from the manifest of an existing index (what ``bench/pipeline.py`` leaves), or are generated
and enriched first. They are built into segments of ``--segment`` documents (what Dask workers hand over),
a few are deleted, and each merge runs ``--repeat`` times on a fresh copy; the best CPU time is reported.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from whoosh.filedb.filestore import FileStorage  # noqa: E402 - after the path setup, as bench scripts do
from whoosh.index import TOC  # noqa: E402
from whoosh.reading import SegmentReader  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

from index.manifest import unpack  # noqa: E402
from index.merge import MergingWriter  # noqa: E402
from index.schema import build_schema  # noqa: E402
from index.segments import BuiltSegment, build_segment  # noqa: E402
from tasks.models import EnrichedDoc  # noqa: E402


def documents(index: Path | None, n: int, work: Path) -> list[EnrichedDoc]:
    if index is not None:
        with sqlite3.connect(index / "manifest.sqlite") as conn:
            rows = conn.execute("SELECT doc FROM documents WHERE doc IS NOT NULL ORDER BY id LIMIT ?", (n,))
            return [unpack(blob) for (blob,) in rows]
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import generate_corpus

    from tasks import load
    from tasks.process import process_batch
    from tasks.rules import load_rules

    generate_corpus(work / "corpus", n, seed=0)
    raws = [r for r in map(load.load_path, load.iter_input_files([str(work / "corpus")])) if not hasattr(r, "reason")]
    return process_batch(raws, load_rules())[0]


def index_of(folder: Path, built: list[BuiltSegment], delete_ids: Sequence[str] = ()):  # -> whoosh FileIndex
    """An index of segments built apart (what Dask workers hand over), with ``delete_ids`` then deleted."""
    folder.mkdir(parents=True)
    storage = FileStorage(str(folder), supports_mmap=False)
    ix = storage.create_index(build_schema())
    for b in built:
        for name, data in b.files.items():
            with storage.create_file(name) as f:
                f.write(data)
    TOC(ix.schema, [b.segment for b in built], 1).write(storage, "MAIN")
    ix = storage.open_index()
    if delete_ids:
        writer = ix.writer()
        for doc_id in delete_ids:
            writer.delete_by_term("id", doc_id)
        writer.commit(merge=False)
    return ix


def merge_all(writer: SegmentWriter, segments: list) -> list:
    """A merge policy that merges every segment (a writer's ``commit(mergetype=...)``)."""
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        if not isinstance(writer, MergingWriter):  # a MergingWriter reads the postings at its flush
            reader.close()
    return []


def segment_digests(folder: Path) -> list[dict[str, str]]:
    """For each segment of the index in ``folder``: the sha256 of each of its files, by what follows the
    segment's random name (so two indexes' segments compare)."""
    storage = FileStorage(str(folder))
    out = []
    for segment in storage.open_index()._segments():
        files = segment.open_compound_file(storage) if segment.is_compound() else storage
        digests = {}
        for name in files.list():
            if segment.segment_id() in name:
                with files.open_file(name) as f:
                    digests[name[name.index(".") :]] = hashlib.sha256(f.read()).hexdigest()
        out.append(digests)
    return out


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
