"""``newsdex show ID``: one indexed article with its metadata, body, segments and entities."""

from __future__ import annotations

import argparse
from typing import Any

from newsdex.search_cli.output import UsageError, document_ref, emit_json, shown_ref
from newsdex.search_cli.terminal import printable, width, wrap


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "show",
        parents=[common],
        help="one article: metadata, body, segments, entities",
        description="Print one indexed article. ID is a document id (or a unique prefix of one), its input path, "
        "or its URL (a feed record's, normalised as ingest does).",
        epilog="examples:\n  newsdex show 1b7417ee731c2dd3\n  newsdex show seeds/004_c660a855ca50e628.txt --explain\n"
        "  newsdex show 1b74 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("--explain", action="store_true", help="also list every line the cleaner removed, and why")


def run(args: argparse.Namespace) -> int:
    from newsdex.index.quarantined import find_quarantined
    from newsdex.reading.archive import Archive
    from newsdex.settings import index_dir

    root = index_dir(args.index)
    ref = document_ref(args.id)
    with Archive(root) as archive:
        doc = archive.document(ref)
    bad = find_quarantined(root, args.id) if doc is None else None
    if bad is not None:
        from newsdex.reasons import one_line  # an older index may hold a library's many-line message

        raise UsageError(f"{bad['path']!r} was quarantined, not indexed: {one_line(bad['reason'], 200)}")
    if doc is None:
        raise UsageError(f"no document {shown_ref(args.id)} in the index")
    trace = doc.pop("trace", [])
    if args.json:
        if args.explain:
            doc["trace"] = trace
        emit_json(doc)
        return 0
    print_document(doc, trace if args.explain else None)
    return 0


def print_document(doc: dict[str, Any], trace: list[dict[str, Any]] | None) -> None:
    """The article wrapped to the terminal width, control characters made harmless."""
    columns = width()

    def out(text: str, indent: str = "", hang: str | None = None) -> None:
        print("\n".join(wrap(printable(text), columns, indent, hang)))

    out(doc["title"] or "(untitled)")
    meta = [f"id {doc['id']}", doc["path"]]
    byline = doc["byline"] and f"by {doc['byline']}"
    meta += [x for x in (doc["source"], byline, doc["published"], doc.get("language"), doc["url"]) if x]
    out(" · ".join(meta) + f" · rules {doc['rules_version']}")
    if doc.get("copy_of"):
        out(f"a copy of {doc['copy_of']}" + (f" (one of {len(doc['copies']) + 1} copies of this story)"))
    elif doc.get("copies"):
        out(f"{len(doc['copies'])} other cop{'ies' if len(doc['copies']) != 1 else 'y'} of this story: "
            + ", ".join(doc["copies"][:5]) + ("…" if len(doc["copies"]) > 5 else ""))
    print()
    for seg in doc["segments"]:
        if seg["kind"] == "heading":
            out(f"## {seg['text']}", hang="   ")
        elif seg["kind"] == "caption":
            out(f"[caption] {seg['text']}", hang="   ")
        else:
            out(seg["text"])
        print()
    if doc["entities"]:
        print("entities:")
        for e in doc["entities"][:30]:
            forms = [m for m in e["mentions"] if m != e["name"]]
            alias = f" (as {', '.join(forms[:4])})" if forms else ""
            out(f"{e['type']:<6} {e['name']} ×{e['count']}{alias}", indent="  ", hang="         ")
    if trace is not None:
        print("\ncleaner trace (- removed, + kept):")
        for line in trace:
            mark = "+" if line["kept"] else "-"
            why = line.get("rule") or line.get("role") or ""
            out(f"{mark} [{why}] {line['text']}", indent="  ", hang="      ")
    elif doc["removed"]:
        print(f"\n{len(doc['removed'])} lines removed by the cleaner (see --explain)")
