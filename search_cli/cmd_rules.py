"""``newsdex rules suggest [PATH…]``: candidate rules from lines that repeat across a source's documents."""

from __future__ import annotations

import argparse
import os
from typing import Any

from newsdex.search_cli.output import UsageError, emit_json, info


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "rules",
        parents=[common],
        help="rule tools: suggest candidate rules from repeated lines",
        description="Rule tools. `suggest` lists lines that repeat across many documents of one source (the "
        "domain from the page's URL or metadata, or for plain text the folder holding the file), with "
        "counts and examples, and prints them as TOML a person can review and paste into the rules file.",
        epilog="examples:\n  newsdex rules suggest scraped/ --min-docs 5\n  newsdex rules suggest seeds --json\n"
        "  newsdex rules version              # the rules file's version hash",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=("suggest", "version"), help="suggest: mine repeated lines; version: print")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the configured inputs)")
    p.add_argument("--min-docs", type=int, default=3, metavar="N", help="documents a line must occur in (3)")
    p.add_argument(
        "--min-share",
        type=float,
        default=0.3,
        metavar="F",
        help="share of the source's documents it must occur in (0.3)",
    )
    p.add_argument("--all", action="store_true", help="also list lines the current rules already remove")


def _source_and_lines(raw: Any) -> tuple[str, list[str]]:
    from newsdex.tasks.clean.decide import domain_of
    from newsdex.tasks.clean.lines import split_lines

    if raw.kind == "html":
        import lxml.html

        from newsdex.tasks.clean.flatten import naive_text
        from newsdex.tasks.clean.html import page_metadata

        tree = lxml.html.document_fromstring(raw.text)
        meta = page_metadata(tree)
        source = raw.source or domain_of(raw.url or meta.get("url")) or meta.get("sitename")
        return source or os.path.dirname(raw.path) or ".", split_lines(naive_text(tree))
    source = raw.source or domain_of(raw.url) or os.path.dirname(raw.path) or "."
    return source, split_lines(raw.text)


def run(args: argparse.Namespace) -> int:
    from newsdex.settings import Settings
    from newsdex.tasks.clean.rules import load_rules

    try:
        settings = Settings.from_env(index=args.index, rules=args.rules)
        rules = load_rules(settings.rules)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.action == "version":
        if args.json:
            emit_json({"rules_version": rules.version, "path": rules.path})
        else:
            print(f"{rules.version}  {rules.path}")
        return 0
    if args.min_docs < 2:
        raise UsageError("--min-docs must be at least 2")

    from newsdex.models import Quarantined
    from newsdex.tasks.clean.mining import mine, toml_snippet
    from newsdex.tasks.clean.rules import normalise
    from newsdex.tasks.load import iter_input_files, load_path

    files = iter_input_files(args.paths or list(settings.inputs))
    docs = []
    for path in files:
        raw = load_path(path, max_bytes=settings.max_bytes)
        if isinstance(raw, Quarantined):
            info(f"newsdex rules: skipped {raw.path}: {raw.reason}")
            continue
        source, lines = _source_and_lines(raw)
        docs.append((source, path, lines))
    if not docs:
        raise UsageError("no readable input files")
    candidates = mine(docs, min_docs=args.min_docs, min_share=args.min_share)
    for c in candidates:
        rule = rules.matcher(c.source).match(c.text, normalise(c.text), len(c.text.split()), "body")
        c.already_removed_by = rule.name if rule is not None and rule.action == "remove" else None
    if not args.all:
        candidates = [c for c in candidates if c.already_removed_by is None]
    if args.json:
        emit_json(
            {
                "documents": len(docs),
                "rules_version": rules.version,
                "candidates": [c.model_dump() | {"share": round(c.share, 3)} for c in candidates],
            }
        )
        return 0
    if not candidates:
        print(f"no line repeats in {args.min_docs}+ documents of one source ({len(docs)} documents read)")
        return 0
    by_source: dict[str, list[Any]] = {}
    for c in candidates:
        by_source.setdefault(c.source, []).append(c)
    for source, items in by_source.items():
        print(f"# {source}: {len(items)} candidate lines")
        for c in items:
            note = f"  (already removed by {c.already_removed_by})" if c.already_removed_by else ""
            print(f"#   {c.docs}/{c.of_docs} docs  {c.text!r}{note}  e.g. {', '.join(c.examples[:2])}")
        print(toml_snippet(source, items))
    return 0
