"""Long-lived local worker processes for the default runner (``flows/runners.LocalRunner``): one per core
(``--workers N``), each loading the model once and running the one batch function (``flows/batch.run_packed``:
clean, segment, enrich, the batch's Whoosh segment and manifest rows), so the flow's process only writes the
index while the next batches are in the workers.

Prefect sees every batch as a ``process`` task run on a thread of the flow's process; the task body hands the
batch to the workers it is given and waits for its result. The same task on a Dask runner runs the job on the
Dask worker itself, and with no workers (a small run, ``--workers 0``) in the flow's process: one way of
processing a batch, whichever runner.

Workers start through ``forkserver``: a clean process forks them, so they inherit none of the flow's threads
(Prefect's services) nor its memory. Each is replaced after ``Settings.worker_batches`` batches, so that no
process lives long enough for its heap to grow (docs/performance.md).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from newsdex.flows.batch import run_packed

# A run starts its workers once it has this many documents to process. Below it, a worker's start (a fresh
# interpreter importing the stack and loading the model, ~3–4 s, measured in docs/performance.md) costs more than
# the second core saves: at ~10 documents per second per core, 2 workers gain ~0.05 s per document, so the start
# pays off from ~80 documents on. ``make demo`` (5 documents) never starts one.
MIN_DOCUMENTS = 100


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _warm() -> None:
    """In each new worker, before its first batch: the model and the stages' imports, once."""
    from newsdex.tasks.enrich.stage import load_nlp

    load_nlp()


@contextmanager
def local_workers(n: int, batches_per_worker: int = 0) -> Iterator[ProcessPoolExecutor]:
    """``n`` worker processes for this flow run's ``process`` tasks; each replaced after ``batches_per_worker``
    batches (0: never). When the block ends normally every batch is done and the workers just exit; when it
    ends by an error or a signal (``Terminated``), the workers are killed at once rather than waited for: the
    run stops now, and what they were doing is redone by the next run."""
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=_warm, max_tasks_per_child=batches_per_worker or None)
    try:
        yield pool
    except BaseException:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)


def process(job: bytes, workers: ProcessPoolExecutor | None = None) -> bytes:
    """The ``process`` task's body: the packed job in one of ``workers`` when the run has them, else right here
    (the flow's process, or the Dask worker the task runs on)."""
    if workers is None:
        return run_packed(job)
    return workers.submit(run_packed, job).result()


def startup_seconds() -> float:
    """How long one worker takes from start to ready (the model loaded): for docs/performance.md."""
    t0 = time.perf_counter()
    with local_workers(1) as pool:
        pool.submit(_warm).result()
    return time.perf_counter() - t0
