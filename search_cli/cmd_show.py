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
    p.add_argument(
        "--all-entities",
        action="store_true",
        help=f"list every date and other entity (default: at most {VALUE_LIMIT} of each; every name)",
    )


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
    print_document(doc, trace if args.explain else None, all_entities=args.all_entities)
    return 0


def provenance_lines(doc: dict[str, Any]) -> list[str]:
    """Where each field came from (so a reader sees why a date is what it is), the dates not trusted, and what
    kind of page this is when it is not an article (or where its text was cut)."""
    sources = [
        f"{name} from {doc[key]}"
        for name, key in (
            ("title", "title_source"),
            ("byline", "byline_source"),
            ("date", "published_source"),
            ("source", "source_source"),
        )
        if doc.get(key)
    ]
    if doc.get("modified"):
        sources.append(f"modified {doc['modified']} ({doc.get('modified_source')})")
    lines = [" · ".join(sources)] if sources else []
    lines += [f"doubted: {note}" for note in doc.get("doubted") or []]
    if doc.get("kind", "article") != "article":
        lines.append(f"not an article ({doc['kind']}): {doc.get('kind_reason')}; left out of default search")
    elif doc.get("kind_reason"):
        lines.append(doc["kind_reason"])
    return lines


# Names are what an article is about: every one is listed. Dates and other entities ("24 years", "Monday") can run
# long in a report; past VALUE_LIMIT of a type the rest is counted ("+N more") and --all-entities lists them.
NAME_TYPES = ("PERSON", "ORG", "LOC", "NORP")
VALUE_LIMIT = 6


def entity_lines(doc: dict[str, Any], all_entities: bool = False) -> list[str]:
    """The entities grouped by type (names first), each type counted, its entities in the order the article
    first mentions them, a count after those mentioned more than once; dates and other values cut past
    VALUE_LIMIT with "+N more (--all-entities)"."""
    entities = doc["entities"]
    if not entities:
        return []
    text = (doc.get("title") or "") + "\n" + (doc.get("body") or "")

    def first_mention(e: dict[str, Any]) -> int:
        found = [i for i in (text.find(m) for m in [*e["mentions"], e["name"]] if m) if i >= 0]
        return min(found) if found else len(text)

    types = [t for t in NAME_TYPES if any(e["type"] == t for e in entities)]
    types += sorted({e["type"] for e in entities} - set(NAME_TYPES), key=lambda t: (t == "DATE", t))
    lines = [f"entities ({len(entities)}):"]
    for etype in types:
        group = sorted((e for e in entities if e["type"] == etype), key=first_mention)  # stable: ties as stored
        shown = group if all_entities or etype in NAME_TYPES else group[:VALUE_LIMIT]
        items = []
        for e in shown:
            forms = [m for m in e["mentions"] if m != e["name"]]
            item = e["name"] + (f" ×{e['count']}" if e["count"] > 1 else "")
            item += f" (as {', '.join(forms[:3])})" if forms else ""
            item += " (photo credit)" if e.get("caption_only") else ""
            items.append(item)
        more = len(group) - len(shown)
        tail = f", +{more} more (--all-entities)" if more else ""
        lines.append(f"{etype} {len(group)}: " + ", ".join(items) + tail)
    return lines


def print_document(doc: dict[str, Any], trace: list[dict[str, Any]] | None, all_entities: bool = False) -> None:
    """The article wrapped to the terminal width, control characters made harmless."""
    columns = width()

    def out(text: str, indent: str = "", hang: str | None = None) -> None:
        print("\n".join(wrap(printable(text), columns, indent, hang)))

    out(doc["title"] or "(untitled)")
    meta = [f"id {doc['id']}", doc["path"]]
    byline = doc["byline"] and f"by {doc['byline']}"
    meta += [x for x in (doc["source"], byline, doc["published"], doc.get("language"), doc["url"]) if x]
    out(" · ".join(meta) + f" · rules {doc['rules_version']}")
    for note in provenance_lines(doc):
        out(note, hang="  ")
    if doc.get("copy_of"):
        out(f"a copy of {doc['copy_of']}" + (f" (one of {len(doc['copies']) + 1} copies of this story)"))
    elif doc.get("copies"):
        out(
            f"{len(doc['copies'])} other cop{'ies' if len(doc['copies']) != 1 else 'y'} of this story: "
            + ", ".join(doc["copies"][:5])
            + ("…" if len(doc["copies"]) > 5 else "")
        )
    print()
    for seg in doc["segments"]:
        if seg["kind"] == "heading":
            out(f"## {seg['text']}", hang="   ")
        elif seg["kind"] == "caption":
            out(f"[caption] {seg['text']}", hang="   ")
        else:
            out(seg["text"])
        print()
    listed = entity_lines(doc, all_entities)
    if listed:
        print(listed[0])
        for group in listed[1:]:
            out(group, indent="  ", hang="      ")
    if trace is not None:
        print("\ncleaner trace (- removed, + kept):")
        for line in trace:
            mark = "+" if line["kept"] else "-"
            why = line.get("rule") or line.get("role") or ""
            out(f"{mark} [{why}] {line['text']}", indent="  ", hang="      ")
    elif doc["removed"]:
        print(f"\n{len(doc['removed'])} lines removed by the cleaner (see --explain)")
