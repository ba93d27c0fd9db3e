"""Rule regexes compiled to run in bounded time: a rules file cannot hang cleaning.

Python's ``re`` backtracks: ``(a+)+$`` against forty ``a`` and a ``b`` runs for hours. Every regex of the rules
file (line rules, comment markers, record separators) is therefore run by RE2, whose time is linear in the line,
after ``re2_syntax`` has rewritten it so that it means what Python would (the file is written in Python's syntax).

A line rule RE2 cannot run (a backreference, a lookaround) is run by ``re``, on lines of at most
``BACKTRACKING_MAX_CHARS`` characters, and only when it cannot blow up there: no repeat inside a repeat, and
at most two long factors (the search's start, unless anchored, and each repeat of more than
``_LONG_REPEAT``). Anything else is refused when the rules file loads, naming the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

import re2

from newsdex.tasks.clean.re2_syntax import C, Unsupported, parse, to_re2

BACKTRACKING_MAX_CHARS = 2000  # longer lines are prose, never boilerplate: such a rule does not look at them
_LONG_REPEAT = 100
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)


def _options(capture: bool) -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is our one-line error, not RE2's log on stderr
    options.never_capture = not capture  # a yes/no answer needs no groups: RE2 stays in its fastest mode
    return options


class Pattern(Protocol):
    pattern: str

    def search(self, text: str) -> Any: ...

    def match(self, text: str) -> Any: ...


class Linear:
    """A pattern RE2 runs. ``search``/``match`` answer True or None; with named groups, a hit whose
    ``lastgroup`` names the group that matched (the one alternative of ``joined(..., named=True)``).

    Two programs: one for lines that are all ASCII (most lines; a Unicode ``\\w`` repeated 60 times is a program
    too large for RE2's DFA, 25 µs a line against 1), one for the others. A pattern with ``\\b`` (an ASCII
    boundary to RE2) asks ``re`` about non-ASCII lines instead, when ``re`` cannot blow up on it. ``re2``'s own
    ``search`` builds a match object through a Python generator (8 µs a line) and refuses lone surrogates: the
    compiled ``RE2.Match`` is called directly."""

    __slots__ = ("pattern", "_ascii", "_unicode", "_names", "_python", "_made_by")

    def __init__(self, made_by: tuple[Any, ...], ascii_only: Any, unicode: Any, python: re.Pattern[str] | None) -> None:
        self.pattern = made_by[0]
        self._made_by = made_by  # compile_rule's arguments: RE2's objects do not pickle, the rules go to Dask
        self._ascii = ascii_only._regexp.Match
        self._unicode = unicode._regexp.Match
        self._names = sorted((i, name) for name, i in unicode.groupindex.items())
        self._python = python

    def __reduce__(self) -> tuple[Any, ...]:
        return compile_rule, self._made_by

    def _run(self, anchor: Any, text: str) -> Any:
        data = text.encode("utf-8", "surrogatepass")
        spans = (self._ascii if text.isascii() else self._unicode)(anchor, data, 0, len(data))
        if spans[0][0] < 0:
            return None
        return next((_Hit(name) for i, name in self._names if spans[i][0] >= 0), None) if self._names else True

    def _python_for(self, text: str) -> re.Pattern[str] | None:
        if self._python is None or text.isascii() or len(text) > BACKTRACKING_MAX_CHARS:
            return None
        return self._python

    def search(self, text: str) -> Any:
        python = self._python_for(text)
        return python.search(text) if python is not None else self._run(_UNANCHORED, text)

    def match(self, text: str) -> Any:
        python = self._python_for(text)
        return python.match(text) if python is not None else self._run(_AT_START, text)


class _Hit:
    __slots__ = ("lastgroup",)

    def __init__(self, lastgroup: str) -> None:
        self.lastgroup = lastgroup


_UNANCHORED, _AT_START = re2._Anchor.UNANCHORED, re2._Anchor.ANCHOR_START


class Backtracking:
    """A pattern only Python's ``re`` can run, checked safe on short lines: longer lines never match."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str, compiled: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._compiled = compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self._compiled.search(text) if len(text) <= BACKTRACKING_MAX_CHARS else None

    def match(self, text: str) -> re.Match[str] | None:
        return self._compiled.match(text) if len(text) <= BACKTRACKING_MAX_CHARS else None


class AnyOf:
    """Several patterns, each on its own engine: the first hit."""

    __slots__ = ("patterns",)

    def __init__(self, patterns: list[Pattern]) -> None:
        self.patterns = patterns

    def search(self, text: str) -> Any:
        return next((hit for p in self.patterns if (hit := p.search(text))), None)


