"""Scheduled ingestion on a REAL Prefect server: start `prefect server start` on 127.0.0.1, deploy the ingest
flow (``newsdex serve`` in a background process; ``prefect deploy`` with prefect.yaml and a process worker),
trigger runs through the REST API, and find the new documents searchable."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS

pytestmark = [pytest.mark.prefect, pytest.mark.server]
NEVER = "0 0 1 1 *"  # a schedule that will not fire during the test: runs are triggered through the API


# Prefect's own client retries these: a server on SQLite answers 503 while its database is busy (CI once saw it
# on create_flow_run under load), so a test client that gave up at once would fail on the server's back-pressure.
RETRY_STATUS = (408, 429, 502, 503)


def api(url: str, path: str, body: dict | None = None, attempts: int = 6) -> dict | list:
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(attempts):
        req = urllib.request.Request(
            f"{url}{path}",
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            if err.code not in RETRY_STATUS or attempt == attempts - 1:
                raise
        time.sleep(min(2**attempt, 10))
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory):
    from newsdex.flows.server import start_server, stop_server, wait_healthy

    home = tmp_path_factory.mktemp("server-home")
    proc, url = start_server(home)
    try:
        wait_healthy(url, 120, proc)
        yield url
    finally:
        stop_server(proc)


def _env(url: str, home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_API_URL": url,
        "PREFECT_HOME": str(home),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        **extra,
    }


def _spawn(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen:
    with open(log, "wb") as fh:
        return subprocess.Popen(
            cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True
        )


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGINT, 15), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


def _deployment(url: str, name: str, timeout: float, log: Path) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = api(url, "/deployments/filter", {"deployments": {"name": {"any_": [name]}}})
        if found:
            return found[0]
        time.sleep(1)
    pytest.fail(f"deployment {name!r} never appeared:\n{log.read_text(errors='replace')[-3000:]}")


def _run_to_completion(url: str, deployment_id: str, timeout: float, log: Path) -> dict:
    run = api(url, f"/deployments/{deployment_id}/create_flow_run", {})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api(url, f"/flow_runs/{run['id']}")["state"]
        if state["type"] == "COMPLETED":
            return run
        if state["type"] in ("FAILED", "CRASHED", "CANCELLED"):
            pytest.fail(f"flow run {state['type']}: {state.get('message')}\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(1)
    pytest.fail(f"flow run not finished after {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


def _inputs(tmp_path: Path) -> Path:
    inputs = tmp_path / "inbox"
    shutil.copytree(SEEDS, inputs)
    return inputs


def test_served_deployment_runs_through_the_api(prefect_api: str, tmp_path: Path) -> None:
    from newsdex.reading.reader import search

    inputs, index, log = _inputs(tmp_path), tmp_path / "index", tmp_path / "serve.log"
    serve = _spawn(
        [
            sys.executable,
            "-m",
            "newsdex.search_cli",
            "serve",
            str(inputs),
            "--index",
            str(index),
            "--cron",
            NEVER,
            "--name",
            "served",
        ],
        _env(prefect_api, tmp_path / "home"),
        log,
        REPO,
    )
    try:
        dep = _deployment(prefect_api, "served", 90, log)
        assert dep["schedules"][0]["schedule"]["cron"] == NEVER
        options = dep["parameters"]["options"]  # the flow's one parameter, IngestOptions
        assert options["paths"] == [str(inputs)] and options["index"] == str(index)
        run = _run_to_completion(prefect_api, dep["id"], 150, log)
    finally:
        _stop(serve)
    result = search(index, "gulags")
    assert result["total"] == 1 and result["hits"][0]["path"].startswith(str(inputs))
    assert search(index, '"Kursk region"')["total"] >= 1
    # The run's report is published as a markdown artifact: counts, stages, rules, entities.
    arts = api(prefect_api, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    markdown = next(a["data"] for a in arts if a["key"] == "ingest-report")
    for heading in (
        "| documents | new | changed | unchanged |",
        "| stage | seconds |",
        "| rule | lines removed |",
        "| entity type | entities found |",
    ):
        assert heading in markdown


def test_prefect_yaml_deploys_to_a_work_pool(prefect_api: str, tmp_path: Path) -> None:
    """prefect.yaml as a user runs it: a process work pool, `prefect deploy --all`, a worker, settings from env."""
    from newsdex.reading.reader import search

    inputs, index, log = _inputs(tmp_path), tmp_path / "index", tmp_path / "worker.log"
    prefect = str(Path(sys.executable).with_name("prefect"))
    env = _env(prefect_api, tmp_path / "home", NEWSDEX_INPUTS=str(inputs), NEWSDEX_INDEX=str(index))
    for cmd in (["work-pool", "create", "newsdex", "--type", "process"], ["--no-prompt", "deploy", "--all"]):
        done = subprocess.run([prefect, *cmd], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    dep = _deployment(prefect_api, "scheduled", 30, log)
    assert dep["entrypoint"] == "flows/ingest.py:ingest_flow" and dep["work_pool_name"] == "newsdex"
    assert dep["schedules"][0]["schedule"]["cron"] == "*/15 * * * *"
    worker = _spawn([prefect, "worker", "start", "--pool", "newsdex"], env, log, tmp_path)
    try:
        _run_to_completion(prefect_api, dep["id"], 150, log)
    finally:
        _stop(worker)
    assert search(index, "gulags")["total"] == 1
