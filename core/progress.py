"""What a long run is doing, told to whoever listens in this process: the CLI draws it (search_cli/progress.py),
a library caller or a test may record it, and with no listener an event costs one function call.

Events (``kind``, then keyword data):
- ``phase``: ``text``, what the run does now ("starting the flow runner", "loading the model");
- ``total``: ``documents``, how many inputs the run will read (None: not known in advance, feed files);
- ``advance``: ``documents``, inputs read and done since the last event (indexed, unchanged or quarantined);
- ``kept``: ``documents``, documents committed to the index so far by this run (what an interruption keeps).

Listeners run in the thread that emits (the flow's), so they must be quick and must not raise; one that raises
is dropped, never the run's failure."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[..., None]
_listeners: list[Listener] = []


def emit(kind: str, **data: Any) -> None:
    for listener in list(_listeners):
        try:
            listener(kind, **data)
        except Exception:  # a display's failure must not fail the run it displays
            _listeners.remove(listener)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """``listener(kind, **data)`` receives this process's events while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        if listener in _listeners:
            _listeners.remove(listener)
