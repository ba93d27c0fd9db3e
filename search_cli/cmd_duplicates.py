"""``newsdex duplicates``: the clusters of copies in the index (syndicated stories, re-publications, re-scrapes),
each with its representative and members. Reads the index only (no Prefect, no spaCy)."""

from __future__ import annotations

import argparse
from typing import Any

from newsdex.search_cli.output import UsageError, add_lang_option, emit_json, parse_languages
from newsdex.search_cli.terminal import printable, width, wrap

EPILOG = """examples:
  newsdex duplicates                  # every story the archive holds more than one copy of
  newsdex duplicates --min-size 5     # stories with five copies or more
  newsdex duplicates --json           # {"clusters": [{"id": REP_ID, "members": [...]}]}
  newsdex duplicates --lang es        # copies among the Spanish documents

The representative (listed first) is the earliest published copy, else the longest, else the first seen.
A member's similarity is the share of the smaller text's 2-word shingles found in the other (1.0: the same
text). Copies are found on the cleaned text: a rule change can join or split them (newsdex reindex).
"""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "duplicates",
        parents=[common],
        help="stories the archive holds several copies of",
        description="List clusters of copies of one story: the representative, then the other members.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--min-size", metavar="N", type=int, default=2, help="clusters of at least N (default 2)")
    add_lang_option(parser, "copies")


def run(args: argparse.Namespace) -> int:
    from newsdex.reading.archive import Archive
    from newsdex.settings import index_dir

    if args.min_size < 2:
        raise UsageError("--min-size must be at least 2 (a cluster of one is not a copy)")
    languages = tuple(parse_languages(args.lang))
    with Archive(index_dir(args.index)) as archive:
        result = archive.duplicates(args.min_size, languages)
    if args.json:
        emit_json(result)
        return 0
    clusters = result["clusters"]
    if not clusters:
        in_languages = f" in {', '.join(languages)}" if languages else ""
        print("no copies" + in_languages + (f" in clusters of {args.min_size} or more" if args.min_size > 2 else ""))
        return 0
    columns = width()
    copies = sum(len(c["members"]) - 1 for c in clusters)
    print(
        f"{len(clusters)} stor{'ies' if len(clusters) != 1 else 'y'} with copies, {copies} cop"
        f"{'ies' if copies != 1 else 'y'}"
    )
    for c in clusters:
        print()
        for i, m in enumerate(c["members"]):
            where = " · ".join(printable(x) for x in (m["source"], m["published"], m["url"] or m["path"]) if x)
            mark = "*" if i == 0 else f"{m['similarity']:.2f}"
            line = f"{mark:>5} [{m['id']}] {printable(m['title'] or '(untitled)')} · {where}"
            print("\n".join(wrap(line, columns, "", "        ")))
    return 0
