"""Starting an ingest with the runner the options ask for: the default (the flow's process, or local worker
processes, flows/pool.py) or Dask (a local cluster of N single-threaded worker processes, or an existing cluster
at an address). Both run the same job per batch (flows/batch.py).

With Dask (``flows/dask.py``), the flow runs against a real Prefect server (``flows/server.py``) whose URL the
workers inherit, and sends one combined task per batch (``flows/batch.py``: clean, segment, enrich and the
batch's Whoosh segment), keeping ``2 × workers + 1`` batches in flight so the flow's one writer, which only
adopts finished segments, merges small ones now and then and records the manifest, overlaps with the workers'
work.
"""

from __future__ import annotations

import time
from typing import Any

from newsdex.flows.dask import cluster_workers, dask_task_runner, drain_prefect_services
from newsdex.flows.options import DaskPlan, IngestOptions, RunnerOptions


def run_ingest(options: IngestOptions, dask: bool = False, dask_address: str | None = None) -> dict[str, Any]:
    """Run the ingest flow with the runner the options ask for; returns its run report. With ``dask``,
    ``options.runner.workers`` is the size of the local Dask cluster (None: one per core)."""
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.pool import default_workers

    if not dask and not dask_address:
        return ingest_flow(options)
    workers = 0 if dask_address else (options.runner.workers or default_workers())
    from newsdex.flows.server import prefect_server

    with prefect_server(services=False) as api_url:  # lives as long as this run
        from prefect.settings import PREFECT_API_URL, temporary_settings

        # Two batches per worker plus one: while the flow's process adopts a segment and, now and then, merges
        # small segments (seconds, single-threaded), every worker still has a batch to work on.
        in_flight = 2 * (cluster_workers(dask_address) if dask_address else workers) + 1
        # Only a cluster newsdex started is restarted now and then: an existing one belongs to someone else.
        recycle = 0 if dask_address else options.resolved().worker_batches * workers
        plan = RunnerOptions(dask=DaskPlan(in_flight=in_flight, recycle_after=recycle))
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            flow = ingest_flow.with_options(task_runner=dask_task_runner(workers, dask_address))
            try:
                return flow(options.model_copy(update={"runner": plan}))
            finally:
                drain_prefect_services()


def task_overhead(workers: int = 1, samples: int = 8, local: bool = False) -> dict[str, float]:
    """Seconds one (empty) process task costs on the Dask runner (or, ``local``, on the default runner's local
    worker processes), submit to result, one at a time."""
    from prefect import flow

    from newsdex.flows import pool, steps
    from newsdex.flows.batch import BatchJob, pack
    from newsdex.flows.server import prefect_server
    from newsdex.settings import Settings
    from newsdex.tasks.clean.rules import load_rules

    job = pack(BatchJob(load_rules(), Settings.from_env()))
    executor: Any = None  # the local workers, when measured (a closure's: no flow parameter can hold them)

    def probe() -> list[float]:
        out = []
        for _ in range(samples):
            t0 = time.perf_counter()
            steps.process_task.submit(job, executor).result()
            out.append(time.perf_counter() - t0)
        return out

    if local:
        with pool.local_workers(workers) as executor:
            times = sorted(flow(name="task-overhead")(probe)()[1:])  # the first: the worker's start
        return {"median_s": times[len(times) // 2], "max_s": times[-1]}

    with prefect_server(services=False) as api_url:  # lives as long as this run
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            times = sorted(flow(name="task-overhead", task_runner=dask_task_runner(workers))(probe)()[1:])
            drain_prefect_services()  # the first time above: warm-up
    return {"median_s": times[len(times) // 2], "max_s": times[-1]}
