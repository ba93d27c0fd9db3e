"""Which task runner an ingest uses: the default (in-process, one task per stage) or Dask (a local cluster
of N single-threaded worker processes, or an existing cluster at an address), and running the flow with it.

With Dask, the flow runs against a real Prefect server (``flows.server``) whose URL the workers inherit, and
sends one combined task per batch (``tasks.process``: clean, segment, enrich and the batch's Whoosh segment),
keeping ``2 × workers + 1`` batches in flight so the flow's one writer, which only adopts finished segments,
merges small ones now and then and records the manifest, overlaps with the workers' work.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from tasks import settings


def dask_task_runner(workers: int | None = None, address: str | None = None):  # -> prefect_dask.DaskTaskRunner
    from prefect_dask import DaskTaskRunner

    logging.getLogger("distributed").setLevel(logging.WARNING)  # the scheduler's INFO lines are noise on stderr

    if address:
        return DaskTaskRunner(address=address)
    # One thread per worker process: spaCy and Whoosh-free Python work is CPU-bound and holds the GIL.
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers or 1, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None, "silence_logs": logging.WARNING})


def cluster_workers(address: str) -> int:
    """How many worker threads an existing cluster offers (to size the batches kept in flight)."""
    from distributed import Client

    with Client(address, timeout="30s") as client:
        return max(1, sum(client.nthreads().values()))


def run_ingest(params: dict[str, Any], workers: int = 0, dask_address: str | None = None) -> dict[str, Any]:
    """Run the ingest flow with the runner the options ask for; returns its run report."""
    from flows.ingest import ingest_flow

    if not workers and not dask_address:
        return ingest_flow(**params)
    from flows.server import prefect_server

    with prefect_server(services=False) as api_url:  # lives as long as this run
        from prefect.settings import PREFECT_API_URL, temporary_settings

        # Two batches per worker plus one: while the flow's process adopts a segment and, now and then, merges
        # small segments (seconds, single-threaded), every worker still has a batch to work on.
        in_flight = 2 * (cluster_workers(dask_address) if dask_address else workers) + 1
        # Only a cluster newsdex started is restarted now and then: an existing one belongs to someone else.
        recycle = 0 if dask_address else settings.worker_batches() * workers
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            flow = ingest_flow.with_options(task_runner=dask_task_runner(workers, dask_address))
            try:
                return flow(**params, concurrent_batches=in_flight, recycle_after=recycle)
            finally:
                drain_prefect_services()


def restart_workers(timeout: float = 180.0) -> None:
    """Restart every worker of the running flow's Dask cluster and wait until they are back: each nanny
    starts a fresh process. Called between batches with none in flight, so no task is cut short (Dask's own
    ``lifetime`` retires workers on a timer, cancelling their tasks: when both retired together, the flow
    hung)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None:
        raise RuntimeError("restart_workers() runs inside a flow that uses the Dask task runner")
    client = context.task_runner.client
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
        except Exception:  # noqa: BLE001, S110 - best effort: the run itself is finished
            pass


def task_overhead(workers: int = 1, samples: int = 8) -> dict[str, float]:
    """Seconds one (empty) process task costs on the Dask runner, submit to result, one at a time."""
    from prefect import flow

    from flows.server import prefect_server
    from tasks import process
    from tasks.rules import load_rules

    rules = load_rules()

    @flow(name="task-overhead")
    def probe() -> list[float]:
        out = []
        for _ in range(samples):
            t0 = time.perf_counter()
            process.process_task.submit(process.pack([]), rules).result()
            out.append(time.perf_counter() - t0)
        return out

    with prefect_server(services=False) as api_url:  # lives as long as this run
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            times = sorted(probe.with_options(task_runner=dask_task_runner(workers))()[1:])  # first: warm-up
            drain_prefect_services()
    return {"median_s": times[len(times) // 2], "max_s": times[-1]}
