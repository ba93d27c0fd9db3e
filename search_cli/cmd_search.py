"""``newsdex search QUERY``: full-text search over the index, with entity facets and filters."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsdex.search_cli.options import add_filter_options, alias_names, filters_of
from newsdex.search_cli.output import UsageError, bold, copies_note, emit_json, html_to_terminal
from newsdex.search_cli.terminal import printable, shorten, width, wrap


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "search",
        parents=[common],
        help="full-text search (Whoosh query syntax)",
        description="Search titles, headings, bodies and captions. Query syntax: words (all must match), "
        "AND/OR/NOT, \"phrases\", field:value (title:, body:, source:, person:, org:, loc:), trailing * for prefixes; "
        "a field the index does not have matches nothing. --all (or the query *) lists every document.",
        epilog="examples:\n  newsdex search gulags\n  newsdex search '\"Kursk region\"' --limit 5\n"
        "  newsdex search --all --sort newest --limit 20\n"
        "  newsdex search troops --entity 'PERSON:Kim Jong-un' --since 2025-01-01 --sort newest\n"
        "  newsdex search --all --lang de,fr\n"
        "  newsdex search 'title:korea NOT russia' --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", metavar="QUERY", nargs="?", default="")
    p.add_argument("--all", action="store_true", help="every document (the same as the query *); takes no QUERY")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="hits to print (default 10)")
    p.add_argument("--offset", type=int, default=0, metavar="N",
                   help="skip the N best stories first: the next page (default 0; at most 10,000)")
    add_filter_options(p)
    p.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    p.add_argument("--all-copies", action="store_true",
                   help="list every copy of a story (default: one hit per story, with its number of copies)")
    p.add_argument("--passages", action="store_true",
                   help="show each hit's best-matching paragraphs (at most 3; always in --json)")
    p.add_argument("--interval", choices=["auto", "day", "month", "year"], default="auto",
                   help="periods of the date histogram (default: chosen from the span of the matches' dates)")


def run(args: argparse.Namespace) -> int:
    from newsdex.reading.archive import Archive
    from newsdex.reading.request import SearchRequest
    from newsdex.settings import index_dir

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.all and args.query.strip() not in ("", "*"):
        raise UsageError("give a QUERY or --all, not both")
    if not args.all and not args.query.strip():
        raise UsageError("empty query: give words to search for, or --all for every document")
    request = SearchRequest(query="*" if args.all else args.query, filters=filters_of(args), sort=args.sort,
                            limit=args.limit, offset=args.offset, all_copies=args.all_copies, interval=args.interval)
    with Archive(index_dir(args.index), aliases=alias_names) as archive:
        result = archive.search(request)
    if args.json:
        emit_json(result)
        return 0
    print_human(result, passages=args.passages)
    return 0


def print_human(result: dict[str, Any], passages: bool = False) -> None:
    """Hits wrapped to the terminal width, the query shortened to fit its header line."""
    color = sys.stdout.isatty()
    columns = width()
    total = result["total"]
    shown = len(result["hits"])
    head = f"{total} hit{'s' if total != 1 else ''} for "
    more = f" (top {shown})" if shown < total else ""
    query = repr(result["query"])  # repr: quotes it and escapes control characters
    print(head + shorten(query, max(12, columns - len(head) - len(more))) + more)
    if result.get("suggestion"):
        _print(f"did you mean: {printable(result['suggestion'])}", columns, hang="  ")
    for e in result.get("expanded") or []:
        _print(f"also matching {e['type']} {printable(e['name'])} ({printable(e['text'])} is another spelling)",
               columns, hang="  ")
    for i, hit in enumerate(result["hits"], 1):
        parts = (hit["source"], hit["published"], hit.get("language"), hit["path"])
        meta = " · ".join(printable(x) for x in parts if x)
        print()
        _print(f"{i}. {bold(printable(hit['title'] or '(untitled)'), color)}  [{hit['id']}]", columns, hang="   ")
        meta += copies_note(hit, printable)
        _print(meta, columns, indent="   ")
        if passages and hit.get("passages"):
            for p in hit["passages"]:
                _print(f"¶{p['position'] + 1}  " + html_to_terminal(printable(p["text"]), color), columns,
                       indent="     ", hang="        ")
        else:
            _print(html_to_terminal(printable(hit["snippet"]), color), columns, indent="   ")
    if result["facets"].get("published"):
        print()
        _print(date_line(result["facets"]["published"], result["dates"], total), columns, hang="  ")
    facets = {t: f for t, f in result["facets"].items() if f and t != "published"}
    if facets:
        print()
        counted = result.get("facet_stories")
        if counted is not None and result.get("stories") is None:  # more matches than the facets read
            print(f"(entities and languages of the top {counted} stories)")
        for etype, items in facets.items():
            names = ", ".join(f"{printable(f['name'])} ({f['count']})" for f in items[:8])
            _print(f"{etype}: {names}", columns, hang="  ")


BARS = " ▁▂▃▄▅▆▇█"


def date_line(periods: list[dict[str, Any]], dates: dict[str, Any], total: int) -> str:
    """The date histogram in one line: first period, a bar per period (at most 60: neighbours summed), last
    period, and how many matches it counts."""
    counts = [c["count"] for c in periods]
    step = -(-len(counts) // 60)
    sums = [sum(counts[i : i + step]) for i in range(0, len(counts), step)]
    top = max(sums) or 1
    bars = "".join(BARS[0 if n == 0 else max(1, round(n / top * (len(BARS) - 1)))] for n in sums)
    dated = sum(counts)
    undated = f", {dates['undated']} undated" if dates.get("undated") else ""
    return (f"published per {dates['interval']}: {periods[0]['period']} {bars} {periods[-1]['period']}"
            f"  ({dated} of {total} matches dated{undated}; peak {max(counts)})")


def _print(text: str, columns: int, indent: str = "", hang: str | None = None) -> None:
    print("\n".join(wrap(text, columns, indent, hang)))
