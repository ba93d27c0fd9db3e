"""The Prefect tasks of the flows, declared in one place: each is a thin wrapper over a stage's plain function
(``newsdex.tasks``) or a call to the index folder's owner (``newsdex.index.store``). Only ``flows/`` imports this
module, so a stage, the index and the read-only commands never import Prefect.

No Prefect cache on any task: hashing hundreds of documents per call costs as much as the work, and skipping
unchanged documents is the manifest's job (docs/contract.md, index folder).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from prefect import Task
from prefect.cache_policies import NO_CACHE

from newsdex.flows import pool
from newsdex.index.layout import MANIFEST
from newsdex.index.manifest import ManifestRow
from newsdex.index.segments import BuiltSegment
from newsdex.index.store import IndexStore
from newsdex.models import EnrichedDoc, LoadResult, Record
from newsdex.settings import Settings
from newsdex.tasks.clean.reclean import RecleanResult, reclean_batch
from newsdex.tasks.clean.rules import Rules


def _task(fn: Callable[P, R], name: str, retries: int = 1) -> Task[P, R]:
    return Task(fn, name=name, retries=retries, retry_delay_seconds=2, log_prints=False, cache_policy=NO_CACHE)


P = ParamSpec("P")
R = TypeVar("R")


def load_batch(records: list[Record], index_root: str, rules_version: str) -> LoadResult:
    """Admit a batch of records read by the flow's feed stream (``newsdex.tasks.feeds``): the index folder keeps
    their bytes and says which are new or changed."""
    return IndexStore(index_root).admit(records, rules_version)


def index_batch(
    index_root: str,
    docs: list[EnrichedDoc] | None = None,
    segment: BuiltSegment | None = None,
    rows: list[ManifestRow] | None = None,
) -> int:
    """Write enriched documents, or adopt a segment and manifest rows built on a worker (the Dask path)."""
    store = IndexStore(index_root)
    if segment is not None or rows:
        if docs:
            raise ValueError("give the batch as documents or as a built segment, not both")
        return store.adopt(segment, rows or [])
    return store.write(docs or [])


def reclean_stored(
    index_root: str,
    ids: list[str],
    rules: Rules,
    settings: Settings,
    full: bool = False,
    manifest_name: str = MANIFEST,
    readonly: bool = False,
) -> RecleanResult:
    """Re-clean the stored raw inputs of ``ids`` under ``rules``, each within the run's cleaning budget
    (``settings.clean_seconds``); one over it, or over ``settings.max_bytes``, is quarantined. ``manifest_name``:
    a repair's manifest beside the live one; ``readonly``: a dry run's."""
    with IndexStore(index_root, manifest_name, readonly).stored_inputs(ids) as (stored, previous):
        return reclean_batch(stored, rules, previous, full, settings.clean_seconds, settings.max_bytes)


load_task = _task(load_batch, "load")
index_task = _task(index_batch, "index", retries=0)
# One batch job (flows/batch.py: clean, segment, enrich, and the batch's Whoosh segment) in a local worker, a
# Dask worker, or here; an exact copy takes its original's entities.
process_task = _task(pool.process, "process")
reclean_task = _task(reclean_stored, "reclean")
