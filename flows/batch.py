"""Clean, segment and enrich one batch, and build its Whoosh segment, in a single task: the unit of work of
every runner (a local worker process, flows/pool.py; a Dask worker; or the flow's own process for a small run).

A task on Dask costs ~0.3–0.4 s of orchestration (docs/pitfalls.md), so a batch is one task instead of one
per stage, and returns each stage's seconds so the run report still shows time per stage. Each worker is one
core: enrichment runs with ``n_process=1``, so spaCy never forks its own processes inside a worker (Dask worker
processes are daemons and may not have children, and two workers each forking two would oversubscribe the
cores).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from newsdex.models import EnrichedDoc, Quarantined, RawDoc
from newsdex.tasks.clean.rules import Rules

if TYPE_CHECKING:
    from newsdex.index.manifest import ManifestRow
    from newsdex.index.segments import BuiltSegment


Originals = Callable[[list[str]], Mapping[str, EnrichedDoc]]


@dataclass
class BatchResult:
    docs: list[EnrichedDoc]
    timings: dict[str, float]  # seconds per stage: clean, segment, enrich (and index, when built here)
    quarantined: list[tuple[str, Quarantined]]  # over the cleaning budget, or no text
    reused: int = 0  # exact copies whose entities came from their original


def process_batch(
    raws: list[RawDoc], rules: Rules, clean_seconds: float | None = None, originals: Originals | None = None
) -> BatchResult:
    """RawDocs → EnrichedDocs, plus seconds spent per stage (clean, segment, enrich), and the documents
    quarantined because their cleaning took over ``clean_seconds`` (None: the setting). ``originals`` finds
    indexed documents by text hash (``IndexStore.originals``): an exact copy of one is not enriched again."""
    from newsdex.tasks import segment
    from newsdex.tasks.clean.stage import clean_budgeted
    from newsdex.tasks.enrich import stage as enrich

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cleaned, quarantined = clean_budgeted(raws, rules, clean_seconds)
    t1 = time.perf_counter()
    segmented = isolated(segment.segment_batch, cleaned, "segmenting", quarantined)
    t2 = time.perf_counter()
    known = originals([d.text_hash for d in segmented]) if originals and segmented else {}
    # One process: spaCy never forks inside a worker (see the module's docstring).
    reused_box = [0]

    def _enrich(docs: list[Any]) -> list[EnrichedDoc]:
        out, n = enrich.enrich_reusing(docs, known, n_process=1)
        reused_box[0] += n
        return out

    enriched = isolated(_enrich, segmented, "enriching", quarantined)
    reused = reused_box[0]
    t3 = time.perf_counter()
    timings.update(clean=t1 - t0, segment=t2 - t1, enrich=t3 - t2)
    return BatchResult(enriched, timings, quarantined, reused)


def process_for_index(
    raws: list[RawDoc], rules: Rules, clean_seconds: float | None = None, index_root: str | None = None
) -> tuple[list[ManifestRow], BuiltSegment | None, BatchResult]:
    """``process_batch``, then the batch's Whoosh segment and its manifest rows built here too
    (``index.segments``, ``index.manifest.manifest_row``): the flow's one process only adopts the segment
    and writes the rows, so the heavy part of indexing scales with the workers as well. ``index_root``: the
    index whose exact copies are not enriched again (read-only here; None: every document is enriched).
    The result's ``docs`` are dropped: the rows and the segment hold them."""
    from newsdex.index.manifest import manifest_row
    from newsdex.index.segments import build_segment
    from newsdex.index.store import IndexStore

    result = process_batch(raws, rules, clean_seconds, IndexStore(index_root).originals if index_root else None)
    t0 = time.perf_counter()
    pairs = isolated(lambda ds: [(d, manifest_row(d)) for d in ds], result.docs, "indexing", result.quarantined)
    docs, rows = [d for d, _ in pairs], [r for _, r in pairs]
    try:
        built = build_segment(docs)
    except Exception:  # noqa: BLE001 - a document Whoosh refuses: find it, quarantine it, build the rest
        from newsdex.index.segments import to_fields

        keep = {d.id for d in isolated(lambda ds: [d for d in ds if to_fields(d) is not None], docs, "indexing",
                                       result.quarantined)}
        rows = [r for d, r in zip(docs, rows, strict=True) if d.id in keep]
        docs = [d for d in docs if d.id in keep]
        built = build_segment(docs)
    result.timings["index"] = time.perf_counter() - t0
    result.docs = []
    return rows, built, result


T = TypeVar("T")


def isolated(fn: Callable[[list[T]], list[Any]], items: list[T], stage: str,
             quarantined: list[tuple[str, Quarantined]]) -> list[Any]:
    """``fn`` over the batch; when it raises, over each document alone, and the ones that still fail are
    quarantined with a one-line reason: one bad document never stops its batch (nor the run)."""
    from newsdex.tasks.clean.stage import failed

    try:
        return fn(items)
    except Exception:  # noqa: BLE001 - find the document that fails; the others go on
        out: list[Any] = []
        for item in items:
            try:
                out.extend(fn([item]))
            except Exception as exc:  # noqa: BLE001
                quarantined.append((item.id, failed(item.path, stage, exc)))  # type: ignore[attr-defined]
        return out


def pack(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Any:
    return pickle.loads(blob)  # noqa: S301 - our own task's payload, from our own process or worker


def process_packed(
    raws: bytes, rules: Rules, clean_seconds: float | None = None, index_root: str | None = None
) -> bytes:
    """``process_for_index`` with its documents in and out as single pickled blobs: the form the Dask path
    sends. A worker holds the inputs of its queued batches and the results of finished ones (until the flow
    collects them) while it works on the next batch; as Python objects those were allocated in between the
    running batch's own objects and kept Python's allocator from giving the running batch's memory back, so a
    worker's RSS climbed with every batch. As blobs they are a few large buffers, and a batch's objects all
    die with the task: over 10,000 documents a worker's Python arenas grew half as fast (291 → 355 MB at the
    14th batch, against 291 → 396 MB)."""
    return pack(process_for_index(unpack(raws), rules, clean_seconds, index_root))
