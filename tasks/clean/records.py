"""Listings of records after the article: "more stories" teasers and readers' comments, flattened.

A listing repeats one small record shape: headline, byline, date, summary; or name, "2 days ago", comment.
Line by line its summaries and comments read like article prose, but the record separators give it away: the
same kind of short line (a date, a byline, a relative time) again and again at short intervals. The rule
finds such a run and removes the records it spans when the listing cannot be the article itself: most of the
page's prose lies before it, or its records are teaser cards of one shape, or its separators are relative
times ("3 hours ago"), which an article's own dated entries (a live blog) never use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsdex.tasks.clean.lines import Line, is_dense
from newsdex.tasks.clean.rules import Rules
from newsdex.tasks.clean.safe_regex import Pattern, joined


@lru_cache(maxsize=16)
def _kinds(patterns: tuple[str, ...]) -> Pattern:
    """One alternation with a named group per pattern: one search per line tells which kind matched (RE2:
    the rules file's regexes never backtrack, see safe_regex)."""
    return joined([(rx, re.I) for rx in patterns], named=True)  # type: ignore[return-value]


def separator_kind(line: Line, kinds: Pattern, max_words: int) -> int:
    """Which separator pattern a short line matches (its index), or -1."""
    if not 0 < line.words <= max_words:
        return -1
    m = kinds.search(line.text)
    return int(m.lastgroup[1:]) if m and m.lastgroup else -1


def find_listing(
    seps: list[tuple[int, int]], min_records: int, max_gap: dict[int, int]
) -> tuple[int, list[int]] | None:
    """The first run of at least ``min_records`` separators of one kind, each within ``max_gap[kind]`` lines
    of the previous one (separators of another kind in between do not break it): its kind and line numbers."""
    by_kind: dict[int, list[int]] = {}
    for i, k in seps:
        by_kind.setdefault(k, []).append(i)
    best: tuple[int, list[int]] | None = None
    for kind, positions in by_kind.items():
        run = [positions[0]]
        for i in positions[1:]:
            if i - run[-1] <= max_gap[kind]:
                run.append(i)
                continue
            if len(run) >= min_records:
                break
            run = [i]
        if len(run) >= min_records and (best is None or run[0] < best[1][0]):
            best = kind, run
    return best


def apply_record_list(lines: list[Line], rules: Rules, domain: str | None, first_dense: int) -> None:
    opts = rules.structure.get("record-list", {})
    if not opts.get("separators") or not rules.rule_enabled("record-list", domain) or first_dense < 0:
        return
    weak = tuple(opts["separators"])
    patterns = weak + tuple(opts.get("strong_separators", ()))
    kinds = _kinds(patterns)
    max_words = int(opts.get("max_words", 8))
    min_records = int(opts.get("min_records", 3))
    # Comments run longer than teaser cards: their separators may lie further apart.
    max_gap = {
        k: int(opts.get("max_gap", 8) if k < len(weak) else opts.get("strong_max_gap", 16))
        for k in range(len(patterns))
    }
    min_share = float(opts.get("min_share_before", 0.4))
    dense_min = rules.thresholds.dense_min_words
    seps = [
        (i, k)
        for i in range(first_dense + 1, len(lines))
        if lines[i].open and (k := separator_kind(lines[i], kinds, max_words)) >= 0
    ]
    found = find_listing(seps, min_records, max_gap)
    if found is None:
        return
    kind, run = found
    gaps = sorted(b - a for a, b in zip(run, run[1:], strict=False))
    period = gaps[len(gaps) // 2]
    # Where a record opens: most open with a headline (or a name) a fixed number of lines before their
    # separator ("headline, byline, date, summary"); without one, at the separator ("date, headline, summary").
    lead = record_lead(lines, run, period, kinds, max_words, rules.thresholds.heading_max_words)
    # Teaser cards are cut to one shape: every record the same length, opening with a headline. Anything less
    # regular (comments, entries of a live blog) counts as a listing only once most of the prose lies before it.
    regular = lead > 0 and gaps[0] == gaps[-1] and len(run) >= int(opts.get("min_regular_records", 4))
    dense_words = [ln.words if ln.open and is_dense(ln, dense_min) else 0 for ln in lines]
    if kind >= len(weak):  # "2 days ago": a feed or a comment thread, never the article's own entries
        if sum(1 for w in dense_words[: run[0]] if w) < int(opts.get("min_paragraphs_before", 3)):
            return
    elif not regular and sum(dense_words[: run[0]]) < min_share * (sum(dense_words) or 1):
        return  # most of the prose comes after: an article made of dated entries (a live blog), not a listing
    start = max(first_dense + 1, run[0] - lead)
    end = min(len(lines) - 1, run[-1] - lead + period - 1)
    for ln in lines[start : end + 1]:
        if ln.open:
            ln.decide(False, "record-list", "removed")


def record_lead(
    lines: list[Line], run: list[int], period: int, kinds: Pattern, max_words: int, heading_words: int
) -> int:
    """How many lines of a record come before its separator: the farthest offset (within one record) at which
    most records hold a line of a heading's length that ends no sentence and is no separator itself (a
    headline or a name); 0 when no offset does."""

    def opener(i: int) -> bool:
        ln = lines[i]
        return 0 < ln.words <= heading_words and not ln.sentence_end and separator_kind(ln, kinds, max_words) < 0

    best, best_hits = 0, 0
    for lead in range(1, period):
        hits = sum(1 for i in run if i - lead >= 0 and opener(i - lead))
        if hits >= max(best_hits, len(run) // 2 + 1):
            best, best_hits = lead, hits
    return best
