"""Which bars of a date histogram get a label, for the terminal's bar line and the web page's chart alike.

A reader finds a bar by the labels around it, so labels stand on round periods (the first of a year, of a
quarter, of a month, a Monday…), as far apart as the labels are wide, and the first bar is always labelled; a
histogram of one period has one label, never the same one on both sides."""

from __future__ import annotations

from datetime import date

# Steps tried, finest first: a label every N periods of the histogram's own interval, on periods that are
# multiples of N (months counted from year 0, so 12 means every January, 3 every quarter's first month).
_STEPS = {
    "year": (1, 2, 5, 10, 20, 50, 100, 200, 500),
    "month": (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200),
    # days: every day, every other day, Mondays, every other Monday, then month starts as months step.
    "day": (1, 2, 7, 14, -1, -2, -3, -6, -12, -24, -60, -120),
}


def _ordinal(period: str, interval: str) -> int:
    """A period's place on its scale: years, months since year 0, or days (``date.toordinal``)."""
    if interval == "year":
        return int(period[:4])
    if interval == "month":
        return int(period[:4]) * 12 + int(period[5:7]) - 1
    return date.fromisoformat(period[:10]).toordinal()


def _aligned(period: str, interval: str, step: int) -> bool:
    n = _ordinal(period, interval)
    if interval == "day" and step < 0:  # month starts, every -step months
        return period[8:10] == "01" and _ordinal(period[:7], "month") % -step == 0
    if interval == "day" and step in (7, 14):
        return (n - 1) % step == 0  # ordinal 1 (0001-01-01) was a Monday
    return n % step == 0


def ticks(periods: list[str], interval: str | None, min_gap: float) -> list[int]:
    """Indices of the bars to label: the first bar, then bars on the finest round step whose labels stand at
    least ``min_gap`` bars apart, and the last bar when it has that room; one bar, one label."""
    if not periods:
        return []
    if interval not in _STEPS:
        return [0] if len(periods) == 1 or len(periods) - 1 < min_gap else [0, len(periods) - 1]
    chosen: list[int] = []
    for step in _STEPS[interval]:
        try:
            at = [i for i, p in enumerate(periods) if _aligned(p, interval, step)]
        except ValueError:  # a period that does not read as its interval: label the ends only
            at = []
            break
        if all(b - a >= min_gap for a, b in zip(at, at[1:], strict=False)):
            chosen = at
            break
    out = [0]
    for i in chosen:
        if i - out[-1] >= min_gap:
            out.append(i)
    last = len(periods) - 1
    if last - out[-1] >= min_gap:
        out.append(last)
    return out
