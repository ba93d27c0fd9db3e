"""One batch of work, whichever runner runs it (a local worker process, flows/pool.py; a Dask worker; or the
flow's own process for a small run): ``BatchJob`` in, ``BatchResult`` out.

An ingest job cleans, segments and enriches its raw inputs and builds the batch's Whoosh segment and manifest
rows, so the flow's one writer only adopts them; a reindex job segments and enriches documents already
re-cleaned, and gives them back as documents (the flow writes them in place, or into a full rebuild).

A task on Dask costs ~0.3–0.4 s of orchestration (docs/pitfalls.md), so a batch is one task instead of one
per stage, and returns each stage's seconds so the run report still shows time per stage. Each worker is one
core: enrichment runs with ``n_process=1``, so spaCy never forks its own processes inside a worker (Dask worker
processes are daemons and may not have children, and two workers each forking two would oversubscribe the
cores). The job carries the run's ``Settings``: a worker applies the flow's cleaning budget and alias file,
never its own environment's.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsdex.models import CleanDoc, EnrichedDoc, Quarantined, RawDoc
from newsdex.settings import DEFAULT_CLEAN_SECONDS, Settings
from newsdex.tasks.clean.rules import Rules

if TYPE_CHECKING:
    from newsdex.index.manifest import ManifestRow
    from newsdex.index.segments import BuiltSegment
    from newsdex.index.store import IndexStore


Originals = Callable[[list[str]], Mapping[str, EnrichedDoc]]
Names = Callable[[], dict[str, str]]


@dataclass(frozen=True)
class BatchJob:
    """One batch: ``raws`` to clean first, or ``cleaned`` documents (a reindex's changed ones) to segment and
    enrich only. ``originals_from``: the index whose exact copies are not enriched again (read-only; None: every
    document is enriched, but copies within the batch still share one enrichment). ``names_from``: the index
    whose English articles' names are matched in documents of languages without a model (read only when the
    batch holds such a document). ``build_segment``: the documents come back as the batch's Whoosh segment and
    manifest rows (False: as documents)."""

    rules: Rules
    settings: Settings
    raws: list[RawDoc] = field(default_factory=list)
    cleaned: list[CleanDoc] = field(default_factory=list)
    originals_from: str | None = None
    build_segment: bool = True
    names_from: str | None = None

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.raws] + [d.id for d in self.cleaned]


@dataclass
class BatchResult:
    docs: list[EnrichedDoc]  # empty when built into ``segment`` and ``rows``
    timings: dict[str, float]  # seconds per stage run here: clean, segment, enrich, index (the segment built)
    quarantined: list[tuple[str, Quarantined]]  # over the cleaning budget, or no text
    reused: int = 0  # exact copies whose entities came from their original
    rows: list[ManifestRow] = field(default_factory=list)
    segment: BuiltSegment | None = None


def process_batch(
    raws: list[RawDoc], rules: Rules, clean_seconds: float | None = None, originals: Originals | None = None
) -> BatchResult:
    """RawDocs → EnrichedDocs, plus seconds spent per stage (clean, segment, enrich), and the documents
    quarantined because their cleaning took over ``clean_seconds`` (None: the default budget). ``originals``
    finds indexed documents by text hash (``IndexStore.originals``): an exact copy of one is not enriched again."""
    budget = DEFAULT_CLEAN_SECONDS if clean_seconds is None else clean_seconds
    settings = Settings(index=Path("."), clean_seconds=budget)  # no index: ``originals`` stands for it
    return _run(BatchJob(rules, settings, raws=raws, build_segment=False), originals)


def run_job(job: BatchJob) -> BatchResult:
    """Run one batch here, in whichever process the runner chose."""
    from newsdex.index.store import IndexStore

    originals = IndexStore(job.originals_from).originals if job.originals_from else None
    names_from = job.names_from
    names = (lambda: archive_names(IndexStore(names_from))) if names_from else None
    return _run(job, originals, names)


def _run(job: BatchJob, originals: Originals | None, names: Names | None = None) -> BatchResult:
    from newsdex.tasks import segment
    from newsdex.tasks.clean.stage import clean_budgeted
    from newsdex.tasks.enrich import stage as enrich
    from newsdex.tasks.enrich.canonical import use_aliases

    use_aliases(job.settings.aliases)
    timings: dict[str, float] = {}
    cleaned, quarantined = list(job.cleaned), list[tuple[str, Quarantined]]()
    t0 = time.perf_counter()
    if job.raws:
        cleaned, quarantined = clean_budgeted(job.raws, job.rules, job.settings.clean_seconds)
        timings["clean"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    segmented = isolated(segment.segment_batch, cleaned, "segmenting", quarantined)
    t2 = time.perf_counter()
    known = originals([d.text_hash for d in segmented]) if originals and segmented else {}
    # The archive's names are read only for a batch that needs them: a query of the whole entity table.
    unmodelled = any(enrich.recogniser_for(d.language) != enrich.ENGLISH_MODEL for d in segmented)
    known_names = names() if names is not None and unmodelled else None
    # One process: spaCy never forks inside a worker (see the module's docstring).
    reused_box = [0]

    def _enrich(docs: list[Any]) -> list[EnrichedDoc]:
        out, n = enrich.enrich_reusing(docs, known, n_process=1, known_names=known_names or None)
        reused_box[0] += n
        return out

    enriched = isolated(_enrich, segmented, "enriching", quarantined)
    reused = reused_box[0]
    timings.update(segment=t2 - t1, enrich=time.perf_counter() - t2)
    result = BatchResult(enriched, timings, quarantined, reused)
    return _built(result) if job.build_segment else result


def _built(result: BatchResult) -> BatchResult:
    """The batch's Whoosh segment and manifest rows built here (``index.segments``, ``index.manifest``): the
    flow's one process only adopts the segment and writes the rows, so the heavy part of indexing scales with
    the workers as well. The documents are dropped: the rows and the segment hold them."""
    from newsdex.index.manifest import manifest_row
    from newsdex.index.segments import build_segment

    t0 = time.perf_counter()
    pairs = isolated(lambda ds: [(d, manifest_row(d)) for d in ds], result.docs, "indexing", result.quarantined)
    docs, rows = [d for d, _ in pairs], [r for _, r in pairs]
    try:
        built = build_segment(docs)
    except Exception:  # a document Whoosh refuses: find it, quarantine it, build the rest
        from newsdex.index.segments import to_fields

        keep = {
            d.id
            for d in isolated(
                lambda ds: [d for d in ds if to_fields(d) is not None], docs, "indexing", result.quarantined
            )
        }
        rows = [r for d, r in zip(docs, rows, strict=True) if d.id in keep]
        docs = [d for d in docs if d.id in keep]
        built = build_segment(docs)
    result.segment = built
    result.rows = rows
    result.timings["index"] = time.perf_counter() - t0
    result.docs = []
    return result


T = TypeVar("T")


def isolated(
    fn: Callable[[list[T]], list[Any]], items: list[T], stage: str, quarantined: list[tuple[str, Quarantined]]
) -> list[Any]:
    """``fn`` over the batch; when it raises, over each document alone, and the ones that still fail are
    quarantined with a one-line reason: one bad document never stops its batch (nor the run).

    Every document of the batch (three or more) failing the same way is not the documents' failure but the
    stage's (a broken model, a full disk, a missing module): it is raised, and the run fails without writing
    this batch. Quarantining them all would empty the archive of a full rebuild and hide the cause among
    per-document reasons. One document's MemoryError or OSError is still that document's."""
    from newsdex.tasks.clean.stage import failed

    try:
        return fn(items)
    except Exception as whole:  # find the document that fails; the others go on
        out: list[Any] = []
        failures: list[tuple[Any, Exception]] = []
        for item in items:
            try:
                out.extend(fn([item]))
            except Exception as exc:
                failures.append((item, exc))
        if len(items) >= ALIKE and len(failures) == len(items) and len({_said(e) for _, e in failures}) == 1:
            raise whole
        quarantined.extend((item.id, failed(item.path, stage, exc)) for item, exc in failures)
        return out


# So many documents failing alike are the stage's failure; two bad copies of one feed record may be theirs.
ALIKE = 3


def _said(exc: Exception) -> tuple[str, str]:
    return type(exc).__name__, str(exc)[:200]


def archive_names(store: IndexStore) -> dict[str, str]:
    """The names the archive's English articles hold (tasks/enrich/known.py), as the batch reads them: a later
    batch of a run also knows the names of the earlier ones."""
    from newsdex.tasks.enrich import known

    rows = store.known_names(
        known.ARCHIVE_LANGUAGE, known.ARCHIVE_TYPES, known.ARCHIVE_MIN_DOCUMENTS, known.ARCHIVE_MAX_NAMES
    )
    return known.archive_names(rows)


def pack(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> Any:
    return pickle.loads(blob)  # our own task's payload, from our own process or worker


def run_packed(job: bytes) -> bytes:
    """``run_job`` with its job and result as single pickled blobs: the form every runner sends. A worker holds
    the inputs of its queued batches and the results of finished ones (until the flow collects them) while it
    works on the next batch; as Python objects those were allocated in between the running batch's own objects
    and kept Python's allocator from giving the running batch's memory back, so a worker's RSS climbed with
    every batch. As blobs they are a few large buffers, and a batch's objects all die with the task: over 10,000
    documents a worker's Python arenas grew half as fast (291 → 355 MB at the 14th batch, against 291 → 396 MB)."""
    return pack(run_job(unpack(job)))
