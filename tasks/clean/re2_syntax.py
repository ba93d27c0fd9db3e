"""A rule regex, written in Python's syntax, rewritten for RE2 with Python's meaning.

RE2 runs in time linear in the line, but its shorthand classes are ASCII (``\\w`` misses "é", ``\\s`` misses a
no-break space) and it folds the Turkish i apart from i/I. The rewrite walks Python's own parse tree and spells
every class out in Unicode properties that equal Python's (``\\w`` = ``[\\p{L}\\p{N}_]``, ``\\d`` = ``\\p{Nd}``,
checked over every code point: they differ only on characters newer than Python's Unicode tables).

What RE2 cannot run (backreferences, lookarounds, atomic groups, possessive repeats, some negated classes)
raises ``Unsupported`` with the construct's name. One difference remains: RE2's ``\\b`` is an ASCII word
boundary, so ``\\bnews`` finds "news" in "Ünews" for RE2 and not for Python; ``safe_regex`` asks ``re`` about
non-ASCII lines for such a pattern when ``re`` cannot blow up on it (33 of the 37 shipped ones with ``\\b``).
Python's ``$`` also matches before a final newline, which a line never has. Over the 104 shipped regexes and
the 139,493 distinct lines of the seeds, fixtures and extraction sets (22,735 of them non-ASCII) the answers
are Python's on every line; RE2 given the patterns as written differs on 35 ("More on Rosalía", "Бег").
"""

from __future__ import annotations

import re
from typing import Any

try:  # the parser behind re.compile; public as sre_parse before Python 3.11
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C
    import sre_parse as P

_SPACE = r"\t\n\x{b}\x{c}\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
# Class bodies of Python's categories: Unicode (str patterns), the same seen on ASCII text only (a line that
# is all ASCII needs no more: RE2's program for 60 copies of a Unicode \w outgrows its DFA), and (?a) ASCII.
_UNI = {C.CATEGORY_DIGIT: r"\p{Nd}", C.CATEGORY_WORD: r"\p{L}\p{N}_", C.CATEGORY_SPACE: _SPACE}
_UNI_ON_ASCII = {C.CATEGORY_DIGIT: "0-9", C.CATEGORY_WORD: "0-9A-Za-z_", C.CATEGORY_SPACE: r"\t\n\x{b}-\r\x{1c}-\x{20}"}
_ASCII = {C.CATEGORY_DIGIT: "0-9", C.CATEGORY_WORD: "0-9A-Za-z_", C.CATEGORY_SPACE: r"\t\n\x{b}\x{c}\r "}
# Word characters by kind, for [^\W\d_] and its kin: letters, other numbers (Nl, No), decimal digits.
_WORD_PARTS = {False: (r"\p{L}", r"\p{Nl}\p{No}", r"\p{Nd}"), True: ("A-Za-z", "", "0-9")}
_NOT = {
    C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT,
    C.CATEGORY_NOT_WORD: C.CATEGORY_WORD,
    C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE,
}
# Python's IGNORECASE makes i, I, dotless ı and dotted İ one letter; RE2 folds only i with I.
_TURKISH_I = (0x49, 0x69, 0x130, 0x131)
_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
_RE2_MAX_COUNT = 1000  # RE2 refuses counted repeats above this


class Unsupported(Exception):
    """A construct RE2 cannot run, or cannot run with Python's meaning."""


class _State:
    def __init__(self, flags: int, names: dict[int, str], ascii_text: bool) -> None:
        self.flags = flags
        self.names = names
        self.ascii_text = ascii_text


def _char(code: int) -> str:
    ch = chr(code)
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{code:x}}}"


def _touches_i(op: Any, av: Any) -> bool:
    if op is C.LITERAL:
        return av in _TURKISH_I
    return op is C.RANGE and any(av[0] <= c <= av[1] for c in _TURKISH_I)


def _class(items: list[Any], st: _State) -> str:
    """A character class (``[...]``, ``\\w``…) in RE2 syntax with Python's members."""
    cats = _ASCII if st.flags & re.ASCII else _UNI_ON_ASCII if st.ascii_text else _UNI
    negate = bool(items) and items[0][0] is C.NEGATE
    parts: list[str] = []
    complements: list[str] = []  # bodies of \W, \S, \D: a class cannot hold a complement in RE2
    for op, av in items[1:] if negate else items:
        if op is C.LITERAL:
            parts.append(_char(av))
        elif op is C.RANGE:
            parts.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is C.CATEGORY and av in cats:
            parts.append(cats[av])
        elif op is C.CATEGORY and av in _NOT:
            complements.append(cats[_NOT[av]])
        else:
            raise Unsupported(f"class item {op}")
    if st.flags & re.IGNORECASE and any(_touches_i(op, av) for op, av in items):
        parts.append("".join(_char(c) for c in _TURKISH_I))
    if not complements:
        return f"[{'^' if negate else ''}{''.join(parts)}]"
    if not negate:
        return "(?:" + "|".join(([f"[{''.join(parts)}]"] if parts else []) + [f"[^{c}]" for c in complements]) + ")"
    if not parts and len(complements) == 1:
        return f"[{complements[0]}]"  # [^\W] is \w
    return _letters(items[1:], st)


