"""Shared fixtures: the seeds, an isolated Prefect (test harness, offline), and one ingested seed index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from newsdex.flows.options import IngestOptions
from newsdex.settings import OFFLINE_PREFECT_ENV

if TYPE_CHECKING:
    from newsdex.models import EnrichedDoc

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
ARTICLES = REPO / "tests" / "data" / "articles"  # a small copy of the shared extraction sets (see its README)

# Offline, patient Prefect for every test process (and the CLI subprocesses they start).
for _name, _value in OFFLINE_PREFECT_ENV.items():
    os.environ.setdefault(_name, _value)


def seeds_and_generated(root: Path, n: int, seed: int) -> Path:
    """A corpus folder: the seeds plus ``n`` documents from the corpus generator (tools/corpus.py), made from
    the articles of tests/data/articles (never the evaluation data outside the repository) and the seeds."""
    from tools.corpus import generate_corpus

    shutil.copytree(SEEDS, root / "seeds")
    generate_corpus(root / "generated", n, seed=seed, extraction=ARTICLES)
    return root


def enriched_folder(root: Path) -> list[EnrichedDoc]:
    """Every readable input under ``root``, cleaned, segmented and enriched in one batch."""
    from newsdex.flows.batch import process_batch
    from newsdex.tasks import load
    from newsdex.tasks.clean.rules import load_rules

    raws = [r for r in map(load.load_path, load.iter_input_files([str(root)])) if not hasattr(r, "reason")]
    return process_batch(raws, load_rules()).docs


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory):
    """One temporary Prefect server (SQLite) for the whole session: ~20 s once, then ~1 s per flow run."""
    if FAST:
        pytest.fail("this test needs a Prefect server: mark it `prefect` (make test-fast runs none)")
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_index(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The seeds plus a few bad inputs, ingested once by the real flow; returns the index path and report."""
    work = tmp_path_factory.mktemp("corpus")
    corpus = work / "inputs"
    shutil.copytree(SEEDS, corpus / "seeds")
    bad = corpus / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 4)
    # Latin-1 text is decoded now (detected); bytes that read as text in no encoding are still quarantined.
    (bad / "undecodable.txt").write_bytes(bytes(range(128, 256)) * 4)
    (bad / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    from newsdex.flows.ingest import ingest_flow

    index = work / "index"
    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    return {"index": index, "report": report, "corpus": corpus}


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `newsdex` entry point in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "newsdex.search_cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or REPO,
        timeout=600,
    )


# -- `make test-fast`: the tests that need no Prefect server -------------------------------------------------
# A test that runs a flow is marked `prefect`: by hand (`pytestmark`, for those that run the CLI's ingest or
# reindex), or here, for every test that uses the Prefect harness through a fixture. `make test-fast` deselects
# them and sets NEWSDEX_TEST_FAST, under which Prefect may reach no server: a flow run by a test that is not
# marked fails at once, so a missing mark shows as a failure instead of a slow test.
FAST = bool(os.environ.get("NEWSDEX_TEST_FAST"))
if FAST:
    os.environ["PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # the discard port: nothing answers there
    os.environ["PREFECT_CLIENT_MAX_RETRIES"] = "0"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.prefect)


def enricher_failing(monkeypatch: pytest.MonkeyPatch, when: Callable[[Any], bool]) -> None:
    """The enricher raises on the documents ``when`` holds for (in the batch job, which runs in this process)."""
    import newsdex.tasks.enrich.stage as enrich

    real = enrich.enrich_reusing

    def failing(docs, *args, **kwargs):
        if any(when(d) for d in docs):
            raise RuntimeError("the model cannot read this")
        return real(docs, *args, **kwargs)

    monkeypatch.setattr(enrich, "enrich_reusing", failing)
