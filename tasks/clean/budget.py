"""A document's cleaning time budget ($NEWSDEX_CLEAN_SECONDS): over it, the document is given up on.

Two ways to stop, because one alone does not hold everywhere:

- ``check()``, called between the cleaner's steps and every few hundred lines inside its loops, works in any
  thread (a Dask worker runs tasks in threads);
- on the main thread (``newsdex ingest`` without Dask, ``reindex``), a SIGALRM timer also interrupts whatever
  Python code is running (trafilatura, readability, a slow loop we did not think of) at the deadline.

Neither stops C code mid-call: RE2 makes rule regexes linear in the line, so no single call runs long.
``OverBudget`` is a BaseException, like KeyboardInterrupt, so that a library's ``except Exception`` around the
code it interrupts does not swallow it. The alarm raises it only inside the cleaner and the extraction
libraries it calls: landing elsewhere (a finalizer the garbage collector runs, where Python would print it as
"Exception ignored" and drop it), it tries again 10 ms later.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_local = threading.local()
# Where an alarm may raise: the cleaner's own code and what it calls to read a page.
_CLEANING = (
    "newsdex.tasks",
    "trafilatura",
    "readability",
    "lxml",
    "lxml_html_clean",
    "justext",
    "htmldate",
    "courlan",
    "dateutil",
    "dateparser",
    "bs4",
    "soupsieve",
    "numpy",
    "re",
)
_RETRY = 0.01


class OverBudget(BaseException):
    """The current document's cleaning ran past its deadline."""


def check() -> None:
    """Raise OverBudget once the current document's deadline has passed (a no-op outside ``within``)."""
    end = getattr(_local, "end", None)
    if end is not None and time.perf_counter() > end:
        raise OverBudget


def _in_cleaning(frame: Any) -> bool:
    if frame is None or frame.f_code.co_name == "__del__":
        return False
    module = str(frame.f_globals.get("__name__", ""))
    return any(module == p or module.startswith(p + ".") for p in _CLEANING)


def _on_alarm(signum: int, frame: Any) -> None:
    if getattr(_local, "end", None) is None:  # a late alarm after the document finished is ignored
        return
    if not _in_cleaning(frame):
        signal.setitimer(signal.ITIMER_REAL, _RETRY)
        return
    raise OverBudget


def _arm(seconds: float) -> Any:
    """Start the SIGALRM timer (main thread, no other timer running); returns the handler to restore."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return None
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return None  # someone else's timer: leave it alone, check() still holds
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return (previous,)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a deadline ``seconds`` from now; OverBudget escapes when it is passed (also when
    the block ends after it)."""
    outer = getattr(_local, "end", None)
    _local.end = time.perf_counter() + seconds
    if outer is not None:
        _local.end = min(_local.end, outer)
    armed = _arm(seconds) if outer is None else None
    try:
        try:
            yield
            check()
        finally:
            _local.end = outer  # first, so that an alarm arriving from now on is ignored
    finally:  # the timer fires once: if it did just before the line above, this still runs in full
        _local.end = outer
        if armed is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, armed[0] if armed[0] is not None else signal.SIG_DFL)
