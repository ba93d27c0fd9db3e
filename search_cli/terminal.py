"""Human output that fits the terminal: text made safe to print, wrapped and shortened to the width in columns."""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from typing import TextIO

_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # our own colour codes (output.bold, html_to_terminal): no width
_UNIT = re.compile(r"\x1b\[[0-9;]*m|.", re.S)  # what a word is broken into: a colour code or one character
# C0 controls but newline, DEL, C1 controls, and lone surrogates (undecodable bytes in an argument).
_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def width() -> int:
    """Columns of the terminal stdout goes to ($COLUMNS first), 80 when it is not a terminal."""
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def printable(text: str) -> str:
    """``text`` without what would drive the terminal (ESC sequences, BEL…): tabs become spaces, other
    control characters U+FFFD."""
    return _UNPRINTABLE.sub(lambda m: " " if m.group() == "\t" else "\ufffd", text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    return sum(_char_width(ch) for ch in _ANSI.sub("", text))


def shorten(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` columns, ending in "…" when cut."""
    if display_width(text) <= columns:
        return text
    out, used = [], 0
    for unit in _UNIT.findall(text):
        w = 0 if unit.startswith("\x1b") else _char_width(unit)
        if used + w > columns - 1:
            break
        out.append(unit)
        used += w
    return "".join(out) + "…"


def wrap(text: str, columns: int, indent: str = "", hang: str | None = None) -> list[str]:
    """Lines of at most ``columns`` columns: ``indent`` starts the first, ``hang`` (default ``indent``) the
    others; words stay whole unless one alone is wider than a line. Newlines in ``text`` are kept."""
    hang = indent if hang is None else hang
    lines: list[str] = []
    for para in text.split("\n"):
        line, used, empty = indent, display_width(indent), True
        for word in para.split():
            w = display_width(word)
            if not empty and used + 1 + w > columns:
                lines.append(line)
                line, used, empty = hang, display_width(hang), True
            if not empty:
                line, used = line + " ", used + 1
            while used + w > columns and w > 0:  # a word wider than the line (a URL, a long query): break it
                room = max(1, columns - used)
                head, word = _split(word, room)
                lines.append(line + head)
                line, used = hang, display_width(hang)
                w = display_width(word)
            line, used, empty = line + word, used + w, False
        lines.append(line.rstrip())
    return lines


def _split(word: str, columns: int) -> tuple[str, str]:
    """The first ``columns`` columns of ``word`` (at least one character) and the rest."""
    used, cut = 0, 0
    units = _UNIT.findall(word)
    for i, unit in enumerate(units):
        w = 0 if unit.startswith("\x1b") else _char_width(unit)
        if used + w > columns and used > 0:
            break
        used += w
        cut = i + 1
    return "".join(units[:cut]), "".join(units[cut:])


def say(text: str, indent: str = "", hang: str | None = None, file: TextIO | None = None) -> None:
    """Print ``text`` made safe and wrapped to the terminal's width (80 columns when not a terminal);
    continuation lines start with ``hang`` (default: ``indent`` and two spaces)."""
    hang = indent + "  " if hang is None else hang
    text, columns = printable(text), width()
    fits = "\n" not in text and display_width(indent + text) <= columns  # as written: its spacing aligns columns
    print(indent + text if fits else "\n".join(wrap(text, columns, indent, hang)), file=file or sys.stdout)
