"""Children die with their parent: a killed or terminated `newsdex ingest` leaves no Prefect server, Dask worker or
watchdog behind (core/lifetime.py), and releases the write lock; plus the one-line usage errors of issue 14
(`--index` at a file, `--rules` where no rules apply). Real processes throughout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from newsdex.index.store import IndexStore
from newsdex.lifetime import MARK
from tests.conftest import REPO, SEEDS, run_cli
from tests.corpus_variants import make_variants
from tools.watch import indexed_rows

linux_only = pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="parent-death signal and watchdog")
GONE_WITHIN = 20.0  # seconds, after the parent's end


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PREFECT_HOME for the module: the temporary server's database is created once."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and 60 variants: enough batches of 5 that a run is still going when the test ends it."""
    root = tmp_path_factory.mktemp("inputs")
    shutil.copytree(SEEDS, root / "seeds", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    make_variants(root / "variants", 60)
    return root


class Ingest:
    """`newsdex ingest` in its own session, as a user's shell would start it; its stderr goes to a file."""

    def __init__(self, corpus: Path, index: Path, prefect_home: Path, *extra: str) -> None:
        env = {**os.environ, "PREFECT_HOME": str(prefect_home)}
        for name in ("PREFECT_API_URL", MARK):  # Prefect's temporary server; no owner but this process
            env.pop(name, None)
        self.index = index
        self.stderr = index.parent / f"{index.name}.stderr"
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "newsdex.search_cli",
                    "ingest",
                    str(corpus),
                    "--index",
                    str(index),
                    "--batch-size",
                    "5",
                    *extra,
                ],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                start_new_session=True,
            )
        self.process = psutil.Process(self.proc.pid)

    def descendants(self) -> list[psutil.Process]:
        try:
            return self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def wait_for(self, what: str, ready: Callable[[list[str]], bool], timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready([_cmdline(p) for p in self.descendants()]):
            assert self.proc.poll() is None, f"ingest ended before {what}: {self.stderr.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"no {what} after {timeout:.0f}s"
            time.sleep(0.1)

    def wait_for_documents(self, n: int, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while indexed_rows(self.index) < n:
            assert self.proc.poll() is None, f"ingest ended early: {self.stderr.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.1)


def _cmdline(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:
        return ""


def _alive(procs: list[psutil.Process]) -> list[str]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(f"{p.pid} {_cmdline(p)[:100]}")
        except psutil.NoSuchProcess:
            pass
    return out


def assert_all_end(procs: list[psutil.Process], within: float = GONE_WITHIN) -> float:
    """Every process ends within ``within`` seconds; returns how long it took."""
    t0 = time.monotonic()
    while _alive(procs) and time.monotonic() - t0 < within:
        time.sleep(0.1)
    assert _alive(procs) == [], f"still running {within:.0f}s after newsdex ended"
    return time.monotonic() - t0


@pytest.fixture
def cleanup() -> Iterator[list[psutil.Process]]:
    """Processes a failed test leaves behind are killed here, so that one failure does not cost 250 MB a run."""
    procs: list[psutil.Process] = []
    yield procs
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


def _has(*needles: str) -> Callable[[list[str]], bool]:
    return lambda cmds: all(any(n in c for c in cmds) for n in needles)


@linux_only
@pytest.mark.prefect
def test_sigkill_ends_prefects_temporary_server_and_the_watchdog(corpus, prefect_home, tmp_path, cleanup):
    run = Ingest(corpus, tmp_path / "index", prefect_home)
    run.wait_for("Prefect temporary server", _has("uvicorn", "newsdex.lifetime"))
    children = run.descendants()
    cleanup.extend(children)
    assert len(children) >= 2
    run.proc.send_signal(signal.SIGKILL)  # the ingest alone, not its process group
    assert run.proc.wait(timeout=10) == -signal.SIGKILL
    assert_all_end(children)


@linux_only
@pytest.mark.prefect
@pytest.mark.parametrize(
    ("sig", "code", "line"),
    [(signal.SIGTERM, 143, "newsdex: terminated"), (signal.SIGINT, 130, "newsdex: interrupted")],
)
def test_sigterm_or_sigint_mid_run_stops_children_and_frees_the_lock(
    corpus, prefect_home, tmp_path, cleanup, sig, code, line
):
    run = Ingest(corpus, tmp_path / "index", prefect_home)
    run.wait_for_documents(10)  # well into the run: Prefect's own SIGTERM handler is installed
    children = run.descendants()
    cleanup.extend(children)
    assert any("uvicorn" in _cmdline(p) for p in children)
    run.proc.send_signal(sig)
    assert run.proc.wait(timeout=60) == code, run.stderr.read_text()[-3000:]
    last = run.stderr.read_text().strip().splitlines()[-1]
    kept = indexed_rows(run.index)
    # The one last line says what the stopped run kept (issue 28): every batch it had committed.
    assert last == f"{line}: {kept} documents kept; `newsdex ingest` again finishes the rest", last
    assert_all_end(children)
    with IndexStore(run.index).lock():  # free at once, not only after the process died
        pass
    assert 10 <= kept < 65


@linux_only
@pytest.mark.prefect
@pytest.mark.parametrize(
    ("options", "what", "started"),
    [
        pytest.param(
            ("--workers", "1", "--dask"),
            "Prefect server and Dask worker",
            _has("server start", "spawn_main"),
            marks=pytest.mark.server,
            id="dask",
        ),
        # The default runner's worker processes (flows/pool.py: forked by a forkserver): the server and two.
        pytest.param(
            ("--workers", "2"), "local workers", lambda cmds: sum("forkserver" in c for c in cmds) >= 3, id="local"
        ),
    ],
)
def test_sigkill_ends_the_worker_processes_newsdex_started(
    corpus, prefect_home, tmp_path, cleanup, options, what, started
):
    run = Ingest(corpus, tmp_path / "index", prefect_home, *options)
    run.wait_for(what, started)
    children = run.descendants()
    cleanup.extend(children)
    run.proc.send_signal(signal.SIGKILL)
    run.proc.wait(timeout=10)
    assert_all_end(children)


@linux_only
@pytest.mark.prefect
def test_sigterm_with_local_workers_stops_at_once(corpus, prefect_home, tmp_path, cleanup):
    """SIGTERM while the local workers run a batch: they are killed, not waited for, and the lock is free."""
    run = Ingest(corpus, tmp_path / "index", prefect_home, "--workers", "2", "--batch-size", "20")
    run.wait_for("local workers", lambda cmds: sum("forkserver" in c for c in cmds) >= 3)
    children = run.descendants()
    cleanup.extend(children)
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=30) == 143, run.stderr.read_text()[-3000:]
    assert run.stderr.read_text().strip().splitlines()[-1].startswith("newsdex: terminated: ")
    assert_all_end(children)
    with IndexStore(run.index).lock():
        pass


@linux_only
def test_parent_death_signal_without_a_watchdog(tmp_path):
    """A process newsdex starts itself (``prefect server start``) ends when newsdex is SIGKILLed, by the kernel."""
    code = (
        "import subprocess, sys, time\n"
        "from newsdex.lifetime import parent_death_signal\n"
        "child = subprocess.Popen(['sleep', '300'], preexec_fn=parent_death_signal(), start_new_session=True)\n"
        "print(child.pid, flush=True); time.sleep(300)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert assert_all_end([child], within=5) < 5
    finally:
        if child.is_running():
            child.kill()


@pytest.mark.parametrize("command", ["ingest", "reindex"])
def test_index_at_a_regular_file_is_a_usage_error(tmp_path, command):
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    for index in (afile, afile / "below"):
        proc = run_cli(command, "--index", str(index))
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.splitlines() == [
            f"newsdex {command}: index folder {index}"
            + ("" if index == afile else f": {afile}")
            + " is a file, not a folder"
        ]


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "x"],
        ["show", "abc"],
        ["stats"],
        ["entities"],
        ["--rules", "r.toml", "stats"],
        ["search", "x", "--rules=r.toml"],
    ],
)
def test_rules_where_no_rules_apply_is_a_usage_error(tmp_path, argv):
    if "--rules" not in " ".join(argv):
        argv = [*argv, "--rules", "r.toml"]
    proc = run_cli(*argv, "--index", str(tmp_path / "index"))
    command = next(a for a in argv if not a.startswith("-") and a != "r.toml")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"newsdex: --rules does not apply to {command}: it cleans no text"]
    assert proc.stdout == ""


