"""The line model's second look: where a line sits in the page's pattern of article-like lines.

An article is one contiguous run of prose; teaser lists, "more from" sections and readers' comments after it
also read like prose line by line, but they sit outside that run or in a stretch where the first look was
unsure. The second stage sees each line's first-look score next to its neighbours' scores (windows of
several sizes, before and after it), whether it lies inside the page's best contiguous article region, how
far from it, and how much of the page's article-like text lies before it. All of it comes from the one page.
"""

from __future__ import annotations

import numpy as np

from newsdex.tasks.clean.lines import Line

_BODY_ROLES = frozenset(("heading", "paragraph"))

CONTEXT2_FEATURES = (
    "p1",
    "q_win1",
    "q_win3",
    "q_win8",
    "q_win20",
    "q_prev5",
    "q_next5",
    "in_region",
    "before_region",
    "after_region",
    "dist_region",
    "mass_before",
    "mass_after",
    "region_share",
)


def prior(lines: list[Line], p1: np.ndarray) -> np.ndarray:
    """Article-likeness of every line: the first look for open lines, the rules' decision for the others."""
    q = np.array(p1, dtype=float)
    for i, ln in enumerate(lines):
        if ln.kept is not None:
            q[i] = 1.0 if ln.kept and ln.role in _BODY_ROLES else 0.0
    return q


def _window(x: np.ndarray, lo_off: int, hi_off: int) -> np.ndarray:
    """Mean of x over [i + lo_off, i + hi_off] (clipped to the page; 0.5 where the window is empty)."""
    n = len(x)
    c = np.concatenate(([0.0], np.cumsum(x)))
    idx = np.arange(n)
    lo = np.clip(idx + lo_off, 0, n)
    hi = np.clip(idx + hi_off + 1, 0, n)
    cnt = hi - lo
    return np.where(cnt > 0, (c[hi] - c[lo]) / np.maximum(cnt, 1), 0.5)


def article_region(q: np.ndarray, words: np.ndarray, centre: float = 0.5) -> tuple[int, int]:
    """The contiguous run of lines with the largest sum of (q - centre) weighted by log(words): the article."""
    gain = (q - centre) * np.log1p(words)
    best, best_sum, start, run = (-1, -1), 0.0, 0, 0.0
    for i, g in enumerate(gain.tolist()):
        if run <= 0.0:
            start, run = i, 0.0
        run += g
        if run > best_sum:
            best, best_sum = (start, i), run
    return best


def context2(p1: np.ndarray, q: np.ndarray, words: np.ndarray) -> np.ndarray:
    """The second stage's extra columns (``CONTEXT2_FEATURES``), one row per line: ``p1`` the first look,
    ``q`` the line's article-likeness (``prior``), ``words`` its word count."""
    n = len(q)
    lo, hi = article_region(q, words)
    idx = np.arange(n)
    if lo >= 0:
        inside = ((idx >= lo) & (idx <= hi)).astype(float)
        before = (idx < lo).astype(float)
        after = (idx > hi).astype(float)
        dist = np.where(idx < lo, lo - idx, np.where(idx > hi, idx - hi, 0))
    else:
        inside, before, after, dist = np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, n)
    mass = q * words
    total = mass.sum() or 1.0
    cum = np.cumsum(mass)
    region_words = float(words[lo : hi + 1].sum()) if lo >= 0 else 0.0
    return np.stack(
        [
            p1,
            _window(q, -1, 1),
            _window(q, -3, 3),
            _window(q, -8, 8),
            _window(q, -20, 20),
            _window(q, -5, -1),
            _window(q, 1, 5),
            inside,
            before,
            after,
            np.log1p(dist),
            (cum - mass) / total,
            (total - cum) / total,
            np.full(n, region_words / (words.sum() or 1.0)),
        ],
        axis=1,
    )
