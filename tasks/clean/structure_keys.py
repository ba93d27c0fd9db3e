"""The keys each structural rule of the rules file reads (``[structure.NAME]``), with their types: a misspelt
key would otherwise be ignored without a word, and a text where a number belongs would fail mid-batch."""

from __future__ import annotations

import re
from typing import Any

from newsdex.tasks.clean.safe_regex import compile_rule

_INT, _FLOAT, _TEXT, _REGEXES = "a whole number", "a number", "a text", "a list of regexes"
KEYS: dict[str, dict[str, str]] = {
    "related-links": {"min_run": _INT, "max_words": _INT},
    "comment-thread": {
        "min_paragraphs_before": _INT,
        "min_share_before": _FLOAT,
        "markers": _REGEXES,
        "strong_markers": _REGEXES,
    },
    "record-list": {
        "min_records": _INT,
        "min_regular_records": _INT,
        "max_gap": _INT,
        "max_words": _INT,
        "min_share_before": _FLOAT,
        "separators": _REGEXES,
        "min_paragraphs_before": _INT,
        "strong_max_gap": _INT,
        "strong_separators": _REGEXES,
    },
    "repeated-line": {"min_run": _INT},
    "headline-anchor": {"min_words": _INT, "prose_within": _INT},
    "image-alt": {"rule": _TEXT},
    "heading": {"max_words": _INT},
    "lead-caption": {"max_words": _INT},
}


def _fits(value: Any, kind: str) -> bool:
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _FLOAT:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == _TEXT:
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def check_structure(structure: dict[str, dict[str, Any]]) -> None:
    """ValueError naming the first unknown rule or key, value of the wrong type, or regex RE2 cannot run."""
    for name, options in structure.items():
        if name not in KEYS:
            raise ValueError(f"unknown key {name!r}")
        for key, value in options.items():
            kind = KEYS[name].get(key)
            if kind is None:
                raise ValueError(f"unknown key '{name}.{key}'")
            if not _fits(value, kind):
                raise ValueError(f"{name}.{key} must be {kind}")
            if kind == _REGEXES:
                for rx in value:  # joined into one alternation per line: RE2 only, no backtracking fallback
                    try:
                        compile_rule(rx, re.IGNORECASE, backtracking=False)
                    except ValueError as exc:
                        raise ValueError(f"{name}.{key}: {exc}") from None