def _letters(items: list[Any], st: _State) -> str:
    """``[^\\W\\d_]`` and its kin: the word characters less digits and/or the underscore."""
    kinds = {(op, av) for op, av in items}
    if (C.CATEGORY, C.CATEGORY_NOT_WORD) not in kinds or st.flags & re.ASCII:
        raise Unsupported("a negated class holding \\W, \\S or \\D")
    rest = kinds - {(C.CATEGORY, C.CATEGORY_NOT_WORD)}
    if not rest <= {(C.CATEGORY, C.CATEGORY_DIGIT), (C.LITERAL, ord("_"))}:
        raise Unsupported("a negated class holding \\W, \\S or \\D")
    letters, other_numbers, digits = _WORD_PARTS[st.ascii_text]
    keep_digits = "" if (C.CATEGORY, C.CATEGORY_DIGIT) in rest else digits
    return f"[{letters}{other_numbers}{keep_digits}{'' if (C.LITERAL, ord('_')) in rest else '_'}]"


def _repeat(op: Any, av: Any, st: _State) -> str:
    lo, hi, item = av
    if op is not C.MAX_REPEAT and op is not C.MIN_REPEAT:
        raise Unsupported("a possessive repeat")
    if lo > _RE2_MAX_COUNT or (hi != C.MAXREPEAT and hi > _RE2_MAX_COUNT):
        raise Unsupported(f"a repeat count over {_RE2_MAX_COUNT}")
    if hi == C.MAXREPEAT:
        count = {0: "*", 1: "+"}.get(lo, f"{{{lo},}}")
    elif lo == hi:
        count = f"{{{lo}}}"
    else:
        count = "?" if (lo, hi) == (0, 1) else f"{{{lo},{hi}}}"
    return f"(?:{_seq(item, st)}){count}{'?' if op is C.MIN_REPEAT else ''}"


def _group(av: Any, st: _State) -> str:
    group, add, remove, body = av
    outer = st.flags
    st.flags = (outer | add) & ~remove
    if st.flags & re.ASCII and st.flags & re.IGNORECASE:
        raise Unsupported("case folding under the ASCII flag")
    try:
        inner = _seq(body, st)
    finally:
        st.flags = outer
    on = "".join(letter for flag, letter in _FLAG_LETTERS if add & flag)
    off = "".join(letter for flag, letter in _FLAG_LETTERS if remove & flag)
    flags = on + (f"-{off}" if off else "")
    if group is None:
        return f"(?{flags}:{inner})"
    name = st.names.get(group)
    captured = f"(?P<{name}>{inner})" if name else f"({inner})"
    return f"(?{flags}:{captured})" if flags else captured


_AT = {
    C.AT_BEGINNING: "^",
    C.AT_BEGINNING_STRING: r"\A",
    C.AT_END: "$",
    C.AT_END_STRING: r"\z",
    C.AT_BOUNDARY: r"\b",
    C.AT_NON_BOUNDARY: r"\B",
}
_NOT_RE2 = {
    C.GROUPREF: "a backreference",
    C.GROUPREF_EXISTS: "a conditional group",
    C.ASSERT: "a lookaround",
    C.ASSERT_NOT: "a lookaround",
    C.ATOMIC_GROUP: "an atomic group",
}


def _seq(items: Any, st: _State) -> str:
    out = []
    for op, av in items:
        if op is C.LITERAL:
            turkish = st.flags & re.IGNORECASE and av in _TURKISH_I
            out.append(f"[{''.join(map(_char, _TURKISH_I))}]" if turkish else _char(av))
        elif op is C.NOT_LITERAL:
            out.append(_class([(C.NEGATE, None), (C.LITERAL, av)], st))
        elif op is C.ANY:
            out.append(".")
        elif op is C.IN:
            out.append(_class(av, st))
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(_seq(b, st) for b in av[1]) + ")")
        elif op is C.SUBPATTERN:
            out.append(_group(av, st))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            out.append(_repeat(op, av, st))
        elif op is C.AT and av in _AT:
            out.append(_AT[av])
        else:
            raise Unsupported(_NOT_RE2.get(op, f"{str(op).lower()}"))
    return "".join(out)


def to_re2(parsed: Any, ascii_text: bool = False) -> str:
    """RE2 syntax for a pattern parsed by Python (``re._parser.parse``); ``ascii_text``: the same answers on
    text that is all ASCII only (a far smaller program). Raises ``Unsupported``."""
    flags = parsed.state.flags
    if flags & re.ASCII and flags & re.IGNORECASE:
        raise Unsupported("case folding under the ASCII flag")
    st = _State(flags, {n: name for name, n in parsed.state.groupdict.items()}, ascii_text)
    body = _seq(parsed, st)
    on = "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)
    return f"(?{on}){body}" if on else body


def parse(pattern: str, flags: int = 0) -> Any:
    """Python's parse tree of a pattern (``re.error`` when it is not a regex)."""
    return P.parse(pattern, flags)
