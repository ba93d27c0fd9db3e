"""``newsdex entities``: the most mentioned entities in the index, with document and mention counts.

Reads the index only (no Prefect, no spaCy). Names are the canonical names the enrich stage stored, so
"Kim Jong-un" and "Kim Jong Un" are counted as one entity.
"""

from __future__ import annotations

import argparse
from typing import Any

from newsdex.search_cli.output import UsageError, add_lang_option, emit_json, parse_languages

TYPES = ("PERSON", "ORG", "LOC", "DATE", "NORP", "MISC")
EPILOG = """examples:
  newsdex entities                    # the 20 most mentioned entities, all types
  newsdex entities --type PERSON -n 5 # the five most mentioned people
  newsdex entities --type loc --json  # places, as JSON: [{"name", "type", "documents", "mentions"}]
  newsdex entities --lang de          # the names German documents mention most
"""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "entities",
        parents=[common],
        help="the most mentioned entities, by type",
        description="The most mentioned entities: canonical name, type, documents mentioning it, mentions.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--type", "-t", metavar="T", type=str.upper, help=f"only this type ({', '.join(TYPES)})")
    parser.add_argument("--limit", "-n", metavar="N", type=int, default=20, help="how many (default: 20)")
    add_lang_option(parser, "documents")


def run(args: argparse.Namespace) -> int:
    from newsdex.reading.archive import Archive
    from newsdex.settings import index_dir

    if args.type and args.type not in TYPES:
        raise UsageError(f"unknown entity type {args.type!r} (one of {', '.join(TYPES)})")
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    languages = tuple(parse_languages(args.lang))
    with Archive(index_dir(args.index)) as archive:
        rows = archive.entities(args.type, args.limit, languages)
    if args.json:
        emit_json([{k: r[k] for k in ("name", "type", "documents", "mentions")} for r in rows])
        return 0
    if not rows:
        in_languages = f" in {', '.join(languages)} documents" if languages else ""
        print("no entities" + (f" of type {args.type}" if args.type else "") + in_languages)
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'entity':<{width}}  {'type':<6}  {'docs':>5}  {'mentions':>8}")
    for r in rows:
        print(f"{r['name']:<{width}}  {r['type']:<6}  {r['documents']:>5}  {r['mentions']:>8}")
    return 0
