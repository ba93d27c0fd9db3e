"""``newsdex search QUERY``: full-text search over the index, with entity facets and filters."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsdex.search_cli.output import UsageError, bold, emit_json, html_to_terminal


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "search",
        parents=[common],
        help="full-text search (Whoosh query syntax)",
        description="Search titles, headings, bodies and captions. Query syntax: words (all must match), "
        "AND/OR/NOT, \"phrases\", field:value (title:, body:, source:, person:, org:, loc:), trailing * for prefixes.",
        epilog="examples:\n  newsdex search gulags\n  newsdex search '\"Kursk region\"' --limit 5\n"
        "  newsdex search troops --entity 'PERSON:Kim Jong-un' --since 2025-01-01 --sort newest\n"
        "  newsdex search 'title:korea NOT russia' --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="hits to print (default 10)")
    p.add_argument(
        "--entity", action="append", default=[], metavar="TYPE:NAME",
        help="only documents mentioning this entity, any spelling (repeatable)",
    )
    p.add_argument("--source", metavar="SITE", help="only documents from this source")
    p.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD, YYYY-MM or YYYY)")
    p.add_argument("--until", metavar="DATE", help="published on or before")
    p.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")


def parse_entity_filters(values: list[str]) -> list[tuple[str, str]]:
    """TYPE:NAME pairs, each NAME mapped to its canonical name so that any alias matches."""
    from newsdex.tasks.enrich.canonical import canonicalize

    out = []
    for value in values:
        etype, sep, name = value.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--entity takes TYPE:NAME, got {value!r}")
        etype = etype.strip().upper()
        out.append((etype, canonicalize(name.strip(), etype)))
    return out


def run(args: argparse.Namespace) -> int:
    from newsdex.index.reader import IndexMissing, search
    from newsdex.settings import index_dir

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    try:
        result = search(
            index_dir(args.index),
            args.query,
            limit=args.limit,
            entities=parse_entity_filters(args.entity),
            source=args.source,
            since=args.since,
            until=args.until,
            sort=args.sort,
        )
    except (IndexMissing, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        emit_json(result)
        return 0
    print_human(result)
    return 0


def print_human(result: dict[str, Any]) -> None:
    color = sys.stdout.isatty()
    total = result["total"]
    shown = len(result["hits"])
    more = f" (top {shown})" if shown < total else ""
    print(f"{total} hit{'s' if total != 1 else ''} for {result['query']!r}{more}")
    if result.get("suggestion"):
        print(f"did you mean: {result['suggestion']}")
    for i, hit in enumerate(result["hits"], 1):
        meta = " · ".join(x for x in (hit["source"], hit["published"], hit["path"]) if x)
        print()
        print(f"{i}. {bold(hit['title'] or '(untitled)', color)}  [{hit['id']}]")
        print(f"   {meta}")
        print(f"   {html_to_terminal(hit['snippet'], color)}")
    facets = {t: f for t, f in result["facets"].items() if f}
    if facets:
        print()
        for etype, items in facets.items():
            print(f"{etype}: " + ", ".join(f"{f['name']} ({f['count']})" for f in items[:8]))
