"""Output helpers shared by every subcommand: JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from newsdex.errors import UserError

# A note on a Ctrl-C or SIGTERM that a command adds to say what it kept: search_cli/main.py makes it the last line.
STOP_NOTE = "newsdex-stopped: "


class UsageError(UserError):
    """Bad input or usage: exit code 1 with a one-line message (the CLI's own user errors; the library's are
    newsdex.errors', caught alike)."""


def json_line(obj: Any) -> str:
    """The JSON every command prints (and the web API serves, byte for byte): one line, UTF-8 as is."""
    return json.dumps(obj, ensure_ascii=False, default=str) + "\n"


def emit_json(obj: Any) -> None:
    sys.stdout.write(json_line(obj))


def emit_jsonl(obj: Any) -> None:
    sys.stdout.write(json_line(obj))
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


def document_ref(ref: str) -> str:
    """What names a document for ``show``, ``similar`` and the web page: a URL becomes the id ingest gave its
    document (newsdex.tasks.feeds.identity); anything else (an id, an id prefix, a path) stays as given."""
    if ref.lower().startswith(("http://", "https://")):
        from newsdex.tasks.feeds.identity import url_document_id

        return url_document_id(ref) or ref
    return ref


def copies_note(hit: dict[str, Any], printable: Any) -> str:
    """The "(+N copies: site, site…)" after a hit that has copies (at most four sources named); "" without."""
    if not hit.get("copies"):
        return ""
    sources = hit.get("copy_sources") or []
    named = ", ".join(printable(s) for s in sources[:4]) + ("…" if len(sources) > 4 else "")
    return f"  (+{hit['copies']} cop{'ies' if hit['copies'] != 1 else 'y'}: {named})"


def add_lang_option(parser: Any, what: str) -> None:
    """``--lang``, as every read command takes it (parsed by ``parse_languages``)."""
    parser.add_argument(
        "--lang",
        action="append",
        default=[],
        metavar="CODE",
        help=f"only {what} in these languages (ISO 639-1 codes, comma-separated or repeated: de,fr)",
    )


def parse_languages(values: list[str]) -> list[str]:
    """Language codes from repeated or comma-separated --lang values, lower-cased (every read command; here, not
    in options.py, so that similar, entities and duplicates read without the request models)."""
    codes = [code.strip().lower() for value in values for code in value.split(",") if code.strip()]
    for code in codes:
        if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3):
            raise UsageError(f"--lang takes language codes such as de or en, got {code!r}")
    if values and not codes:
        raise UsageError("--lang needs a language code such as de or en")
    return codes


def shown_ref(ref: str, limit: int = 80) -> str:
    """A reference the user gave (an id, a path, a URL) quoted for a one-line message, however long it was."""
    return repr(ref if len(ref) <= limit else ref[: limit - 1] + "…")
