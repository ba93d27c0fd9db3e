"""The line rules compiled for speed: the first rule in file order that matches a line, in its zone, decides it.

Most lines match no rule, and running every rule's regexes on every line was a third of the text path's time.
The regexes run on RE2 (``safe_regex``: linear time, Python's meaning), the few RE2 cannot run on ``re``.
Each regex therefore gets a gate derived from its own parse tree: literal strings of which at least one must
occur in any line it matches (``visit`` and ``today`` for ``\\b\\d+\\s+visit\\(?s\\)?\\s+today\\b``; the line must
start with one when the literals open an anchored pattern). A plain ``in`` test on the lower-cased line is far
cheaper than a search, and the regex runs only when its gate passes: the same answers, by construction.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, Protocol

from newsdex.tasks.clean import budget
from newsdex.tasks.clean.re2_syntax import C, P
from newsdex.tasks.clean.safe_regex import Backtracking, compile_rule, joined


class LineRule(Protocol):
    """What the matcher reads of a line rule (``rules.LineRule``): the matcher knows no rules file."""

    # Read-only, so a model whose fields are narrower (``zone`` a Literal) still is one.
    @property
    def name(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def regex(self) -> list[str]: ...
    @property
    def zone(self) -> str: ...
    @property
    def max_words(self) -> int | None: ...
    @property
    def case_sensitive(self) -> bool: ...
    @property
    def _line_set(self) -> frozenset[str]: ...
    @property
    def _prefixes(self) -> tuple[str, ...]: ...

    def matches(self, text: str, norm: str, words: int) -> bool: ...


# Characters that re.IGNORECASE equates with an ASCII letter but str.lower() does not turn into that one
# letter (dotted/dotless i, long s): a line holding one is searched without its gate.
_UNSAFE_FOLD = re.compile("[\u0130\u0131\u017f]")
# Shorter gates ("ap", "we") pass on almost every line; a line's first two letters are looked up, so two
# are enough for a literal that must open it ("by").
_MIN_INSIDE, _MIN_OPENING = 3, 2


def _literal_char(code: int) -> str | None:
    ch = chr(code)
    return ch.lower() if ch.isascii() else None  # non-ASCII literals end a run: their case folding varies


def required(items: Any) -> tuple[tuple[str, ...], bool] | None:
    """Literals (lower-cased) of which one occurs in every match of the parsed sequence, and whether they
    open it; None when nothing useful is certain. Every candidate is sound; the best has the longest
    shortest literal."""
    candidates: list[tuple[tuple[str, ...], bool]] = []
    run: list[str] = []
    at_start = True  # no character consumed yet before the current run
    run_opens = True

    def close() -> None:
        if run:
            candidates.append((("".join(run),), run_opens))
            run.clear()

    for op, av in items:
        if op is C.LITERAL and (ch := _literal_char(av)) is not None:
            if not run:
                run_opens = at_start
            run.append(ch)
            at_start = False
            continue
        close()
        if op is C.AT:
            continue  # zero-width: anchors consume nothing
        if op is C.SUBPATTERN:
            sub = required(av[-1])
            if sub is not None:
                candidates.append((sub[0], sub[1] and at_start))
        elif op is C.BRANCH:
            alts = [required(b) for b in av[1]]
            if all(a is not None for a in alts):
                lits = tuple(sorted({x for a in alts if a for x in a[0]}))
                candidates.append((lits, at_start and all(a[1] for a in alts if a)))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            sub = required(av[2])
            if sub is not None:
                candidates.append((sub[0], sub[1] and at_start))
        at_start = False
    close()
    good = [c for c in candidates if min(map(len, c[0])) >= (_MIN_OPENING if c[1] else _MIN_INSIDE)]
    if not good:
        return None
    return max(good, key=lambda c: (c[1], min(map(len, c[0]))))


def gate(regex: str, flags: int) -> tuple[tuple[str, ...], bool] | None:
    """The literal gate of one rule regex: (literals, must open the line), or None to always search.
    Lower-casing both sides is sound with or without IGNORECASE: the literals are ASCII."""
    try:
        parsed = P.parse(regex, flags)
    except re.error:
        return None
    items = list(parsed)
    anchored = bool(items) and items[0] == (C.AT, C.AT_BEGINNING)
    found = required(items)
    if found is None:
        return None
    lits, opens = found
    if not (anchored and opens) and min(map(len, lits)) < _MIN_INSIDE:
        return None
    return lits, anchored and opens


class LineMatcher:
    """The rules of one site, matched a page at a time. Each gate's literals are looked up once in the whole
    page (``str.find``, at C speed); the patterns without a gate are tried together as one alternation per
    line (anchored ones only at its start); a line's regexes run only for the rules it passed a test of."""

    def __init__(self, rules: Sequence[LineRule]) -> None:
        self.rules = rules
        # per rule: zone, max_words, exact lines, prefixes, its pattern ids
        self.spec: list[tuple[str, int | None, frozenset[str], tuple[str, ...], list[int]]] = []
        self.searches: list[Any] = []  # pattern id -> bound search
        self.owner: list[int] = []  # pattern id -> rule index
        # first two letters -> (literal, pattern ids) whose line must start with the literal
        self.opening: dict[str, list[tuple[str, list[int]]]] = {}
        self.inside: dict[str, list[int]] = {}  # literal -> pattern ids whose line must contain it
        self.always: set[int] = set()  # rules tried on every line (prefixes; an ungated pattern RE2 cannot run)
        self.exact: dict[str, list[int]] = {}
        ungated: dict[bool, list[tuple[str, int]]] = {True: [], False: []}
        self.ungated: dict[bool, list[int]] = {True: [], False: []}
        for ri, r in enumerate(rules):
            flags = 0 if r.case_sensitive else re.IGNORECASE
            ids = []
            for rx in r.regex:
                pid = len(self.searches)
                compiled = compile_rule(rx, flags)
                self.searches.append(compiled.search)
                self.owner.append(ri)
                ids.append(pid)
                items = list(P.parse(rx, flags))
                g = gate(rx, flags)
                if g is not None:
                    for lit in g[0]:
                        if g[1]:
                            self.opening.setdefault(lit[:2], []).append((lit, [pid]))
                        else:
                            self.inside.setdefault(lit, []).append(pid)
                elif isinstance(compiled, Backtracking):  # cannot join RE2's alternation
                    self.always.add(ri)
                else:
                    anchored = bool(items) and items[0] == (C.AT, C.AT_BEGINNING)
                    ungated[anchored].append((rx, flags))
                    self.ungated[anchored].append(pid)
            if r._prefixes:
                self.always.add(ri)
            for n in r._line_set:
                self.exact.setdefault(n, []).append(ri)
            self.spec.append((r.zone, r.max_words, r._line_set, r._prefixes, ids))
        at_start, anywhere = joined(ungated[True]), joined(ungated[False])
        self.at_start = at_start.match if at_start is not None else None
        self.anywhere = anywhere.search if anywhere is not None else None

    def _gated(self, texts: list[str]) -> list[set[int]]:
        """Per line, the pattern ids it passed a test of (every pattern on a line with an unsafe fold)."""
        lows = [t.lower() for t in texts]
        low = "\n" + "\n".join(lows) + "\n"
        starts = [0] * (len(texts) + 1)
        at = 1
        for i, t in enumerate(lows):
            starts[i] = at
            at += len(t) + 1
        starts[len(texts)] = at
        out: list[set[int]] = [set() for _ in texts]
        for lit, pids in self.inside.items():
            p = low.find(lit)
            while p >= 0:  # one hit per line is enough: go on from the next line
                i = bisect_right(starts, p) - 1
                out[i].update(pids)
                p = low.find(lit, starts[i + 1])
        opening, at_start, anywhere = self.opening, self.at_start, self.anywhere
        for i, (t, text) in enumerate(zip(lows, texts, strict=True)):
            for lit, pids in opening.get(t[:2], ()):
                if t.startswith(lit):
                    out[i].update(pids)
            # Off ASCII, a pattern with \b asks re (safe_regex.Linear): the joined RE2 test could miss it there.
            plain = text.isascii()
            if at_start is not None and (not plain or at_start(text)):
                out[i].update(self.ungated[True])
            if anywhere is not None and (not plain or anywhere(text)):
                out[i].update(self.ungated[False])
        if _UNSAFE_FOLD.search(low):
            every = set(range(len(self.searches)))
            for i, t in enumerate(texts):
                if _UNSAFE_FOLD.search(t):
                    out[i] = every
        return out

    def match_page(
        self, texts: list[str], norms: list[str], words: list[int], zones: list[str]
    ) -> list[LineRule | None]:
        """For each line, the first rule in file order that matches it in its zone (None: no rule)."""
        out: list[LineRule | None] = []
        spec, searches, owner, always, exact = self.spec, self.searches, self.owner, self.always, self.exact
        for text, norm, n, zone, pids in zip(texts, norms, words, zones, self._gated(texts), strict=True):
            if not len(out) & 255:
                budget.check()
            cands = {owner[p] for p in pids}
            cands.update(always)
            if norm in exact:
                cands.update(exact[norm])
            found = None
            for ri in sorted(cands):
                rzone, max_words, line_set, prefixes, ids = spec[ri]
                if (rzone != "any" and rzone != zone) or (max_words is not None and n > max_words):
                    continue
                if (
                    norm in line_set
                    or (prefixes and (norm + " ").startswith(prefixes))
                    or any(searches[p](text) for p in ids if p in pids or ri in always)
                ):
                    found = self.rules[ri]
                    break
            out.append(found)
        return out

    def match(self, text: str, norm: str, words: int, zone: str) -> LineRule | None:
        return self.match_page([text], [norm], [words], [zone])[0]
