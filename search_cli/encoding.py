"""``--encoding NAME``, shared by ``ingest`` and ``clean``: force how input bytes are read."""

from __future__ import annotations

import argparse

from newsdex.search_cli.output import UsageError


def add_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="read every input in this encoding (e.g. latin-1, cp1252, utf-16) instead of detecting it",
    )


def checked_encoding(name: str | None) -> str | None:
    """``--encoding NAME`` as a codec name; an unknown name is a usage error (exit 1, one line)."""
    if name is None:
        return None
    from newsdex.tasks.decode import normalize_encoding

    try:
        return normalize_encoding(name)
    except ValueError as exc:
        raise UsageError(f"--encoding: {exc}") from None
