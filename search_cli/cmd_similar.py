"""``newsdex similar ID|URL``: the articles about the same thing as one article (not its copies), each with the
words and names it shares with it. Reads the index only (no Prefect, no spaCy)."""

from __future__ import annotations

import argparse
from typing import Any

from newsdex.search_cli.output import (
    UsageError,
    add_lang_option,
    bold,
    copies_note,
    document_ref,
    emit_json,
    parse_languages,
    shown_ref,
)
from newsdex.search_cli.terminal import printable, width, wrap

EPILOG = """examples:
  newsdex similar 377e233ad334b57e
  newsdex similar seeds/000_f62cfa61a98d079d.txt --limit 5
  newsdex similar https://example.com/news/story --json
  newsdex similar 377e233ad334b57e --lang de,fr

The query is the article's own distinctive words (tf x idf) and its people, organisations and places; the
article and its copies (newsdex duplicates) are left out, and each other story is one hit.
"""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "similar",
        parents=[common],
        help="articles about the same thing as one article (not its copies)",
        description="List the articles most like one indexed article, by its distinctive words and entities. ID "
        "is a document id (or a unique prefix of one), its input path, or its URL.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("id", metavar="ID|URL")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="hits to print (default 10)")
    # as search's --kind (search_cli/options.py, which this path does not import: it brings pydantic)
    p.add_argument(
        "--kind",
        default="article",
        choices=("article", "listing", "other", "all"),
        help="candidates of this kind only (default article; all: every document)",
    )
    add_lang_option(p, "articles")


def run(args: argparse.Namespace) -> int:
    import sys

    from newsdex.reading.archive import Archive
    from newsdex.settings import index_dir

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    ref = document_ref(args.id)
    languages = tuple(parse_languages(args.lang))
    with Archive(index_dir(args.index)) as archive:
        result = archive.similar(ref, limit=args.limit, kind=args.kind, languages=languages)
    if result is None:
        raise UsageError(f"no document {shown_ref(args.id)} in the index")
    if args.json:
        emit_json(result)
        return 0
    print_human(result, sys.stdout.isatty())
    return 0


def print_human(result: dict[str, Any], color: bool) -> None:
    """A line per hit (title, id, source, date, copies), then its reason, indented; wrapped to the terminal."""
    columns = width()

    def out(text: str, indent: str = "", hang: str | None = None) -> None:
        print("\n".join(wrap(text, columns, indent, hang)))

    hits = result["hits"]
    title = printable(result["title"] or "(untitled)")
    out(
        f"{len(hits)} similar to {title}  [{result['id']}]"
        if hits
        else f"nothing similar to {title}  [{result['id']}]",
        hang="  ",
    )
    for i, hit in enumerate(hits, 1):
        meta = " · ".join(printable(x) for x in (hit["source"], hit["published"], hit["path"]) if x)
        meta += copies_note(hit, printable)
        print()
        out(f"{i}. {bold(printable(hit['title'] or '(untitled)'), color)}  [{hit['id']}]", hang="   ")
        out(meta, indent="   ")
        out(printable(hit["reason"]), indent="   ", hang="     ")
