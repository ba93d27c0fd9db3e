"""A stopped command's last line stays its last (core/lifetime.exit_stopped): a library thread that reacts to the
stop during the interpreter's finalization, as Prefect's log and event services do, prints nothing after it.

Regression: a terminated ``newsdex ingest`` ended with "RuntimeError: can't register atexit after shutdown" (a
Prefect service starting again while threading shut down) instead of "newsdex: terminated"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A non-daemon thread that waits for the main thread to end, then registers a threading exit hook, as a service
# restarting after its exit hook does: during finalization that raises and prints a traceback.
SCRIPT = """
import atexit, sys, threading
from newsdex import lifetime

def late_service():
    threading.main_thread().join()
    threading._register_atexit(print)

threading.Thread(target=late_service).start()
atexit.register(lambda: open(sys.argv[2], "w").write("atexit ran"))
if sys.argv[1] == "exit_stopped":
    lifetime.exit_stopped(143, "newsdex: terminated\\n")
sys.stderr.write("newsdex: terminated\\n")
sys.exit(143)
"""


def _run(how: str, tmp_path: Path) -> tuple[int, list[str], str]:
    marker = tmp_path / f"{how}.atexit"
    done = subprocess.run([sys.executable, "-c", SCRIPT, how, str(marker)], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stderr.strip().splitlines(), marker.read_text() if marker.exists() else ""


def test_plain_exit_lets_a_late_thread_print_after_the_last_line(tmp_path: Path) -> None:
    """The failure the exit path avoids is real: with a plain exit the thread's traceback comes last."""
    code, lines, _ = _run("sys_exit", tmp_path)
    assert code == 143
    assert lines[-1] == "RuntimeError: can't register atexit after shutdown"


def test_exit_stopped_runs_exit_handlers_and_keeps_the_last_line(tmp_path: Path) -> None:
    code, lines, atexit_ran = _run("exit_stopped", tmp_path)
    assert code == 143
    assert lines == ["newsdex: terminated"]
    assert atexit_ran == "atexit ran"  # what libraries registered to stop their servers still runs


def test_exit_stopped_keeps_its_exit_code_when_stderr_is_gone() -> None:
    """The reader of stderr went away (a closed pipe): the line cannot be written, the exit code still holds."""
    code = (
        "import time\nfrom newsdex import lifetime\ntime.sleep(0.5)\n"
        "lifetime.exit_stopped(130, 'newsdex: interrupted\\n' * 20000)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE)
    proc.stderr.close()  # before the child writes: its write fails with a broken pipe
    assert proc.wait(60) == 130