def _nodes(items: Any) -> Iterator[tuple[Any, Any]]:
    """Every node of a parse tree."""
    for op, av in items:
        yield op, av
        if op in _REPEATS:
            yield from _nodes(av[2])
        elif op is C.SUBPATTERN:
            yield from _nodes(av[-1])
        elif op in (C.ASSERT, C.ASSERT_NOT):
            yield from _nodes(av[1])
        elif op is C.ATOMIC_GROUP:
            yield from _nodes(av)
        elif op in (C.BRANCH, C.GROUPREF_EXISTS):
            for branch in av[1:] if op is C.GROUPREF_EXISTS else av[1]:
                if branch is not None:
                    yield from _nodes(branch)


def _anchored(items: Any) -> bool:
    """Whether every match starts at the start of the line (a search then tries one position)."""
    for op, av in items:
        if op is C.AT:
            return av in (C.AT_BEGINNING, C.AT_BEGINNING_STRING)
        if op is C.SUBPATTERN:
            return _anchored(av[-1])
        if op is C.BRANCH:
            return all(_anchored(b) for b in av[1])
        return False
    return False


def _long_factors(items: Any, inside: bool) -> int:
    """Long repeats one after the other (each multiplies the backtracking); raises on a nested repeat."""
    total = 0
    for op, av in items:
        if op in _REPEATS:
            lo, hi, body = av
            if hi > 1 and inside:
                raise Unsupported("a repeat inside a repeat")
            total += (hi > _LONG_REPEAT) + _long_factors(body, inside or hi > 1)
        elif op is C.BRANCH:
            total += max(_long_factors(b, inside) for b in av[1])
        elif op is C.SUBPATTERN:
            total += _long_factors(av[-1], inside)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            total += _long_factors(av[1], inside)
        elif op is C.ATOMIC_GROUP:
            total += _long_factors(av, inside)
        elif op is C.GROUPREF_EXISTS:
            total += max(_long_factors(b, inside) for b in av[1:] if b is not None)
    return total


def backtracking_risk(parsed: Any) -> str | None:
    """Why ``re`` could take too long on a short line with this pattern, or None."""
    try:
        starts = not _anchored(parsed) or bool(parsed.state.flags & re.MULTILINE)
        factors = _long_factors(parsed, inside=False) + starts
    except Unsupported as exc:
        return str(exc)
    return f"{factors} long repeats in a row" if factors > 2 else None


@lru_cache(maxsize=1024)  # a rules file compiles each pattern more than once (its rule, each site's matcher)
def compile_rule(pattern: str, flags: int = 0, backtracking: bool = True, capture: bool = False) -> Pattern:
    """RE2 with Python's meaning; else (``backtracking``) ``re`` when it is safe; else ValueError saying why.
    ``capture``: keep the groups (``lastgroup`` of a hit), else plain yes/no answers (faster)."""
    try:
        parsed = parse(pattern, flags)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    try:
        options = _options(capture)
        ascii_only = re2.compile(to_re2(parsed, ascii_text=True), options)
        unicode = re2.compile(to_re2(parsed), options)
        boundary = any(op is C.AT and av in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY) for op, av in _nodes(parsed))
        python = re.compile(pattern, flags) if boundary and backtracking_risk(parsed) is None else None
        return Linear((pattern, flags, backtracking, capture), ascii_only, unicode, python)
    except (Unsupported, re2.error) as exc:
        reason = str(exc) or "an unsupported construct"
    refused = f"regex {pattern!r} has {reason}, which the linear-time engine (RE2) cannot run"
    if not backtracking:
        raise ValueError(refused)
    risk = backtracking_risk(parsed)
    if risk is not None:
        raise ValueError(f"{refused}, and {risk}, which could take hours with backtracking")
    return Backtracking(pattern, re.compile(pattern, flags))


def joined(patterns: Sequence[tuple[str, int]], named: bool = False) -> Pattern | None:
    """One alternation of patterns, each under its own flags (``named``: group ``k<i>`` around the i-th, so
    ``match.lastgroup`` tells which matched)."""
    if not patterns:
        return None
    parts = [f"(?{'i' if f & re.IGNORECASE else '-i'}:{rx})" for rx, f in patterns]
    if named:
        parts = [f"(?P<k{i}>{p})" for i, p in enumerate(parts)]
    return compile_rule("|".join(parts), capture=named)
