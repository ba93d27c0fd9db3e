"""``newsdex reindex``: re-apply the current cleaning rules to every stored raw input."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsdex.search_cli.output import UsageError, emit_json


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "reindex",
        parents=[common],
        help="re-apply the current rules to every stored raw input",
        description="Re-clean every stored raw input with the current rules; only documents whose cleaned "
        "output changed are re-segmented, re-enriched and re-indexed. No re-scraping: inputs come from the raw store.",
        epilog="examples:\n  newsdex reindex --dry-run                 # what would the new rules change?\n"
        "  newsdex reindex --rules my-rules.toml\n"
        "  newsdex reindex --full                    # rebuild everything, swapped in atomically",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--full", action="store_true", help="rebuild every document into a new index, then swap")
    p.add_argument("--batch-size", type=int, metavar="N", help="documents per task (default 500; $NEWSDEX_BATCH)")
    p.add_argument("--wait", action="store_true", help="wait for a running ingest or reindex instead of exiting")
    p.add_argument("--examples", type=int, default=3, metavar="N", help="example lines per rule in the report")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="segment and enrich the changed documents in N worker processes (default: one per core, "
        "once a run has 100 documents to process; 0: in the reindex's own process)",
    )


def print_dry_run(report: dict[str, Any]) -> None:
    changes = report["changes"]
    print(
        f"dry run (rules {report['rules_version']}): {len(changes)} of {report['documents']} documents would change, "
        f"{report['unchanged']} unchanged, {len(report['quarantined'])} would be quarantined"
    )
    summary = report["summary"]
    if summary["by_rule"]:
        print("\nlines by rule (newly removed / newly kept):")
        for rule, entry in sorted(summary["by_rule"].items(), key=lambda kv: -(kv[1]["removed"] + kv[1]["restored"])):
            print(
                f"  {rule:<28} -{entry['removed']:<5} +{entry['restored']:<5} e.g. "
                + " | ".join(repr(e[:60]) for e in entry["examples"])
            )
    if summary["by_site"]:
        print("\ndocuments by site:")
        for site, n in summary["by_site"].items():
            print(f"  {site:<40} {n}")
    if changes:
        print("\ndocuments:")
        for ch in changes[:50]:
            print(f"  {ch['id']}  {ch['path']}  -{len(ch['removed'])} +{len(ch['restored'])}")
        if len(changes) > 50:
            print(f"  … and {len(changes) - 50} more (see --json)")


def run(args: argparse.Namespace) -> int:
    if args.dry_run and args.full:
        raise UsageError("--dry-run and --full cannot be combined")
    if args.examples < 0:
        raise UsageError("--examples must be 0 or more")
    if args.workers is not None and args.workers < 0:
        raise UsageError("--workers must be 0 (none: in this process) or more")
    from newsdex.index.store import IndexBusy, IndexDamaged, IndexReadOnly, IndexStore, NotAnIndex
    from newsdex.search_cli.writing import prepare_writer

    settings = prepare_writer(args)
    store = IndexStore(settings.index)
    if not store.exists():
        raise UsageError(f"no index at {settings.index} (run `newsdex ingest` first)")
    from newsdex import progress
    from newsdex.flows.options import ReindexOptions, RunnerOptions
    from newsdex.flows.quiet import user_errors_quiet
    from newsdex.flows.reindex import reindex_flow
    from newsdex.index.space import check_space
    from newsdex.search_cli.progress import Display

    options = ReindexOptions(
        full=args.full,
        dry_run=args.dry_run,
        batch_size=args.batch_size,
        progress=not args.json and sys.stderr.isatty(),
        lock_held=True,
        examples=args.examples,
        runner=RunnerOptions(workers=args.workers),
        settings=settings,
    )
    try:
        with store.lock(wait=args.wait, shared=args.dry_run), Display(not args.json and sys.stderr.isatty()) as display:
            store.verify(whoosh=not args.full)  # --full replaces the generation: it runs even when that one is lost
            if not args.dry_run:
                check_space(settings.index)
            display.phase("starting the flow runner (Prefect)")
            with user_errors_quiet(settings.index), progress.listening(display.event):
                report = reindex_flow(options)
    except (IndexBusy, IndexDamaged, IndexReadOnly, NotAnIndex) as exc:
        raise UsageError(str(exc)) from None
    if args.dry_run:
        if args.json:
            for ch in report["changes"]:  # docs/contract.md: removed/restored are lists of lines
                ch["removed"] = [line["text"] for line in ch["removed"]]
                ch["restored"] = [line["text"] for line in ch["restored"]]
            emit_json(report)
        else:
            print_dry_run(report)
        return 0
    if args.json:
        emit_json(report)
    else:
        from newsdex.search_cli.cmd_ingest import print_report

        print_report(report, verb="reindexed")
    return 0
