"""Prefect logs a failed task or flow run with its traceback (60 to 120 lines on stderr). When the failure is
the machine's or the user's to fix (a full disk, a read-only folder, a folder that is not an index, a busy or
damaged index), the CLI says it in one line (exit 1), so those records are dropped here: the exception itself
still ends the run and reaches the CLI."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LOGGERS = ("prefect.flow_runs", "prefect.task_runs", "prefect.engine")


def user_facing(exc: BaseException, root: Path) -> bool:
    from newsdex.index.damage import as_damage
    from newsdex.index.layout import IndexBusy, IndexReadOnly, NotAnIndex
    from newsdex.index.space import disk_full, read_only

    if isinstance(exc, IndexBusy | IndexReadOnly | NotAnIndex) or as_damage(exc) is not None:
        return True
    return disk_full(exc, root) is not None or read_only(exc, root) is not None


class _Quiet(logging.Filter):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.said: set[str] = set()  # the errors dropped: the run's closing "Finished in state Failed(…)" too

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and user_facing(exc, self.root):
            self.said.add(str(exc) or type(exc).__name__)
            return False
        if record.levelno >= logging.ERROR and self.said:
            message = record.getMessage()
            return not any(s in message for s in self.said)
        return True


@contextmanager
def user_errors_quiet(root: Path) -> Iterator[None]:
    """Within: Prefect's records of a run that failed for a user-facing reason are not logged."""
    quiet = _Quiet(root)
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)
