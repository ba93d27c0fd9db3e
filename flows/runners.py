"""Who runs a flow's batch jobs, behind one small interface: ``send`` a job, ``finish`` at the end; the runner
keeps at most ``window`` batches in flight and hands each result, in the order sent, to the writer's ``adopt``,
so the index holds the same documents whichever runner ran them.

- ``Runner``: the flow's own process, one batch at a time;
- ``LocalRunner``: local worker processes (``flows/pool.py``), started once the run has ``pool.MIN_DOCUMENTS``
  documents to process (or at once, when the number of workers was given), ``2 × workers + 1`` batches in
  flight so that the flow's process writes while they work;
- ``DaskRunner``: the flow's Dask task runner (``flows/launch.py`` sets it), N batches in flight, and a local
  cluster's workers restarted every so many batches (``flows/dask.py``), so no worker lives long enough to grow.

Every runner sends the same ``process`` task (``flows/steps.py``) with the job as one pickled blob.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from typing import Any

from newsdex.flows import steps
from newsdex.flows.batch import BatchJob, BatchResult, pack, unpack
from newsdex.flows.options import DaskPlan, RunnerOptions
from newsdex.settings import Settings

# The writer's: a finished batch, what was sent with its job, and whether the run is stopping (then the writer
# writes without Prefect's task runs).
Adopt = Callable[[BatchResult, Any, bool], None]


class Runner:
    """The flow's own process, one batch at a time. Subclasses choose where the ``process`` task sends a job
    (``_workers``), how many batches stay in flight (``window``) and what happens before a job is sent."""

    kind = "in-process"

    def __init__(self, adopt: Adopt, keep_on_stop: bool = False) -> None:
        self._adopt = adopt
        self._keep_on_stop = keep_on_stop
        self._queue: deque[tuple[Any, Any]] = deque()
        self._stack = ExitStack()
        self.tasks = 0
        self.work_s = 0.0  # the jobs' own seconds, summed over the stages they ran
        self.restarts = 0

    @property
    def window(self) -> int:
        return 1

    @property
    def workers(self) -> int | None:
        return None

    def prepare(self, documents: int) -> None:
        """``documents`` are about to be sent (a runner may start its workers now)."""

    def send(self, job: BatchJob, tag: Any) -> None:
        """Send ``job`` (``tag`` goes back to the writer with its result); adopt results while too many are in
        flight."""
        self._before_send()
        self._queue.append((steps.process_task.submit(pack(job), self._pool()), tag))
        while len(self._queue) >= self.window:
            self._adopt_next()

    def finish(self) -> None:
        """Adopt every batch still in flight."""
        while self._queue:
            self._adopt_next()

    def summary(self) -> dict[str, Any]:
        """The run report's ``runner`` entry."""
        return {
            "kind": self.kind,
            "workers": self.workers,
            "tasks": self.tasks,
            "task_work_s": round(self.work_s, 3),
            "worker_restarts": self.restarts,
        }

    def _before_send(self) -> None:
        pass

    def _pool(self) -> ProcessPoolExecutor | None:
        return None

    def _adopt_next(self) -> None:
        future, tag = self._queue.popleft()
        result: BatchResult = unpack(future.result())
        self.tasks += 1
        self.work_s += sum(result.timings.values())
        self._adopt(result, tag, False)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> bool | None:
        try:
            return self._stack.__exit__(*exc)  # type: ignore[arg-type]  # stops the workers first
        finally:
            if exc[0] is not None and self._keep_on_stop:
                self._keep_finished()

    def _keep_finished(self) -> None:
        """A run stopped (Ctrl-C, SIGTERM, an error): the batches already finished are adopted, in the order
        sent, up to the first that is not; one running in this process is waited for (the task runner waits
        for its thread anyway). Prefect is not asked for anything: Ctrl-C at a terminal reached its temporary
        server too. A batch still in a worker, or failed, is redone by the next run."""
        while self._queue:
            future, tag = self._queue[0]
            wrapped = getattr(future, "wrapped_future", None)
            if wrapped is None:
                return
            try:
                if not wrapped.done() and self.kind == "in-process":
                    wrapped.exception()  # waits; a second Ctrl-C stops the wait, and the batch is redone
                if not wrapped.done() or wrapped.cancelled() or wrapped.exception() is not None:
                    return
                result: BatchResult = unpack(wrapped.result().result())  # the task's state, read locally
            except BaseException:  # stopped again, or the state cannot be read: the next run redoes it
                return
            self._queue.popleft()
            self._adopt(result, tag, True)


class LocalRunner(Runner):
    """``n`` local worker processes, each replaced after ``batches_per_worker`` batches; started when the run has
    enough documents to pay for their start (``pool.MIN_DOCUMENTS``), or at once when ``n`` was asked for."""

    def __init__(self, adopt: Adopt, n: int, asked: bool, batches_per_worker: int, keep_on_stop: bool = False) -> None:
        super().__init__(adopt, keep_on_stop)
        self._n, self._asked, self._batches = n, asked, batches_per_worker
        self._started: ProcessPoolExecutor | None = None
        self._waiting = 0  # documents to process met so far, while no worker runs

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "local" if self._started else "in-process"

    @property
    def window(self) -> int:
        # Two batches per worker plus one: while this process writes one, every worker has another.
        return 2 * self._n + 1 if self._started else 1

    @property
    def workers(self) -> int | None:
        return self._n if self._started else None

    def prepare(self, documents: int) -> None:
        from newsdex.flows.pool import MIN_DOCUMENTS, local_workers

        if self._started is None:
            self._waiting += documents
            if self._asked or self._waiting >= MIN_DOCUMENTS:  # see pool.MIN_DOCUMENTS for the line
                self._started = self._stack.enter_context(local_workers(self._n, self._batches))

    def _pool(self) -> ProcessPoolExecutor | None:
        return self._started


class DaskRunner(Runner):
    """The flow's Dask task runner: ``plan.in_flight`` batches in flight; every ``plan.recycle_after`` batches
    (0: never), the batches in flight are finished and the workers restarted."""

    kind = "dask"

    def __init__(self, adopt: Adopt, plan: DaskPlan) -> None:
        super().__init__(adopt)
        self._plan = plan
        self._since_restart = 0  # batches sent to the current worker processes

    @property
    def window(self) -> int:
        return self._plan.in_flight

    def _before_send(self) -> None:
        from newsdex.flows.dask import restart_workers

        if self._plan.recycle_after and self._since_restart >= self._plan.recycle_after:
            self.finish()
            restart_workers()
            self.restarts += 1
            self._since_restart = 0
        self._since_restart += 1


def open_runner(choice: RunnerOptions, settings: Settings, adopt: Adopt, keep_on_stop: bool = False) -> Runner:
    """The runner ``choice`` asks for (use it as a context manager: it stops its workers at the end; with
    ``keep_on_stop``, a run that stops adopts the batches already finished first)."""
    from newsdex.flows.pool import default_workers

    if choice.dask is not None:
        return DaskRunner(adopt, choice.dask)
    n = default_workers() if choice.workers is None else choice.workers
    if not n:
        return Runner(adopt, keep_on_stop)
    return LocalRunner(
        adopt,
        n,
        asked=choice.workers is not None,
        batches_per_worker=settings.worker_batches,
        keep_on_stop=keep_on_stop,
    )
