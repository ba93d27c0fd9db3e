"""The floor for a one-shot search: a process that imports only Whoosh, opens an index's live generation, parses
the query over the fields a newsdex search reads, runs it (with an entity filter for a faceted search) and prints
the top hits' stored titles and the total. Nothing of newsdex is imported, so its wall time is what any search
of that index must cost on this machine; ``bench.search_latency`` runs it side by side with ``newsdex search``.

    python bench/search_floor.py var/bench/search/index-10000 '"United States"'
    python bench/search_floor.py var/bench/search/index-10000 people --entity 'person:donald trump'
"""

from __future__ import annotations

import os
import sys

# Run as a file, the script's folder (bench/) is first on sys.path, where its sibling modules could shadow
# a module Whoosh imports: drop it, so that only the standard library and Whoosh are importable by name.
if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import argparse
import json

from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import MultifieldParser
from whoosh.query import Term

FIELDS = ["title", "headings", "body", "captions", "byline"]  # what a word without field: searches in newsdex
BOOSTS = {"title": 2.0, "headings": 1.5}  # newsdex's field boosts: the same ranking work
ENTITY_FIELDS = {"person", "org", "loc"}


def live_generation(root: str) -> str:
    """The folder ``root/current`` points at (index/layout.py: a relative or absolute symlink; a plain file
    holding the path is read too)."""
    current = os.path.join(root, "current")
    try:
        target = os.readlink(current)
    except OSError:
        with open(current, encoding="utf-8") as fh:  # not a symlink: a file naming the generation
            target = fh.read().strip()
    return target if os.path.isabs(target) else os.path.join(root, target)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", help="index folder (holds current -> gens/NNNNNN)")
    ap.add_argument("query")
    ap.add_argument("--entity", metavar="FIELD:VALUE", help="filter on an entity field (person, org, loc)")
    ap.add_argument("--limit", type=int, default=10)
    args = ap.parse_args(argv)

    # No mmap, read-only: the cheapest open for one query (with mmap Whoosh copies every segment's terms into
    # memory on open: ~0.3 s at 50k documents); newsdex's first search in a process opens it the same way.
    ix = FileStorage(live_generation(args.index), supports_mmap=False, readonly=True).open_index()
    filt = None
    if args.entity:
        field, sep, value = args.entity.partition(":")
        field = field.strip().lower()
        if not sep or field not in ENTITY_FIELDS:
            ap.error(f"--entity takes FIELD:VALUE with FIELD one of {sorted(ENTITY_FIELDS)}, got {args.entity!r}")
        filt = Term(field, value.strip().replace(",", " ").lower())  # names are indexed lower-cased, no commas
    with ix.searcher() as searcher:
        q = MultifieldParser(FIELDS, schema=ix.schema, fieldboosts=BOOSTS).parse(args.query)
        results = searcher.search(q, limit=args.limit, filter=filt)
        out = {"total": len(results), "titles": [hit.get("title") for hit in results]}
    print(json.dumps(out, ensure_ascii=False))
    # The floor is only a floor if nothing of newsdex came in (a .pth file, a sitecustomize): say so loudly.
    if any(name.split(".")[0] == "newsdex" for name in sys.modules):
        print("search_floor: newsdex was imported", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
