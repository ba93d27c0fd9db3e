"""Quarantine reasons are one line: a library's message (warcio's runs to a dozen lines) becomes its first
non-blank line, bounded; the whole message may travel as the quarantine's ``detail`` (``--json`` only)."""

from __future__ import annotations

import os
import re


def one_line(message: object, limit: int = 200) -> str:
    """The first non-blank line of ``message`` (an exception: its text, else its class name), at most ``limit``
    characters, control characters dropped."""
    text = str(message)
    if isinstance(message, BaseException) and message.args and isinstance(message.args[0], str):
        text = message.args[0]  # KeyError's str() quotes its message, newlines and all
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first and isinstance(message, BaseException):
        first = type(message).__name__
    first = "".join(c if c.isprintable() else " " for c in first)
    return first if len(first) <= limit else first[: limit - 1] + "…"


def escaped_path(path: str) -> str:
    """A file name as it can be shown and stored: bytes that are not UTF-8 (kept by Python as surrogates, what
    ``os.fsencode`` turns back into the real name) written as ``\\xNN``."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


_PLACE = re.compile(r"^(line \d+|record \d+( at offset \d+)?|stored record)(:\s*|$)")
_SUMMARY = re.compile(r"^[\d,]+ more bad records ")


def reason_kind(reason: str) -> str:
    """ "line 7: not JSON: Expecting value…" → "not JSON"; "symlink to /x, outside…" → "symlink outside the
    folder": what the run report and ``stats`` count quarantined inputs by."""
    if _SUMMARY.match(reason):
        return "more bad records (summarised)"
    rest = _PLACE.sub("", reason, count=1)
    if rest.startswith("symlink to "):
        return "symlink outside the folder"
    return rest.split(":", 1)[0].split(" (")[0].strip()[:60] or "bad record"
