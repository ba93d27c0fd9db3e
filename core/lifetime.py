"""Children die with their parent: no process that newsdex (or a library it drives) starts outlives it, however it
ends (docs/pitfalls.md). The commands that start processes (a Prefect server, Dask workers) run inside
``children_die_with_me()``:

- **SIGTERM** raises ``Terminated`` in the main thread, so the command unwinds as on Ctrl-C: ``finally`` blocks
  stop the server and the cluster it started and release the write lock, and ``atexit`` stops Prefect's
  temporary server. A second SIGTERM, or a cleanup still running after ``EXIT_GRACE`` seconds, ends it at once.
- A command stopped by SIGTERM or Ctrl-C ends through ``exit_stopped()``: once its own cleanup has run, the
  ``atexit`` handlers run (they stop what libraries started), its last line is written, and the process ends
  without the interpreter's finalization, where library threads still reacting to the stop (Prefect's log and
  event services, restarting after their exit hook) printed tracebacks after the command's last line.
- **SIGKILL** runs no code in the dying process. On Linux the environment every later child inherits carries a
  token (``MARK``), and a watchdog process waits on a pipe whose only write end this process holds: however
  this process ends, the kernel then closes that end, and the watchdog ends every process whose environment
  (``/proc/PID/environ``) carries the token — Prefect's temporary server, Dask's workers, their own children.
- ``parent_death_signal()`` is a ``preexec_fn`` for the processes newsdex starts itself: the kernel sends them
  SIGTERM when their parent dies (``prctl(PR_SET_PDEATHSIG)``), even with no watchdog (newsdex as a library).

Without ``/proc`` or ``prctl`` (not Linux) only the SIGTERM handling applies.

``python -m newsdex.lifetime TOKEN`` is the watchdog.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

# Not a setting (no NEWSDEX_ prefix): the tokens of every newsdex process a process was started under.
MARK = "_NEWSDEX_OWNERS"
EXIT_GRACE = 60.0  # seconds a terminated command may spend stopping what it started
PR_SET_PDEATHSIG = 1  # linux/prctl.h

_watchdog_pipe: int | None = None  # the write end; closed by the kernel when this process ends
_terminated = False


class Terminated(BaseException):
    """SIGTERM, raised in the main thread (a BaseException, as KeyboardInterrupt: no ``except Exception`` eats it)."""


def interruption(exc: BaseException) -> BaseException | None:
    """The Terminated or KeyboardInterrupt behind ``exc``, when ``exc`` was raised while a library handled it:
    the run was stopped, not broken. Prefect's own SIGTERM handler raises its ``TerminationSignal`` (a
    BaseException carrying ``signal``) and, interrupted while it starts a task run, fails in its crash handler
    with "Task run is not set" before it hands the signal on: that counts as Terminated too."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, Terminated | KeyboardInterrupt):
            return cur
        if not isinstance(cur, Exception) and getattr(cur, "signal", None) == signal.SIGTERM:
            return Terminated()
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None


def _on_sigterm(signum: int, frame: object) -> None:
    global _terminated
    if _terminated:  # a second SIGTERM: stop cleaning up (the watchdog ends the children)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    _terminated = True
    # A thread stuck in a system call would keep the interpreter from exiting: exit regardless, later.
    timer = threading.Timer(EXIT_GRACE, os._exit, (128 + signal.SIGTERM,))
    timer.daemon = True
    timer.start()
    raise Terminated


def exit_stopped(code: int, last_line: str) -> NoReturn:
    """End a stopped command's process with ``code`` once its cleanup has run: ``atexit`` handlers now (they stop
    Prefect's temporary server and event loop), then ``last_line`` on stderr, then no interpreter finalization.
    Finalization first marks threading as shutting down and then waits for every thread; a library thread still
    reacting to the stop then fails ("can't register atexit after shutdown") and prints its traceback after the
    command's last line."""
    try:
        _flush()
        atexit._run_exitfuncs()
        sys.stderr.write(last_line)
        _flush()
    except (OSError, ValueError):  # stderr's reader is gone: nothing more can be said
        pass
    except KeyboardInterrupt:  # a second Ctrl-C: stop cleaning up
        pass
    finally:
        os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass


@contextmanager
def children_die_with_me() -> Iterator[None]:
    """Inside the block SIGTERM raises ``Terminated``; from now on until this process ends, a watchdog (Linux)
    ends every process started after this call when this process ends, however it ends."""
    start_watchdog()
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    try:
        yield
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGTERM, previous)


def start_watchdog() -> None:
    """Mark the environment children inherit and start the watchdog, once per process; Linux only."""
    global _watchdog_pipe
    if _watchdog_pipe is not None or not os.path.exists("/proc/self/environ"):
        return
    import secrets
    import subprocess

    token = secrets.token_hex(8)
    read_end, write_end = os.pipe()  # both non-inheritable: no other child keeps the write end open
    env = {**os.environ, MARK: token}  # the watchdog itself carries only its own token
    try:
        subprocess.Popen(
            [sys.executable, "-m", "newsdex.lifetime", token],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=env,
            start_new_session=True,
        )  # outlives group kills
    except OSError:
        os.close(write_end)
        return
    finally:
        os.close(read_end)
    _watchdog_pipe = write_end
    owners = os.environ.get(MARK)
    os.environ[MARK] = f"{owners}:{token}" if owners else token  # nested newsdex: children carry every owner


def parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn``: the child gets SIGTERM when the thread that started it ends (Linux); None elsewhere.
    Start the child from a thread that outlives it (the main thread)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl: no signal will come
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def marked(token: str) -> list[int]:
    """Processes (other than this one) whose environment carries ``token``; zombies have none."""
    key, wanted = MARK.encode() + b"=", token.encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                env = f.read()
        except OSError:  # gone, or someone else's
            continue
        for var in env.split(b"\0"):
            if var.startswith(key) and wanted in var[len(key) :].split(b":"):
                found.append(int(entry.name))
                break
    return found


def sweep(token: str, grace: float = 5.0) -> list[int]:
    """SIGTERM every process marked with ``token``, SIGKILL those left after ``grace`` seconds; returns the pids."""
    pids = marked(token)
    for pid in pids:
        _kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while marked(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in marked(token):
        _kill(pid, signal.SIGKILL)
    return pids


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:  # already gone
        pass


def watch(token: str) -> None:
    """The watchdog: wait for end of file on stdin (its parent has ended), then sweep the parent's children."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # Ctrl-C and group signals are for the parent
        signal.signal(sig, signal.SIG_IGN)
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    sweep(token)


if __name__ == "__main__":
    watch(sys.argv[1])
