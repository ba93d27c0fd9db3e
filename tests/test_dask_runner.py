"""The Dask runner (a 2-worker local cluster, with a real Prefect server started for the run) builds the same
index as the default runner: same documents, same stored fields, same search results, also when its workers
are restarted between batches."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli, seeds_and_generated

pytestmark = [pytest.mark.prefect, pytest.mark.server]
QUERIES = ["gulags", '"Kursk region"', "title:korea", "tax OR garden", "loc:ukraine", "advertisement"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeds_and_generated(tmp_path_factory.mktemp("dask-corpus"), 30, seed=7)


def _ingest(corpus: Path, index: Path, home: Path, *extra: str, env_extra: dict[str, str] | None = None) -> dict:
    env = {"PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "WARNING", **(env_extra or {})}
    env_clean = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = run_cli(
        "ingest", str(corpus), "--index", str(index), "--json", "--batch-size", "10", *extra, env={**env_clean, **env}
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _stored(index: Path) -> list[dict]:
    from newsdex.reading.reader import open_index

    with open_index(index).searcher() as searcher:
        return sorted((dict(f) for f in searcher.all_stored_fields()), key=lambda f: f["id"])


def _results(index: Path, all_copies: bool = False) -> list[list[tuple[str, float]]]:
    from newsdex.reading.reader import search

    out = []
    for q in QUERIES:
        res = search(index, q, limit=50, all_copies=all_copies)
        out.append([(h["id"], h["score"], h["snippet"]) for h in res["hits"]] + [("facets", json.dumps(res["facets"]))])
    return out


def test_two_dask_workers_build_the_same_index(corpus: Path, tmp_path: Path) -> None:
    default = _ingest(corpus, tmp_path / "default", tmp_path / "home-default")
    # Workers restarted after each batch per worker: the index must not notice.
    dask = _ingest(
        corpus,
        tmp_path / "dask",
        tmp_path / "home-dask",
        "--workers",
        "2",
        "--dask",
        env_extra={"NEWSDEX_WORKER_BATCHES": "1"},
    )
    assert dask["runner"]["tasks"] == 4  # 35 inputs in batches of 10: one combined task per batch
    assert dask["runner"]["worker_restarts"] == 1  # after the first two batches, before the next two
    for key in ("documents", "new", "changed", "unchanged", "quarantined", "removed_lines_by_rule", "entities_by_type"):
        assert dask[key] == default[key], key
    assert set(dask["stages"]) >= {"load", "clean", "segment", "enrich", "index"}
    a, b = _stored(tmp_path / "default"), _stored(tmp_path / "dask")
    assert len(a) == default["documents"] == 35
    assert a == b
    assert _results(tmp_path / "default") == _results(tmp_path / "dask")
    # The run-scoped server is gone afterwards (no PREFECT_API_URL was set, so newsdex started and stopped one).
    log = tmp_path / "home-dask" / "newsdex-server" / "server.log"
    assert log.exists()


@pytest.mark.prefect
def test_local_worker_processes_build_the_same_index(corpus: Path, tmp_path: Path) -> None:
    """The default runner: in the ingest's own process for a small run, in worker processes with --workers N
    (each replaced after every batch here, NEWSDEX_WORKER_BATCHES=1): the same index either way."""
    inline = _ingest(corpus, tmp_path / "inline", tmp_path / "home-inline")
    assert inline["runner"]["kind"] == "in-process"  # 35 documents: below the line where workers pay off
    local = _ingest(
        corpus, tmp_path / "local", tmp_path / "home-local", "--workers", "2", env_extra={"NEWSDEX_WORKER_BATCHES": "1"}
    )
    assert local["runner"]["kind"] == "local" and local["runner"]["workers"] == 2
    assert local["runner"]["tasks"] == inline["runner"]["tasks"] == 4  # 35 inputs in batches of 10
    for key in ("documents", "new", "changed", "unchanged", "quarantined", "removed_lines_by_rule", "entities_by_type"):
        assert local[key] == inline[key], key
    assert set(local["stages"]) >= {"load", "clean", "segment", "enrich", "index"}
    assert _stored(tmp_path / "inline") == _stored(tmp_path / "local")
    assert _results(tmp_path / "inline") == _results(tmp_path / "local")
