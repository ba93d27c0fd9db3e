"""``newsdex stats``: what the index holds and how the last runs went."""

from __future__ import annotations

import argparse
import time
from typing import Any

from newsdex.search_cli.output import emit_json


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
    print(f"index        {s['index']}")
    print(f"documents    {s['documents']} ({s['index_documents']} in Whoosh), {s['passages']} passages")
    print(f"sources      {s['sources']}")
    mixed = f"  (mixed: {s['rules_versions']})" if len(s["rules_versions"]) > 1 else ""
    print(f"rules        {s['rules_version']}{mixed}")
    print(f"index size   {s['index_bytes'] / 1024:.0f} KiB")
    kinds = ", ".join(f"{k} {v}" for k, v in s["quarantined_by_reason"].items())
    print(f"quarantined  {len(s['quarantined'])}" + (f" ({kinds})" if kinds else ""))
    for q in s["quarantined"][:_SHOWN]:
        print(f"  {q['path']}: {one_line(q['reason'], 160)}")  # an older index may hold a library's long message
    if len(s["quarantined"]) > _SHOWN:
        print(f"  … and {len(s['quarantined']) - _SHOWN} more (see --json)")
    if s["runs"]:
        print("last runs:")
        for r in s["runs"]:
            print(
                f"  {_when(r['finished'])}  {r['kind']:<8} {r.get('new', 0)} new, {r.get('changed', 0)} changed, "
                f"{r.get('unchanged', 0)} unchanged, {len(r.get('quarantined', []))} quarantined, "
                f"{r.get('seconds', 0):.1f}s"
            )
    return 0
