"""What the commands that write the index (ingest, reindex) check before starting a flow run."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsdex.search_cli.output import UsageError


def prepare_writer(args: argparse.Namespace) -> Path:
    """Offline Prefect settings, a readable rules file (one-line error otherwise); returns the index folder."""
    from newsdex import settings
    from newsdex.tasks.clean.rules import load_rules

    settings.offline_prefect_env()
    try:
        settings.check()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        load_rules(args.rules)
    except (OSError, ValueError) as exc:
        raise UsageError(f"rules file: {exc}") from None
    return settings.index_dir(args.index)
