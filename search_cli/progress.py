"""The live line of a long command on stderr (rich): what it is doing from its first second (scanning inputs,
starting the flow runner, loading the model), then documents done of how many, their rate and the time left.

Only on an interactive terminal and never with ``--json`` or ``--quiet``: otherwise nothing at all is drawn, so
stderr stays free of escape codes and of anything a script would have to filter. The line goes when the command
ends; its summary is what stays."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any


class Display:
    """A context manager: ``phase(text)`` says what runs now; the run's events (newsdex.progress) move the bar."""

    def __init__(self, enabled: bool, unit: str = "docs") -> None:
        self.enabled = enabled
        self.unit = unit
        self.started = time.perf_counter()
        self._progress: Any = None
        self._task: Any = None
        self._total: int | None = None
        self._reading: float | None = None  # when the flow began reading inputs
        self._done = 0

    def __enter__(self) -> Display:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            console = Console(file=sys.stderr)
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn(f"{{task.fields[rate]}} {self.unit}/s  ETA {{task.fields[eta]}}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                refresh_per_second=8,
                speed_estimate_period=60,
            )
            self._progress.start()
            self._task = self._progress.add_task("starting", total=None, rate="-", eta="-")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def phase(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=text)

    def event(self, kind: str, **data: Any) -> None:
        """A listener for newsdex.progress: phases, the total, documents done."""
        if self._progress is None:
            return
        if kind == "phase":
            self.phase(data["text"])
        elif kind == "total":
            self._total = data.get("documents")
            self._reading = time.perf_counter()
            self._progress.update(self._task, total=self._total)
        elif kind == "advance":
            # The rate since the flow began reading (its start-up is not the documents' time), the time left
            # at that rate: from the first documents done on.
            self._done += data["documents"]
            elapsed = time.perf_counter() - (self._reading or self.started)
            rate = self._done / elapsed if elapsed > 0 else 0.0
            left = (self._total - self._done) / rate if rate and self._total else None
            eta = "-" if left is None else f"{int(left // 60)}:{int(left % 60):02d}"
            self._progress.update(
                self._task,
                advance=data["documents"],
                description="ingesting",
                rate=f"{rate:.1f}" if rate else "-",
                eta=eta,
            )

    @property
    def wall(self) -> float:
        """Seconds since the command started (what the summary reports beside the flow's own)."""
        return time.perf_counter() - self.started
