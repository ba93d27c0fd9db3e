"""``newsdex stats``: what the index holds and how the last runs went."""

from __future__ import annotations

import argparse
import time
from typing import Any

from newsdex.search_cli.output import emit_json
from newsdex.search_cli.terminal import say


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser(
        "stats",
        parents=[common],
        help="documents, sources, rules version, index size, last runs",
        description="Counts from the manifest and the index, the quarantined inputs and the last runs.",
        epilog="examples:\n  newsdex stats\n  newsdex stats --json | jq .last_run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


_SHOWN = 50  # quarantined inputs listed; --json lists them all


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "-"


def run(args: argparse.Namespace) -> int:
    from newsdex.reading.archive import Archive
    from newsdex.reasons import one_line
    from newsdex.settings import index_dir

    with Archive(index_dir(args.index)) as archive:
        s = archive.stats()
    if args.json:
        emit_json(s)
        return 0
    rows = [
        f"index        {s['index']}",
        f"documents    {s['documents']} ({s['index_documents']} in Whoosh), {s['passages']} passages",
        f"sources      {s['sources']}",
    ]
    if s.get("languages"):
        unknown = s["index_documents"] - sum(s["languages"].values())
        listed = ", ".join(f"{code} {n}" for code, n in s["languages"].items())
        rows.append(f"languages    {listed}" + (f", unknown {unknown}" if unknown > 0 else ""))
    kinds = s.get("kinds") or {}
    if kinds.get("listing") or kinds.get("other"):
        rows.append(
            f"kinds        {kinds.get('article', 0)} articles, {kinds.get('listing', 0)} listings, "
            f"{kinds.get('other', 0)} other pages (not in default search)"
        )
    by_reason = ", ".join(f"{k} {v}" for k, v in s["quarantined_by_reason"].items())
    rows += [
        f"rules        {s['rules_version']}"
        + (f"  (mixed: {s['rules_versions']})" if len(s["rules_versions"]) > 1 else ""),
        f"index size   {s['index_bytes'] / 1024:.0f} KiB",
        f"quarantined  {len(s['quarantined'])}" + (f" ({by_reason})" if by_reason else ""),
    ]
    for row in rows:
        say(row, hang=" " * 13)
    for q in s["quarantined"][:_SHOWN]:  # an older index may hold a library's long message: one line each
        say(f"{q['path']}: {one_line(q['reason'], 160)}", indent="  ", hang="    ")
    if len(s["quarantined"]) > _SHOWN:
        say(f"… and {len(s['quarantined']) - _SHOWN} more (see --json)", indent="  ")
    if s["runs"]:
        print("last runs:")
        for r in s["runs"]:
            say(
                f"{_when(r['finished'])}  {r['kind']:<8} {r.get('new', 0)} new, {r.get('changed', 0)} changed, "
                f"{r.get('unchanged', 0)} unchanged, {len(r.get('quarantined', []))} quarantined, "
                f"{r.get('seconds', 0):.1f}s",
                indent="  ",
                hang=" " * 32,
            )
    return 0
