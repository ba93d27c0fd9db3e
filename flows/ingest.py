"""The ingest flow: new and changed inputs go through load → clean → segment → enrich → index, a batch at a
time (hundreds of documents per task run, so orchestration costs little next to the work and memory stays flat
whatever the corpus size).

Every batch is one job (``flows/batch.py``: clean, segment, enrich, and the batch's Whoosh segment and manifest
rows), run by the runner the options choose (``flows/runners.py``: this process, local worker processes, or
Dask); the one writer here (``flows/writer.py``) admits each batch and adopts the finished jobs in the order
sent, so the index holds the same documents whichever runner ran them.
"""

# No ``from __future__ import annotations`` here: Prefect builds the flow's parameter model from the signature
# in a deployment's run, and a string annotation ("IngestOptions") is not resolved there.

import time
from collections.abc import Iterator
from itertools import islice
from typing import Any

from prefect import flow, get_run_logger

from newsdex import progress as events
from newsdex.flows.batch import BatchJob
from newsdex.flows.options import IngestOptions
from newsdex.flows.report import RunReport, markdown_table, progress_bar
from newsdex.flows.runners import open_runner
from newsdex.flows.writer import IngestWriter
from newsdex.index.store import IndexStore
from newsdex.models import Record
from newsdex.tasks.clean.rules import load_rules
from newsdex.tasks.feeds.stream import FeedStream
from newsdex.tasks.load import is_feed_file


def record_batches(records: Iterator[Record], size: int, report: RunReport) -> Iterator[list[Record]]:
    """Batches of records, not files: a 2 GB feed file is read ``size`` records at a time (timed as loading)."""
    while True:
        with report.stage("load"):
            batch = list(islice(records, size))
        if not batch:
            return
        yield batch


@flow(name="ingest", log_prints=False)
def ingest_flow(options: IngestOptions = IngestOptions()) -> dict[str, Any]:  # noqa: B008 - frozen, never changed
    """Ingest files and folders (default: the seeds) into the index; unchanged inputs are skipped. Feed files
    (JSON Lines, WARC) give one document per record. ``options``: flows/options.py."""
    settings = options.resolved()
    ruleset = load_rules(settings.rules)
    report = RunReport(kind="ingest", rules_version=ruleset.version)
    stream = FeedStream(
        options.paths or list(settings.inputs),
        options.encoding,
        options.fields,
        settings.max_bytes,
        follow_symlinks=options.follow_symlinks,
        max_file_bytes=settings.max_file_bytes,
        max_quarantined=settings.max_quarantined,
    )
    began = time.time()  # quarantine rows of a feed read whole not renewed since then are stale
    originals = str(settings.index) if options.reuse_copies else None  # exact copies take their entities
    with IndexStore(settings.index).writing(options.lock_held) as store:
        run_id = store.start_run("ingest")
        # Records are counted as they are read: a feed file's number of records is not known in advance.
        bar = progress_bar(None if any(map(is_feed_file, stream.files)) else len(stream.files), options.progress)
        writer = IngestWriter(store, report, bar, keep_seen=options.prune)
        # Ctrl-C or SIGTERM: the batches already finished are committed on the way out (runners.Runner), only
        # while the caller holds the write lock across the run (the CLI does): ``writing`` lets go of its own.
        with open_runner(options.runner, settings, writer.adopt, keep_on_stop=options.lock_held) as runner:
            for records in record_batches(iter(stream), settings.batch_size, report):
                docs, admitted = writer.admit(records, ruleset.version)
                if docs:
                    with report.stage("load"):  # a runner's workers start here, overlapping their first batches
                        started = runner.workers
                        runner.prepare(len(docs))
                    if runner.workers and not started:
                        events.emit("phase", text=f"{runner.workers} worker processes loading the model")
                    elif not runner.tasks and not runner.workers:
                        events.emit("phase", text="cleaning, segmenting, enriching (loading the model)")
                    index = str(settings.index)
                    job = BatchJob(ruleset, settings, raws=docs, originals_from=originals, names_from=index)
                    runner.send(job, admitted)
            runner.finish()
            if options.prune:
                with report.stage("prune"):
                    report.removed = store.prune(writer.seen, stream.read_whole)
            report.records = stream.records
            report.skipped.update(stream.skipped)
            report.dates_dropped.update(stream.dates_dropped)
            report.summarised = stream.summarised
            if stream.read_whole:  # a bad line fixed since (it indexes now) no longer reads as quarantined
                store.clear_quarantined(stream.read_whole, began)
            report.documents = store.document_count()
            result = report.as_dict() | {"runner": runner.summary()}
        store.finish_run(run_id, result)
    _publish(result)
    return result


def _publish(result: dict[str, Any]) -> None:
    """Attach the run report to the flow run as a markdown artifact (visible in the Prefect UI)."""
    try:
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(key="ingest-report", markdown=markdown_table(result), description="newsdex ingest")
    except Exception as exc:  # an artifact failure must not fail a finished ingest
        get_run_logger().warning("could not publish the run report artifact: %s", exc)
