"""Crash safety and concurrency: kill -9 mid-ingest, then a clean run, gives the same index as no crash;
one writer at a time; readers are never blocked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdex.flows.options import IngestOptions
from newsdex.index.layout import IndexPaths, writer_lock
from newsdex.index.manifest import Manifest
from newsdex.reading.reader import open_index, search
from tests.conftest import REPO, run_cli
from tests.corpus_variants import make_variants
from tools.watch import indexed_rows

pytestmark = pytest.mark.prefect


def _snapshot(index: Path) -> dict[str, dict]:
    """Everything a reader can see, keyed by input file name (so two index folders can be compared)."""
    ix = open_index(index)
    with ix.searcher() as s:
        stored = {
            Path(f["path"]).name: {k: v for k, v in f.items() if k not in ("id", "path")} for f in s.all_stored_fields()
        }
        assert s.doc_count() == len(stored)  # no duplicates
    with Manifest(IndexPaths(index).manifest) as m:
        rows = {Path(r["path"]).name: (r["raw_hash"], r["clean_hash"], r["rules_version"]) for r in m.indexed()}
    assert set(rows) == set(stored)  # the manifest agrees with the index
    return {name: {**stored[name], "manifest": rows[name]} for name in stored}


def test_kill_9_during_ingest_then_rerun_equals_uninterrupted_run(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow

    corpus = tmp_path / "corpus"
    make_variants(corpus, 60)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsdex.search_cli",
            "ingest",
            str(corpus),
            "--index",
            str(killed),
            "--batch-size",
            "5",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")},
        start_new_session=True,  # its temporary Prefect server joins the group, and dies with it
    )
    try:
        deadline = time.monotonic() + 240
        while indexed_rows(killed) < 10:  # wait until it is well into indexing
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # the ingest itself, mid-run…
        proc.wait(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # …then whatever it started (its uvicorn server)
        except ProcessLookupError:
            pass
    partial = indexed_rows(killed)
    assert 10 <= partial < 60
    assert open_index(killed).doc_count() >= partial  # the index opens; it holds at least what the manifest says

    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(killed), batch_size=5))
    assert report["unchanged"] == partial and report["new"] + report["changed"] == 60 - partial
    ingest_flow(IngestOptions(paths=[str(corpus)], index=str(clean), batch_size=5))
    assert _snapshot(killed) == _snapshot(clean)


def test_second_writer_exits_with_a_clear_message_and_readers_are_not_blocked(seed_index):
    paths = IndexPaths(seed_index["index"])
    with writer_lock(paths):
        proc = run_cli("ingest", "--index", str(seed_index["index"]))
        assert proc.returncode == 1
        assert "another newsdex writer" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert search(seed_index["index"], "gulags")["total"] == 1  # reading while the lock is held
        with pytest.raises(Exception, match="another newsdex writer"):
            with writer_lock(paths):
                pass


def test_write_lock_is_released_when_its_holder_dies(tmp_path):
    paths = IndexPaths(tmp_path / "index")
    code = (
        f"import os, sys, time; sys.path.insert(0, {str(REPO)!r})\n"
        "from pathlib import Path\n"
        "from newsdex.index.layout import IndexPaths, writer_lock\n"
        f"with writer_lock(IndexPaths(Path({str(paths.root)!r}))):\n"
        "    print('locked', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(Exception, match=f"pid {holder.pid}"):
            with writer_lock(paths):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with writer_lock(paths):  # the kernel released it
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
