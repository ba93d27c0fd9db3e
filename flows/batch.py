"""Clean, segment and enrich one batch, and build its Whoosh segment, in a single task: the unit of work sent
to a Dask worker.

A task on Dask costs ~0.3–0.4 s of orchestration (docs/pitfalls.md), so the scale-out path sends one task
per batch instead of one per stage, and returns each stage's seconds so the run report still shows time per
stage. Each worker is one core: enrichment runs in chunks below ``enrich.PARALLEL_MIN_WORDS`` words, so spaCy
never forks its own processes inside a worker (Dask worker processes are daemons and may not have children,
and two workers each forking two processes would oversubscribe the cores).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newsdex.models import EnrichedDoc, Quarantined, RawDoc, SegmentedDoc
from newsdex.tasks.clean.rules import Rules

if TYPE_CHECKING:
    from newsdex.index.manifest import ManifestRow
    from newsdex.index.segments import BuiltSegment


def single_core_chunks(docs: list[SegmentedDoc], max_words: int) -> Iterator[list[SegmentedDoc]]:
    """Consecutive chunks whose text stays under ``max_words`` words (one long document makes its own chunk)."""
    from newsdex.tasks.enrich.stage import document_text

    chunk: list[SegmentedDoc] = []
    words = 0
    for doc in docs:
        n = document_text(doc).count(" ") + 1
        if chunk and words + n >= max_words:
            yield chunk
            chunk, words = [], 0
        chunk.append(doc)
        words += n
    if chunk:
        yield chunk


def process_batch(
    raws: list[RawDoc], rules: Rules, clean_seconds: float | None = None
) -> tuple[list[EnrichedDoc], dict[str, float], list[tuple[str, Quarantined]]]:
    """RawDocs → EnrichedDocs, plus seconds spent per stage (clean, segment, enrich), and the documents
    quarantined because their cleaning took over ``clean_seconds`` (None: the setting)."""
    from newsdex.tasks import segment
    from newsdex.tasks.clean.stage import clean_budgeted
    from newsdex.tasks.enrich import stage as enrich

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cleaned, quarantined = clean_budgeted(raws, rules, clean_seconds)
    t1 = time.perf_counter()
    segmented = segment.segment_batch(cleaned)
    t2 = time.perf_counter()
    # A document's entities do not depend on the documents beside it, so chunking changes no result.
    enriched = [d for chunk in single_core_chunks(segmented, enrich.PARALLEL_MIN_WORDS)
                for d in enrich.enrich_documents(chunk)]
    t3 = time.perf_counter()
    timings.update(clean=t1 - t0, segment=t2 - t1, enrich=t3 - t2)
    return enriched, timings, quarantined


def process_for_index(
    raws: list[RawDoc], rules: Rules, clean_seconds: float | None = None
) -> tuple[list[ManifestRow], dict[str, float], BuiltSegment | None, list[tuple[str, Quarantined]]]:
    """``process_batch``, then the batch's Whoosh segment and its manifest rows built here too
    (``index.segments``, ``index.manifest.manifest_row``): the flow's one process only adopts the segment
    and writes the rows, so the heavy part of indexing scales with the workers as well."""
    from newsdex.index.manifest import manifest_row
    from newsdex.index.segments import build_segment

    enriched, timings, quarantined = process_batch(raws, rules, clean_seconds)
    t0 = time.perf_counter()
    built = build_segment(enriched)
    rows = [manifest_row(d) for d in enriched]
    timings["index"] = time.perf_counter() - t0
    return rows, timings, built, quarantined


def pack(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Any:
    return pickle.loads(blob)  # noqa: S301 - our own task's payload, from our own process or worker


def process_packed(raws: bytes, rules: Rules, clean_seconds: float | None = None) -> bytes:
    """``process_for_index`` with its documents in and out as single pickled blobs: the form the Dask path
    sends. A worker holds the inputs of its queued batches and the results of finished ones (until the flow
    collects them) while it works on the next batch; as Python objects those were allocated in between the
    running batch's own objects and kept Python's allocator from giving the running batch's memory back, so a
    worker's RSS climbed with every batch. As blobs they are a few large buffers, and a batch's objects all
    die with the task: over 10,000 documents a worker's Python arenas grew half as fast (291 → 355 MB at the
    14th batch, against 291 → 396 MB)."""
    return pack(process_for_index(unpack(raws), rules, clean_seconds))