def test_rules_still_applies_to_clean(tmp_path):
    proc = run_cli("clean", str(SEEDS / "000_f62cfa61a98d079d.txt"), "--rules", str(tmp_path / "missing.toml"))
    assert proc.returncode == 1 and "rules" in proc.stderr  # taken, and read
    assert "does not apply" not in proc.stderr


def test_an_error_raised_while_handling_the_signal_is_the_signal():
    """Regression: SIGTERM landing while Prefect started a task run made its crash handler fail ("Task run is
    not set"), and newsdex reported that ValueError as an internal error (exit 2) instead of terminated (143)."""
    from newsdex import lifetime

    def prefect_like() -> None:
        try:
            raise lifetime.Terminated
        except BaseException:
            raise ValueError("Task run is not set") from None  # `from None` hides it only from tracebacks

    with pytest.raises(ValueError) as caught:
        prefect_like()
    assert isinstance(lifetime.interruption(caught.value), lifetime.Terminated)
    try:
        try:
            raise KeyboardInterrupt
        except BaseException as exc:
            raise RuntimeError("cleanup failed") from exc
    except RuntimeError as err:
        assert isinstance(lifetime.interruption(err), KeyboardInterrupt)
    from prefect.exceptions import TerminationSignal

    try:
        try:
            raise TerminationSignal(signal=signal.SIGTERM)  # what Prefect's handler raised in the CI failure
        except BaseException:
            raise ValueError("Task run is not set") from None
    except ValueError as err:
        assert isinstance(lifetime.interruption(err), lifetime.Terminated)
    assert lifetime.interruption(ValueError("a real bug")) is None
