"""The Dask side of a scaled-out ingest: a local cluster of single-threaded worker processes (or an existing
cluster at an address), restarting its workers between batches, and draining Prefect's buffered logs and events
while the run's server is still up."""

from __future__ import annotations

import logging
from typing import Any, cast


def dask_task_runner(workers: int | None = None, address: str | None = None):  # -> prefect_dask.DaskTaskRunner
    from prefect_dask import DaskTaskRunner

    logging.getLogger("distributed").setLevel(logging.WARNING)  # the scheduler's INFO lines are noise on stderr

    if address:
        return DaskTaskRunner(address=address)
    # One thread per worker process: spaCy and Whoosh-free Python work is CPU-bound and holds the GIL.
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers or 1,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "silence_logs": logging.WARNING,
        }
    )


def cluster_workers(address: str) -> int:
    """How many worker threads an existing cluster offers (to size the batches kept in flight)."""
    from distributed import Client

    with Client(address, timeout="30s") as client:
        return max(1, sum(client.nthreads().values()))


def restart_workers(timeout: float = 180.0) -> None:
    """Restart every worker of the running flow's Dask cluster and wait until they are back: each nanny
    starts a fresh process. Called between batches with none in flight, so no task is cut short (Dask's own
    ``lifetime`` retires workers on a timer, cancelling their tasks: when both retired together, the flow
    hung)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None:
        raise RuntimeError("restart_workers() runs inside a flow that uses the Dask task runner")
    client = cast(Any, context.task_runner).client  # a DaskTaskRunner's (prefect_dask is untyped)
    workers = list(client.scheduler_info(n_workers=-1)["workers"])
    status = client.restart_workers(workers, timeout=timeout)
    failed = {worker: state for worker, state in status.items() if state != "OK"}
    if failed:
        raise RuntimeError(f"Dask workers did not restart: {failed}")


def drain_prefect_services(timeout: float = 10.0) -> None:
    """Send buffered logs and events while the run-scoped server is still up (else: 'Error logging to API')."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        try:
            service.drain_all(timeout=timeout)
        except Exception:  # best effort: the run itself is finished
            pass
