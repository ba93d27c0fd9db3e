"""The one writer of a flow run: it admits each batch's records into the index folder and adopts each finished
batch (``flows/batch.BatchResult``, in the order the batches were sent, whichever runner ran them), counting
every document once, when its fate is known: new or changed when its batch is indexed, quarantined when the
load or the clean stage gave up on it, unchanged when it was skipped.

Records, segments and manifest rows are passed to the tasks run here wrapped in ``quote()``: otherwise Prefect
walks every field of every object looking for futures, which costs several times the work of a light stage
(0.7 s against 0.15 s for 200 documents). A job travels as one pickled blob instead (a quoted argument would
reach a Dask worker still wrapped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from prefect.utilities.annotations import quote

from newsdex.flows import steps
from newsdex.flows.batch import BatchResult
from newsdex.flows.report import RunReport
from newsdex.index.store import IndexStore, Rebuilding
from newsdex.models import LoadResult, RawDoc, Record
from newsdex.tasks.clean.reclean import RecleanResult

Progress = Callable[[int], None]
T = TypeVar("T")


def _as_is(value: T) -> T:
    """``value`` handed to a task without Prefect walking it (``quote``), typed as itself."""
    return cast(T, quote(value))


@dataclass(frozen=True)
class Admitted:
    """What the writer keeps of a batch while its job is out: the records it read (for the progress bar), and
    which of its documents are new (the others changed)."""

    records: int
    ids: list[str]
    new_ids: frozenset[str]


class IngestWriter:
    """Admits record batches and adopts their finished jobs into ``store``, counting into ``report``."""

    def __init__(self, store: IndexStore, report: RunReport, bar: Progress, keep_seen: bool) -> None:
        self.store, self.report, self.bar = store, report, bar
        self.keep_seen = keep_seen  # ids are only needed to prune; a long feed would grow this list
        self.seen: list[str] = []

    def admit(self, records: list[Record], rules_version: str) -> tuple[list[RawDoc], Admitted]:
        """Keep the batch's bytes and say which documents are new or changed: those to process now."""
        report = self.report
        with report.stage("load"):
            loaded: LoadResult = steps.load_task(_as_is(records), str(self.store.root), rules_version)
        if self.keep_seen:
            self.seen.extend(loaded.seen_ids)
        report.unchanged += loaded.unchanged
        report.quarantined.extend(loaded.quarantined)
        if loaded.drop_ids:  # inputs that were searchable and are now bad: keep them listed, not found
            with report.stage("index"):
                self.store.unlist(loaded.drop_ids)
        if not loaded.docs:
            self.bar(len(records))
        return loaded.docs, Admitted(len(records), [d.id for d in loaded.docs], frozenset(loaded.new_ids))

    def adopt(self, result: BatchResult, batch: Admitted, stopping: bool = False) -> None:
        """A finished batch: its segment and manifest rows into the index, its over-budget documents
        quarantined (a changed input's older version goes too), the rest counted as new or changed. A run
        ``stopping`` writes with the plain function: no task run, so no word with a Prefect server."""
        report = self.report
        report.reused += result.reused
        report.add_seconds(result.timings)  # worker seconds per stage (index: segment, manifest rows)
        with report.stage("index"):  # here: adopting the worker's segment, writing the manifest rows
            if stopping:
                steps.index_batch(str(self.store.root), segment=result.segment, rows=result.rows)
            else:
                steps.index_task(str(self.store.root), segment=_as_is(result.segment), rows=_as_is(result.rows))
        quarantined = {doc_id for doc_id, _ in result.quarantined}
        if result.quarantined:
            with report.stage("index"):
                self.store.quarantine(result.quarantined)
            report.quarantined.extend(q for _, q in result.quarantined)
        indexed = [doc_id for doc_id in batch.ids if doc_id not in quarantined]
        new = sum(doc_id in batch.new_ids for doc_id in indexed)
        report.new += new
        report.changed += len(indexed) - new
        report.count_rows(result.rows)
        result.rows, result.segment = [], None
        _return_free_heap()
        self.bar(batch.records)


class ReindexWriter:
    """Writes a reindex's re-cleaned batches: unchanged documents keep their entries, changed ones (processed by
    the runner's jobs) are written in place or into ``rebuild``, failures quarantined."""

    def __init__(self, store: IndexStore, report: RunReport, bar: Progress, rebuild: Rebuilding | None) -> None:
        self.store, self.report, self.bar, self.rebuild = store, report, bar, rebuild

    def recleaned(self, res: RecleanResult, ids: int, rules_version: str) -> None:
        """A batch of ``ids`` re-cleaned: keep the unchanged, quarantine the failed (the changed go to a job)."""
        self.store.keep_unchanged(res.unchanged_ids, rules_version, res.relabelled)
        if self.rebuild is not None:
            self.rebuild.quarantine(res.quarantined)  # simply not added to the new generation
        else:
            self.store.quarantine(res.quarantined)  # out of Whoosh first, then listed with its reason
        if not res.changed:
            self.bar(ids)

    def adopt(self, result: BatchResult, ids: int, stopping: bool = False) -> None:
        """A processed batch: its documents written, those a stage failed on quarantined with the reason (in
        a full rebuild: left out of the new generation and listed once it is live)."""
        report = self.report
        report.reused += result.reused
        report.add_seconds(result.timings)
        report.count_docs(result.docs)
        with report.stage("index"):
            if self.rebuild is not None:
                self.rebuild.add(result.docs)
                self.rebuild.quarantine(result.quarantined)
            else:
                steps.index_task(str(self.store.root), _as_is(result.docs))
                self.store.quarantine(result.quarantined)  # its older text would be searched as if current
        report.quarantined.extend(q for _, q in result.quarantined)
        self.bar(ids)


def _return_free_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc only). Each adopted batch brings a few MB of
    documents and segment files, freed after the commit; glibc keeps such holes in its heap (its free part
    grew 23 → 82 MB over 8,000 documents), so the flow's RSS rose with them. Costs a few milliseconds."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # another C library (musl has no malloc_trim)
            pass
