"""What a run is asked to do, as typed values: the CLI, the served deployment and the tests build one and hand it
to the flow (Prefect validates a flow's pydantic parameters, shows them in its UI as a form, and turns a
deployment's JSON parameters back into the model).

Settings left out (``settings`` None) are read from the environment once, at the flow's start
(``resolved``): a scheduled run reads the serving process's environment, a CLI run the one the CLI resolved.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from newsdex.settings import Settings


class DaskPlan(BaseModel):
    """The flow's task runner is Dask (``flows/launch.py`` sets it): how many batches it keeps in flight, and
    after how many batches the workers of a cluster newsdex started are restarted (0: never)."""

    model_config = ConfigDict(frozen=True)

    in_flight: int = Field(ge=1)
    recycle_after: int = Field(default=0, ge=0)


class RunnerOptions(BaseModel):
    """Who processes the batches (``flows/runners.py``): ``dask`` set, the flow's Dask task runner; else
    ``workers`` local worker processes (None: one per core, once a run has enough documents; 0: none, the
    flow's own process)."""

    model_config = ConfigDict(frozen=True)

    workers: int | None = Field(default=None, ge=0)
    dask: DaskPlan | None = None


class RunOptions(BaseModel):
    """What every writing flow shares: the index, the rules, batches, and how the run is watched."""

    model_config = ConfigDict(frozen=True)

    index: str | None = None  # None: Settings.index
    rules: str | None = None  # None: Settings.rules (the packaged file when unset)
    batch_size: int | None = Field(default=None, ge=1)  # None: Settings.batch_size
    progress: bool = False  # a progress bar on stderr
    lock_held: bool = False  # the caller (the CLI) holds the index's write lock for the whole run
    runner: RunnerOptions = RunnerOptions()
    settings: Settings | None = None  # None: read from the environment at the flow's start

    def resolved(self) -> Settings:
        """The run's settings: those given, else the environment's now; the explicit index, rules and batch size
        win over both."""
        base = self.settings or Settings.from_env()
        index = Path(self.index) if self.index else base.index
        rules = Path(self.rules) if self.rules else base.rules
        return replace(base, index=index, rules=rules, batch_size=self.batch_size or base.batch_size)


class IngestOptions(RunOptions):
    """``ingest_flow``'s one parameter. ``paths`` None: ``Settings.inputs``. ``encoding`` forces how every
    input's bytes are read (default: detected); ``fields`` maps JSON fields (``{"text": "article_body"}``).
    ``reuse_copies`` False enriches every exact copy too (for measuring what the reuse saves)."""

    paths: list[str] | None = None
    prune: bool = False
    encoding: str | None = None
    fields: dict[str, str] | None = None
    reuse_copies: bool = True
    follow_symlinks: bool = False  # read what a symlink inside a named folder points to outside it


class ReindexOptions(RunOptions):
    """``reindex_flow``'s one parameter: ``full`` rebuilds every document into a new generation; ``dry_run``
    writes nothing and reports what would change, with ``examples`` lines per rule."""

    full: bool = False
    dry_run: bool = False
    examples: int = Field(default=3, ge=0)
    manifest_name: str | None = None  # `check --repair`: the manifest it rebuilt beside the live one
