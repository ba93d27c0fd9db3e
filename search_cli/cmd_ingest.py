"""``newsdex ingest [PATH…]``: run the ingest flow (a Prefect flow run) and print its report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsdex.search_cli.encoding import add_option, checked_encoding
from newsdex.search_cli.output import UsageError, emit_json


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "ingest",
        parents=[common],
        help="run the ingest flow over files and folders (default: seeds/)",
        description="Load, clean, segment, enrich and index inputs (.txt, .html, .htm and their .gz: one document "
        "each; .jsonl, .ndjson, .warc and their .gz: one document per record). "
        "Inputs already indexed with the same bytes and rules are skipped.",
        epilog="examples:\n  newsdex ingest\n  newsdex ingest news/ archive/page.html.gz --json\n"
        "  newsdex ingest news/ --prune      # also drop documents whose files are gone\n"
        "  newsdex ingest news/ --workers 1  # one worker process (default: one per core)\n"
        "  newsdex ingest news/ --dask       # the workers as a local Dask cluster\n"
        "  newsdex ingest items.jsonl --field text=article_body --field date=pub_time\n"
        "  newsdex ingest crawl.warc.gz",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: seeds/)")
    p.add_argument("--prune", action="store_true", help="remove documents whose input files no longer exist")
    p.add_argument("--batch-size", type=int, metavar="N", help="documents per task (default 500; $NEWSDEX_BATCH)")
    p.add_argument("--wait", action="store_true", help="wait for another running ingest instead of exiting")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="clean, segment and enrich in N worker processes (default: one per core, once a run has "
                   "100 documents to process; 0: in the ingest's own process)")
    p.add_argument("--dask", action="store_true",
                   help="run the workers as a local Dask cluster (starts a Prefect server for the run unless "
                   "PREFECT_API_URL is set)")
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                   help="use an existing Dask cluster (its workers need PREFECT_API_URL of a server they reach)")
    p.add_argument("--field", action="append", metavar="TARGET=NAME", default=[],
                   help="JSON Lines: the field that holds TARGET (url, html, text, title, published, byline, "
                   "language, source); repeatable. Scrapy, news-please and trafilatura names need none")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="read files that symlinks inside a folder point to outside it (default: quarantined)")
    add_option(p)


def print_report(report: dict[str, Any], verb: str = "ingested") -> None:
    q = report["quarantined"]
    print(
        f"{verb}: {report['new']} new, {report['changed']} changed, {report['unchanged']} unchanged, "
        f"{report['removed']} removed, {len(q)} quarantined; {report['documents']} documents in the index "
        f"(rules {report['rules_version']}, {report['seconds']:.1f}s)"
    )
    if report.get("skipped"):
        print("  skipped records: " + ", ".join(f"{k} {v}" for k, v in report["skipped"].items()))
    if len(report.get("quarantined_by_reason") or {}) > 1:
        print("  quarantined by reason: " + ", ".join(f"{k} {v}" for k, v in report["quarantined_by_reason"].items()))
    for item in q:
        print(f"  quarantined {item['path']}: {item['reason']}")
    dropped = report.get("dates_dropped") or {}
    if dropped.get("records"):
        print(f"  note: {dropped['records']} published dates that name no day were dropped (e.g. "
              + ", ".join(dropped["examples"][:3]) + ")")
    stages = report.get("stages") or {}
    if stages:
        print("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()))


def run(args: argparse.Namespace) -> int:
    import os

    for p in args.paths:
        if not os.path.exists(p):
            raise UsageError(f"no such file or folder: {p}")
    if args.batch_size is not None and args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if args.workers is not None and args.workers < 0:
        raise UsageError("--workers must be 0 (none: in this process) or more")
    if args.dask and args.workers == 0:
        raise UsageError("--dask needs at least one worker")
    if (args.workers is not None or args.dask) and args.dask_address:
        raise UsageError("--dask-address uses that cluster's workers: not with --workers or --dask")
    encoding = checked_encoding(args.encoding)
    from newsdex.tasks.feeds.fields import parse_mapping

    try:
        fields = parse_mapping(args.field)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    from newsdex.index.store import IndexBusy, IndexDamaged, IndexReadOnly, IndexStore, NotAnIndex
    from newsdex.search_cli.writing import prepare_writer

    settings = prepare_writer(args)
    from newsdex.flows.launch import run_ingest
    from newsdex.flows.options import IngestOptions, RunnerOptions
    from newsdex.flows.quiet import user_errors_quiet
    from newsdex.index.space import check_space

    options = IngestOptions(
        paths=args.paths or None,
        prune=args.prune,
        batch_size=args.batch_size,
        progress=not args.json and sys.stderr.isatty(),
        lock_held=True,
        encoding=encoding,
        fields=fields or None,
        follow_symlinks=args.follow_symlinks,
        runner=RunnerOptions(workers=args.workers),
        settings=settings,
    )
    try:
        # The CLI holds the write lock for the whole run: it fails fast (before Prefect starts) when another
        # writer has the index, or queues behind it with --wait, and nobody can slip in between.
        store = IndexStore(settings.index)
        with store.lock(wait=args.wait):
            store.verify()  # a damaged index: one line pointing at `newsdex check --repair`, before Prefect starts
            check_space(settings.index)  # a full disk: one line, before Prefect starts
            with user_errors_quiet(settings.index):
                report = run_ingest(options, dask=args.dask, dask_address=args.dask_address)
    except (IndexBusy, IndexDamaged, IndexReadOnly, NotAnIndex) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        emit_json(report)
    else:
        print_report(report)
    return 0
