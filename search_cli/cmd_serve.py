"""``newsdex serve [PATH…] [--cron …]``: serve the scheduled ingest deployment until Ctrl-C."""

from __future__ import annotations

import argparse
from typing import Any

from newsdex.search_cli.output import UsageError


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the scheduled ingestion deployment",
        description="Serve the ingest flow as a Prefect deployment that runs on a cron schedule (default: "
        "$NEWSDEX_CRON or every 15 minutes) over PATHs (default: $NEWSDEX_INPUTS or seeds/). Uses the "
        "Prefect server at $PREFECT_API_URL, or starts one on 127.0.0.1 for as long as it serves. "
        "Runs can also be triggered from the Prefect UI or API. Ctrl-C stops serving.",
        epilog="examples:\n  newsdex serve inbox/ --index var/index\n"
        "  newsdex serve inbox/ --cron '0 * * * *'     # hourly\n"
        "  PREFECT_API_URL=http://127.0.0.1:4200/api newsdex serve inbox/\n"
        "  prefect deployment run ingest/scheduled      # trigger a run now",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="folders to ingest on each run (default: settings)")
    p.add_argument("--cron", metavar="EXPR", help="cron schedule (default: $NEWSDEX_CRON or '*/15 * * * *')")
    p.add_argument("--name", default="scheduled", help="deployment name (default: scheduled)")


def valid_cron(expr: str) -> bool:
    fields = expr.split()
    return len(fields) in (5, 6) and all(f.strip() for f in fields)


def run(args: argparse.Namespace) -> int:
    from newsdex import settings

    cron = args.cron or settings.cron()
    if not valid_cron(cron):
        raise UsageError(f"--cron takes a cron expression of 5 fields, got {cron!r}")
    if args.json:
        raise UsageError("serve runs until interrupted and prints no report: --json does not apply")
    settings.offline_prefect_env()
    from newsdex.flows.deployment import deployment_parameters, serve_ingest

    serve_ingest(cron, deployment_parameters(args.paths, args.index, args.rules), name=args.name)
    return 0
