"""A real Prefect server for runs that need one (Dask workers, deployments) when none is configured.

Prefect's temporary in-process server is per process: every Dask worker would start its own on the same
SQLite file (docs/pitfalls.md). ``prefect_server()`` yields ``$PREFECT_API_URL`` when it is set, and
otherwise runs ``prefect server start`` on 127.0.0.1 and a free port for the duration, offline, with its own
SQLite database, and stops it afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsdex.lifetime import parent_death_signal
from newsdex.settings import OFFLINE_PREFECT_ENV

# A server started for one run (Dask workers report to it) needs its API and what records the run (events,
# task runs). The services that act on schedules, deployments, work pools and automations have nothing to do
# there, yet each polls the database every few seconds on the same two cores as the workers.
RUN_ONLY_ENV = {
    f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false"
    for name in (
        "SCHEDULER",
        "LATE_RUNS",
        "FOREMAN",
        "CANCELLATION_CLEANUP",
        "PAUSE_EXPIRATIONS",
        "REPOSSESSOR",
        "TRIGGERS",
        "DB_VACUUM",
        "CLEANUP_RECONCILER",
    )
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_home() -> Path:
    """Where a started server keeps its SQLite database: under PREFECT_HOME, apart from the temporary server's."""
    base = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    return base / "newsdex-server"


def wait_healthy(api_url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"prefect server at {api_url} not healthy after {timeout:.0f}s")


def start_server(
    home: Path, port: int | None = None, ui: bool = False, services: bool = True
) -> tuple[subprocess.Popen, str]:
    """Start ``prefect server start`` in its own process group; returns (process, API URL). ``services=False``:
    only what records runs (``RUN_ONLY_ENV``), for a server that lives as long as one run."""
    port = port or free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **OFFLINE_PREFECT_ENV, "PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": str(ui).lower()}
    if not services:
        env.update(RUN_ONLY_ENV)
    env.pop("PREFECT_API_URL", None)  # the server itself must not point at another one
    log = open(home / "server.log", "ab")  # lives as long as the server
    prefect_cli = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect_cli)] if prefect_cli.exists() else [sys.executable, "-m", "prefect"]
    # Its own session (a Ctrl-C meant for newsdex does not reach it: stop_server stops it in order), and a
    # parent-death signal so that it ends with this process even when this one is SIGKILLed (Linux).
    proc = subprocess.Popen(
        [*cmd, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=parent_death_signal(),
    )
    log.close()
    return proc, f"http://127.0.0.1:{port}/api"


def stop_server(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the server's process group (uvicorn and its children), then SIGKILL what is left."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@contextmanager
def prefect_server(
    home: Path | None = None, timeout: float = 120.0, ui: bool = False, services: bool = True
) -> Iterator[str]:
    """Yield an API URL: the configured one, or a server started here for the duration of the block
    (``services=False`` for one run: see ``start_server``).

    While the block runs, ``PREFECT_API_URL`` is set in ``os.environ`` so that processes started inside it
    (Dask workers, flow-run subprocesses) report to the same server.
    """
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    home = home or server_home()
    proc, url = start_server(home, ui=ui, services=services)
    try:
        try:
            wait_healthy(url, timeout, proc)
        except (RuntimeError, TimeoutError) as exc:
            tail = (home / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}\n{tail}") from None
        os.environ["PREFECT_API_URL"] = url
        yield url
    finally:
        if os.environ.get("PREFECT_API_URL") == url:
            del os.environ["PREFECT_API_URL"]
        stop_server(proc)
