"""The ingest flow: new and changed inputs go through load → clean → segment → enrich → index, a batch at a
time (hundreds of documents per task run, so orchestration costs little next to the work and memory stays flat
whatever the corpus size)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice
from typing import Any

from prefect import flow, get_run_logger
from prefect.utilities.annotations import quote

from newsdex import settings
from newsdex.flows import pool, steps
from newsdex.flows.batch import pack, unpack
from newsdex.flows.dask import restart_workers
from newsdex.flows.report import RunReport, markdown_table, progress_bar
from newsdex.index.store import IndexStore
from newsdex.models import Quarantined, Record
from newsdex.tasks.clean.rules import load_rules
from newsdex.tasks.feeds.stream import FeedStream
from newsdex.tasks.load import is_feed_file

# Records, segments and manifest rows are passed to the tasks that run here wrapped in quote(): otherwise Prefect
# walks every field of every object looking for futures, which costs several times the work of a light stage
# (0.7 s against 0.15 s for 200 documents). The ``process`` task's batch travels as one pickled blob instead (a
# quoted argument would reach a Dask worker still wrapped).


def record_batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    """Batches of records, not files: a 2 GB feed file is read ``size`` records at a time."""
    while batch := list(islice(records, size)):
        yield batch


@flow(name="ingest", log_prints=False)
def ingest_flow(
    paths: list[str] | None = None,
    index: str | None = None,
    rules: str | None = None,
    prune: bool = False,
    batch_size: int | None = None,
    progress: bool = False,
    concurrent_batches: int = 0,
    workers: int | None = None,
    lock_held: bool = False,
    recycle_after: int = 0,
    encoding: str | None = None,
    fields: dict[str, str] | None = None,
    reuse_copies: bool = True,
    follow_symlinks: bool = False,
) -> dict[str, Any]:
    """Ingest files and folders (default: the seeds) into the index; unchanged inputs are skipped.
    ``encoding`` (a codec name) forces how every input's bytes are read (default: detected). Feed files
    (JSON Lines, WARC) give one document per record; ``fields`` maps JSON fields (``{"text": "article_body"}``).

    Every batch is one ``process`` task (``newsdex.flows.batch``: clean, segment, enrich, and the batch's Whoosh
    segment and manifest rows); the one writer here adopts the segments in batch order, so the index holds the
    same documents whichever runs them:
    - ``workers`` local worker processes (``flows/pool.py``; default: one per core, started once the run has
      ``pool.MIN_DOCUMENTS`` documents to process; given explicitly, started for any run; 0: none), up to
      ``2 × workers + 1`` batches in flight, so that this process writes while they work;
    - else this process, one batch at a time;
    - ``concurrent_batches`` N: the flow's task runner is Dask (``flows/runners.py``), N batches in flight.

    ``reuse_copies`` (default): an exact copy of an indexed document, or of one earlier in its batch (the same
    title and text after cleaning), takes its entities from it instead of running the model; False enriches
    every document (for measuring what the reuse saves).

    ``follow_symlinks``: read what a symlink inside a named folder points to outside it (default: quarantined).

    ``recycle_after`` N (local Dask clusters only): after every N batches, the batches in flight are finished
    and the workers restarted (flows/dask.py), so no worker process lives long enough to grow.
    """
    index_root = settings.index_dir(index)
    ruleset = load_rules(rules)
    clean_seconds = settings.clean_seconds()  # read here, so that Dask workers apply the flow's budget
    report = RunReport(kind="ingest", rules_version=ruleset.version)
    stream = FeedStream(paths or settings.default_inputs(), encoding, fields, follow_symlinks=follow_symlinks)
    began = time.time()  # quarantine rows of a feed read whole not renewed since then are stale
    batches = record_batches(iter(stream), batch_size or settings.batch_size())
    # Local worker processes: the default runner's (none on Dask, where the flow's task runner has its own).
    local = 0 if concurrent_batches else (pool.default_workers() if workers is None else workers)
    with ExitStack() as stack, IndexStore(index_root).writing(lock_held) as store:
        run_id = store.start_run("ingest")
        seen: list[str] = []
        new_ids: set[str] = set()  # inputs of this run never indexed before
        # Records are counted as they are read: a feed file's number of records is not known in advance.
        bar = progress_bar(None if any(map(is_feed_file, stream.files)) else len(stream.files), progress)
        in_flight: deque[tuple[Any, int]] = deque()
        # Batches submitted and not yet written: one at a time in this process, more on workers (local or Dask).
        window = concurrent_batches or 1
        waiting = 0  # documents to process met so far, while no local worker runs
        submitted: list[float] = []  # work seconds of each combined task
        since_restart = 0  # batches sent to the current worker processes
        restarts = 0

        def _finish(item: tuple[Any, int]) -> None:
            future, n = item
            rows, built, done = unpack(future.result())
            timings, over_budget = done.timings, done.quarantined
            report.reused += done.reused
            report.stage_seconds.update(timings)  # worker seconds per stage (index: segment, manifest rows)
            with report.stage("index"):  # here: adopting the worker's segment, writing the manifest rows
                steps.index_task(str(index_root), segment=quote(built), rows=quote(rows))
            _quarantine(store, report, over_budget, new_ids)
            report.count_rows(rows)
            submitted.append(sum(timings.values()))
            del rows, built
            _return_free_heap()
            bar(n)

        while True:
            with report.stage("load"):  # reading and decoding the next records, then admitting them
                batch = next(batches, None)
                if batch is None:
                    break
                loaded = steps.load_task(quote(batch), str(index_root), ruleset.version)
            if prune:  # ids are only needed to prune; a long feed would grow this list
                seen.extend(loaded.seen_ids)
            new_ids.update(loaded.new_ids)
            report.new += loaded.new
            report.changed += loaded.changed
            report.unchanged += loaded.unchanged
            report.quarantined.extend(loaded.quarantined)
            if loaded.drop_ids:  # inputs that were searchable and are now bad: keep them listed, not found
                with report.stage("index"):
                    store.unlist(loaded.drop_ids)
            if not loaded.docs:
                bar(len(batch))
                continue
            if local and not pool.active():
                waiting += len(loaded.docs)
                if workers is not None or waiting >= pool.MIN_DOCUMENTS:  # see pool.MIN_DOCUMENTS for the line
                    with report.stage("load"):  # the workers' start overlaps with their first batches
                        stack.enter_context(pool.local_workers(local, settings.worker_batches()))
                    # Two batches per worker plus one: while this process writes one, every worker has another.
                    window = 2 * local + 1
            if recycle_after and since_restart >= recycle_after:  # Dask only: pool workers recycle themselves
                while in_flight:
                    _finish(in_flight.popleft())
                restart_workers()
                restarts += 1
                since_restart = 0
            # One task per batch, as on Dask. Tasks of 100 documents balanced the workers' ends better, but gave the
            # writer five times the segments to merge: at 10k documents 17.1 docs/s against 20.7 on Dask with whole
            # batches (docs/performance.md).
            in_flight.append((steps.process_task.submit(
                pack(loaded.docs), ruleset, clean_seconds, str(index_root) if reuse_copies else None), len(batch)))
            since_restart += 1
            while len(in_flight) >= window:
                _finish(in_flight.popleft())
        while in_flight:
            _finish(in_flight.popleft())
        if prune:
            with report.stage("prune"):
                report.removed = store.prune(seen, stream.read_whole)
        report.records = stream.records
        report.skipped.update(stream.skipped)
        report.dates_dropped.update(stream.dates_dropped)
        report.summarised = stream.summarised
        if stream.read_whole:  # a bad line fixed since (it indexes now) no longer reads as quarantined
            store.clear_quarantined(stream.read_whole, began)
        report.documents = store.document_count()
        result = report.as_dict()
        result["runner"] = {
            "kind": "dask" if concurrent_batches else "local" if pool.active() else "in-process",
            "workers": local if pool.active() else None,
            "tasks": len(submitted),
            "task_work_s": round(sum(submitted), 3),
            "worker_restarts": restarts,
        }
        store.finish_run(run_id, result)
    _publish(result)
    return result


def _quarantine(
    store: IndexStore, report: RunReport, items: list[tuple[str, Quarantined]], new_ids: set[str]
) -> None:
    """Documents the clean stage gave up on (over the budget, no text): out of Whoosh (a changed input's older
    version goes too), listed with the reason and counted as quarantined, not as new or changed; the rest of
    the batch is indexed as usual."""
    if items:
        with report.stage("index"):
            store.quarantine(items)
        report.quarantined.extend(q for _, q in items)
        for doc_id, _ in items:
            if doc_id in new_ids:
                report.new -= 1
            else:
                report.changed -= 1


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


def _publish(result: dict[str, Any]) -> None:
    """Attach the run report to the flow run as a markdown artifact (visible in the Prefect UI)."""
    try:
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(key="ingest-report", markdown=markdown_table(result), description="newsdex ingest")
    except Exception as exc:  # noqa: BLE001 - an artifact failure must not fail a finished ingest
        get_run_logger().warning("could not publish the run report artifact: %s", exc)
