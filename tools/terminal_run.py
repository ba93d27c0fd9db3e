"""Run a command as a person at a terminal would see it: stdout and stderr on a pseudo-terminal, every chunk of
output timed from the start. Shared by tests (what a terminal shows) and bench/first_minute.py (time to first
output)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TerminalRun:
    returncode: int
    chunks: list[tuple[float, bytes]] = field(default_factory=list)  # (seconds since start, bytes)
    seconds: float = 0.0
    interrupted_at: float | None = None  # seconds from the start to the Ctrl-C, when one was sent

    @property
    def output(self) -> str:
        return b"".join(c for _, c in self.chunks).decode("utf-8", "replace")

    @property
    def first_output(self) -> float | None:
        """Seconds until the terminal first showed something (None: nothing)."""
        return next((t for t, c in self.chunks if c.strip()), None)


def run_in_terminal(
    argv: list[str],
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 600.0,
    columns: int = 80,
    interrupt_when: Callable[[str], bool] | None = None,
    unset: tuple[str, ...] = (),
) -> TerminalRun:
    """Run ``argv`` with a pseudo-terminal of ``columns`` columns as its stdin, stdout and stderr. With
    ``interrupt_when``, the process group gets SIGINT (Ctrl-C) once that predicate holds (it is asked every 50 ms
    with the output so far). ``unset``: variables of this process's environment the command does not get."""
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    started = time.perf_counter()
    child_env = {k: v for k, v in {**os.environ, **(env or {}), "COLUMNS": str(columns)}.items() if k not in unset}
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=child_env, cwd=cwd, start_new_session=True, close_fds=True
    )
    os.close(slave)
    run = TerminalRun(returncode=-1)
    interrupted = False
    try:
        while True:
            if time.perf_counter() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                raise TimeoutError(f"{argv} ran over {timeout}s")
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the other end closed (EIO on Linux)
                    data = b""
                if data:
                    run.chunks.append((time.perf_counter() - started, data))
                elif proc.poll() is not None:
                    break
            elif proc.poll() is not None:
                break
            if interrupt_when is not None and not interrupted and interrupt_when(run.output):
                os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C at a terminal: the whole foreground group
                run.interrupted_at = time.perf_counter() - started
                interrupted = True
    finally:
        os.close(master)
    run.returncode = proc.wait()
    run.seconds = time.perf_counter() - started
    return run
