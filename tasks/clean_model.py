"""The learned line model (statistical evidence for lines no rule claimed); absent file → heuristic fallback."""

from __future__ import annotations

from collections.abc import Callable

from tasks.clean_lines import Line
from tasks.rules import Rules


def line_scorer(rules: Rules) -> Callable[[list[Line]], list[float]] | None:
    return None
