"""Which task runner an ingest uses: the default (local worker processes, flows/pool.py) or Dask (a local
cluster of N single-threaded worker processes, or an existing cluster at an address), and running the flow
with it. Both run the same function per batch (flows/batch.py).

With Dask (``flows/dask.py``), the flow runs against a real Prefect server (``flows/server.py``) whose URL the
workers inherit, and sends one combined task per batch (``flows/batch.py``: clean, segment, enrich and the
batch's Whoosh segment), keeping ``2 × workers + 1`` batches in flight so the flow's one writer, which only
adopts finished segments, merges small ones now and then and records the manifest, overlaps with the workers'
work.
"""

from __future__ import annotations

import time
from typing import Any

from newsdex import settings
from newsdex.flows.dask import cluster_workers, dask_task_runner, drain_prefect_services


def run_ingest(
    params: dict[str, Any], workers: int | None = None, dask: bool = False, dask_address: str | None = None
) -> dict[str, Any]:
    """Run the ingest flow with the runner the options ask for; returns its run report. ``workers``: local
    worker processes (None: one per core, for a run big enough), or with ``dask`` the workers of a local Dask
    cluster (None: one per core)."""
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.pool import default_workers

    if not dask and not dask_address:
        return ingest_flow(**params, workers=workers)
    workers = 0 if dask_address else (workers or default_workers())
    from newsdex.flows.server import prefect_server

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


def task_overhead(workers: int = 1, samples: int = 8, local: bool = False) -> dict[str, float]:
    """Seconds one (empty) process task costs on the Dask runner (or, ``local``, on the default runner's local
    worker processes), submit to result, one at a time."""
    from prefect import flow

    from newsdex.flows import pool, steps
    from newsdex.flows.batch import pack
    from newsdex.flows.server import prefect_server
    from newsdex.tasks.clean.rules import load_rules

    rules = load_rules()

    @flow(name="task-overhead")
    def probe() -> list[float]:
        out = []
        for _ in range(samples):
            t0 = time.perf_counter()
            steps.process_task.submit(pack([]), rules).result()
            out.append(time.perf_counter() - t0)
        return out

    if local:
        with pool.local_workers(workers):
            times = sorted(probe()[1:])  # the first: the worker's start
        return {"median_s": times[len(times) // 2], "max_s": times[-1]}

    with prefect_server(services=False) as api_url:  # lives as long as this run
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            times = sorted(probe.with_options(task_runner=dask_task_runner(workers))()[1:])  # first: warm-up
            drain_prefect_services()
    return {"median_s": times[len(times) // 2], "max_s": times[-1]}
