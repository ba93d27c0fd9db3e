"""Long-lived local worker processes for the default runner: one per core (``--workers N``), each loading the
model once and running the one batch function (``flows/batch.process_packed``: clean, segment, enrich, the
batch's Whoosh segment and manifest rows), so the flow's process only writes the index while the next batches
are in the workers.

Prefect sees every batch as a ``process`` task run on a thread of the flow's process; the task body hands the
batch to a worker here and waits for its result. The same task on a Dask runner runs the function on the Dask
worker itself (no pool there), and with no pool (a small run, ``--workers 0``) in the flow's process: one way of
processing a batch, whichever runner.

Workers start through ``forkserver``: a clean process forks them, so they inherit none of the flow's threads
(Prefect's services) nor its memory. Each is replaced after ``settings.worker_batches()`` batches, so that no
process lives long enough for its heap to grow (docs/performance.md).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from newsdex.flows.batch import process_packed
from newsdex.tasks.clean.rules import Rules

# A run starts its workers once it has this many documents to process. Below it, a worker's start (a fresh
# interpreter importing the stack and loading the model, ~3–4 s, measured in docs/performance.md) costs more than
# the second core saves: at ~10 documents per second per core, 2 workers gain ~0.05 s per document, so the start
# pays off from ~80 documents on. ``make demo`` (5 documents) never starts one.
MIN_DOCUMENTS = 100

_POOL: ProcessPoolExecutor | None = None
_STOPPED = False  # the last workers were killed by a stop: their batches are not to be redone in this process


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
    global _POOL, _STOPPED
    if _POOL is not None:
        raise RuntimeError("local workers are already running in this process")
    _STOPPED = False
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=_warm,
                               max_tasks_per_child=batches_per_worker or None)
    _POOL = pool
    try:
        yield pool
    except BaseException:
        _STOPPED = True  # the batches the killed workers held must not be retried here (process())
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _POOL = None


def active() -> bool:
    return _POOL is not None


def process(raws: bytes, rules: Rules, clean_seconds: float | None = None, index_root: str | None = None) -> bytes:
    """The ``process`` task's body: the batch in a local worker when this run has them, else right here."""
    pool = _POOL
    if pool is None and _STOPPED:  # a retry of a batch whose worker a Ctrl-C or SIGTERM killed: the run is over
        raise RuntimeError("the run was stopped; its worker processes are gone")
    if pool is None:
        return process_packed(raws, rules, clean_seconds, index_root)
    return pool.submit(process_packed, raws, rules, clean_seconds, index_root).result()


def startup_seconds() -> float:
    """How long one worker takes from start to ready (the model loaded): for docs/performance.md."""
    t0 = time.perf_counter()
    with local_workers(1) as pool:
        pool.submit(_warm).result()
    return time.perf_counter() - t0
