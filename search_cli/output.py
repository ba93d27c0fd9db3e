"""Output helpers shared by every subcommand: JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


class UsageError(Exception):
    """Bad input or usage: exit code 1 with a one-line message."""


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def emit_jsonl(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def info(msg: str) -> None:
    """Human progress/notes go to stderr so that stdout stays clean for --json."""
    sys.stderr.write(msg + "\n")


def bold(text: str, enabled: bool) -> str:
    return f"\033[1m{text}\033[0m" if enabled else text


def html_to_terminal(snippet: str, color: bool) -> str:
    """Whoosh highlights come as <b>term</b>; show them bold on a terminal, bracketed otherwise."""
    import html

    if color:
        return html.unescape(snippet.replace("<b>", "\033[1;33m").replace("</b>", "\033[0m"))
    return html.unescape(snippet.replace("<b>", "[").replace("</b>", "]"))
