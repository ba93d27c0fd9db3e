"""``newsdex clean PATH…``: what the cleaner keeps for files or folders, without indexing anything."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsdex.search_cli.encoding import add_option, checked_encoding
from newsdex.search_cli.output import UsageError, emit_jsonl, info


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "clean",
        parents=[common],
        help="print what the cleaner keeps, without indexing",
        description="Clean files and folders (recursively: .txt, .html, .htm and their .gz) in one process and "
        "print the kept text, or one JSON object per file with --json (JSON Lines, the `show --json` shape).",
        epilog="examples:\n  newsdex clean seeds/004_c660a855ca50e628.txt --explain\n"
        "  newsdex clean news/ --json > cleaned.jsonl\n  newsdex clean page.html.gz --rules my-rules.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--explain", action="store_true", help="every line, kept or removed, with the rule that decided")
    add_option(p)


def print_human(doc: Any, explain: bool) -> None:
    print(f"== {doc.path}")
    print(doc.title or "(untitled)")
    meta = [x for x in (doc.source, doc.byline and f"by {doc.byline}", doc.published, doc.url) if x]
    print(" · ".join(meta + [f"rules {doc.rules_version}"]))
    print()
    if explain:
        for t in doc.trace:
            mark = "+" if t.kept else "-"
            label = t.role if t.kept or t.role in ("byline", "date", "meta", "title") else "removed"
            print(f"{mark} {label:<9} [{t.rule or '-'}] {t.text}")
        print()
        return
    for b in doc.blocks:
        if b.kind == "heading":
            print(f"## {b.text}\n")
        elif b.kind == "caption":
            print(f"[caption] {b.text}\n")
        else:
            print(b.text + "\n")
    if doc.removed:
        print(f"({len(doc.removed)} lines removed; --explain shows them)\n")


def run(args: argparse.Namespace) -> int:
    from newsdex.models import Quarantined, document_json
    from newsdex.tasks.clean.empty import no_text
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document
    from newsdex.tasks.feeds.stream import FeedStream
    from newsdex.tasks.segment import document_language

    encoding = checked_encoding(args.encoding)
    from newsdex.settings import Settings

    try:
        settings = Settings.from_env(index=args.index, rules=args.rules)
        rules = load_rules(settings.rules)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    # A feed file (JSON Lines, WARC) is cleaned record by record.
    stream = FeedStream(args.paths, encoding, max_bytes=settings.max_bytes)
    if not stream.files:
        raise UsageError(
            "no input files (.txt, .html, .htm, .jsonl, .ndjson, .warc or their .gz) under " + ", ".join(args.paths)
        )
    cleaned = 0
    for record in stream:
        loaded = record.doc
        if isinstance(loaded, Quarantined):
            info(f"newsdex clean: skipped {loaded.path}: {loaded.reason}")
            continue
        doc = clean_document(loaded, rules)
        doc = doc.model_copy(update={"language": document_language(doc)})  # as ingest's segment stage sets it
        empty = no_text(loaded, doc)
        if empty is not None:  # with --explain still shown: every line and the rule that removed it
            info(f"newsdex clean: {'' if args.explain else 'skipped '}{empty.path}: {empty.reason}")
            if not args.explain:
                continue
        cleaned += 1
        if args.json:
            emit_jsonl(document_json(doc, args.explain))
        else:
            print_human(doc, args.explain)
            sys.stdout.flush()
    if cleaned == 0:
        raise UsageError("nothing could be cleaned (see the notes above)")
    return 0
