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
        'AND/OR/NOT, "phrases", field:value (title:, body:, source:, person:, org:, loc:), trailing * for prefixes; '
        "a field the index does not have matches nothing. --all (or the query *) lists every document.",
        epilog="examples:\n  newsdex search gulags\n  newsdex search '\"Kursk region\"' --limit 5\n"
        "  newsdex search --all --sort newest --limit 20\n"
        "  newsdex search troops --entity 'PERSON:Kim Jong-un' --since 2025-01-01 --sort newest\n"
        "  newsdex search --all --lang de,fr\n"
        "  newsdex search 'title:korea NOT kursk' --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", metavar="QUERY", nargs="?", default="")
    p.add_argument("--all", action="store_true", help="every document (the same as the query *); takes no QUERY")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="hits to print (default 10)")
    p.add_argument(
        "--offset",
        type=int,
        default=0,
        metavar="N",
        help="skip the N best stories first: the next page (default 0; at most 10,000)",
    )
    add_filter_options(p)
    p.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    p.add_argument(
        "--all-copies",
        action="store_true",
        help="list every copy of a story (default: one hit per story, with its number of copies)",
    )
    p.add_argument(
        "--passages", action="store_true", help="show each hit's best-matching paragraphs (at most 3; always in --json)"
    )
    p.add_argument(
        "--interval",
        choices=["auto", "day", "month", "year"],
        default="auto",
        help="periods of the date histogram (default: chosen from the span of the matches' dates)",
    )


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
    request = SearchRequest(
        query="*" if args.all else args.query,
        filters=filters_of(args),
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
        all_copies=args.all_copies,
        interval=args.interval,
    )
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
        n = result.get("suggestion_hits")
        count = f" ({n} hit{'s' if n != 1 else ''})" if n else ""
        _print(f"did you mean: {printable(result['suggestion'])}{count}", columns, hang="  ")
    for e in result.get("expanded") or []:
        _print(
            f"also matching {e['type']} {printable(e['name'])} ({printable(e['text'])} is another spelling)",
            columns,
            hang="  ",
        )
    for i, hit in enumerate(result["hits"], 1):
        _print_hit(i, hit, passages, color, columns)
    if result["facets"].get("published"):
        print()
        head, *chart = date_lines(result["facets"]["published"], result["dates"], total, columns)
        _print(head, columns, hang="  ")
        print("\n".join(chart))  # not wrapped: the labels stand under their bars
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
MAX_BARS = 60


def _print_hit(i: int, hit: dict[str, Any], passages: bool, color: bool, columns: int) -> None:
    """One hit: its title and id, where it comes from, and its snippet (or its passages)."""
    parts = (hit["source"], hit["published"], hit.get("language"), hit["path"])
    meta = " · ".join(printable(x) for x in parts if x)
    print()
    _print(f"{i}. {bold(printable(hit['title'] or '(untitled)'), color)}  [{hit['id']}]", columns, hang="   ")
    meta += copies_note(hit, printable)
    _print(meta, columns, indent="   ")
    if passages and hit.get("passages"):
        for p in hit["passages"]:
            text = f"¶{p['position'] + 1}  " + html_to_terminal(printable(p["text"]), color)
            _print(text, columns, indent="     ", hang="        ")
    else:
        _print(html_to_terminal(printable(hit["snippet"]), color), columns, indent="   ")


def date_lines(periods: list[dict[str, Any]], dates: dict[str, Any], total: int, columns: int = 80) -> list[str]:
    """The date histogram: a line saying what it counts, a line of bars (one per period, at most MAX_BARS:
    neighbours summed; a few periods get wide bars) and a line labelling the bars on round periods
    (search_cli/axis.py), each label under the bar it names."""
    from newsdex.search_cli.axis import ticks

    counts = [c["count"] for c in periods]
    names = [c["period"] for c in periods]
    label = max(len(n) for n in names)
    room = max(10, min(MAX_BARS, columns - 2 - label))  # the last label may start under the last bar
    step = -(-len(counts) // room)  # periods per bar
    sums = [sum(counts[i : i + step]) for i in range(0, len(counts), step)]
    per_bar = max(1, min(label + 1, room // len(sums)))  # columns per bar: wide enough to label each, if few
    top = max(sums) or 1
    glyphs = [BARS[0 if n == 0 else max(1, round(n / top * (len(BARS) - 1)))] for n in sums]
    bars = "".join(g * (per_bar - 1) + " " if per_bar > 1 else g for g in glyphs).rstrip()
    axis: list[str] = []
    for i in ticks(names, dates.get("interval"), (label + 1) / per_bar * step):
        at = i // step * per_bar
        axis += [" "] * (at - len(axis)) + list(names[i])
    dated = sum(counts)
    undated = f", {dates['undated']} undated" if dates.get("undated") else ""
    return [
        f"published per {dates['interval']}: {dated} of {total} matches dated{undated}; peak {max(counts)}"
        + (f" (bars of {step} {dates['interval']}s)" if step > 1 else ""),
        "  " + (bars or BARS[0]),
        "  " + "".join(axis),
    ]


def _print(text: str, columns: int, indent: str = "", hang: str | None = None) -> None:
    print("\n".join(wrap(text, columns, indent, hang)))
