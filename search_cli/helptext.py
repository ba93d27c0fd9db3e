"""``--help`` that fits the terminal (80 columns when it is not one): descriptions wrapped as prose, examples
kept as written unless too wide, then a command broken with a shell continuation and its comment put below it."""

from __future__ import annotations

import argparse
import shutil
import textwrap

MAX_WIDTH = 100  # wider terminals still get lines a person can read


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs keep their line breaks (examples, tables), and every line fits the width."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 30, width: int | None = None
    ) -> None:
        columns = shutil.get_terminal_size((80, 24)).columns
        super().__init__(prog, indent_increment, max_help_position, width or min(MAX_WIDTH, max(40, columns - 1)))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(fit_line(line, width, indent) for line in _paragraph_lines(text.splitlines(), width))


def _paragraph_lines(lines: list[str], width: int) -> list[str]:
    """Source lines broken for a wider screen, joined again: a line too wide for ``width`` and the next one
    indented as its continuation (as far as its text, or its explanation in a "term  explanation" row)."""
    out: list[str] = []
    for line in lines:
        if (
            out
            and len(out[-1]) > width
            and line.strip()
            and not _is_command(line.strip())
            and _lead(line) == _hang(out[-1])
        ):
            out[-1] = out[-1] + " " + line.strip()
        else:
            out.append(line)
    return out


def _lead(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _is_command(body: str) -> bool:
    return body.startswith(("newsdex ", "python ", "jq "))


def _hang(line: str) -> str:
    """Where the continuation of ``line`` starts: under its explanation in a "term  explanation" row (two
    spaces or more after the term), else under its text."""
    lead = _lead(line)
    term, sep, rest = line.strip().partition("  ")
    if sep and rest.strip():
        return lead + " " * (len(term) + len(sep) + len(rest) - len(rest.lstrip()))
    return lead


def fit_line(line: str, width: int, indent: str = "") -> str:
    """One line of a description or an epilog, as lines of at most ``width`` columns."""
    line = indent + line
    if len(line) <= width:
        return line
    lead = _lead(line)
    body = line.strip()
    if _is_command(body):
        return _command(lead, body, width)
    hang = _hang(line)  # a "term  explanation" row: the explanation hangs under itself
    if len(hang) > width // 2:
        hang = lead + "  "
    return "\n".join(
        textwrap.wrap(
            body, width, initial_indent=lead, subsequent_indent=hang, break_on_hyphens=False, break_long_words=True
        )
    )


def _command(lead: str, body: str, width: int) -> str:
    """An example command too wide: its comment on the line below (as a comment), the command broken at
    spaces outside quotes with `` \\`` continuations."""
    command, comment = _split_comment(body)
    out: list[str] = []
    if comment:
        out += textwrap.wrap(comment, width, initial_indent=lead + "# ", subsequent_indent=lead + "# ")
    words = _shell_words(command)
    line = lead
    for word in words:
        candidate = (line + " " + word) if line.strip() else line + word
        if len(candidate) + 2 > width and line.strip():
            out.append(line + " \\")
            line = lead + "    " + word
        else:
            line = candidate
    out.append(line)
    return "\n".join(out)


def _split_comment(body: str) -> tuple[str, str]:
    """The command and its trailing ``# comment`` (a ``#`` outside quotes, after spaces)."""
    quote = ""
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and i > 0 and body[i - 1] == " ":
            return body[:i].rstrip(), body[i + 1 :].strip()
    return body, ""


def _shell_words(command: str) -> list[str]:
    words, current, quote = [], "", ""
    for ch in command:
        if quote:
            quote = "" if ch == quote else quote
            current += ch
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == " ":
            if current:
                words.append(current)
            current = ""
        else:
            current += ch
    if current:
        words.append(current)
    return words
