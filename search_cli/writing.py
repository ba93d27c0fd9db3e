"""What the commands that write the index (ingest, reindex) check before starting a flow run."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsdex.search_cli.output import UsageError
from newsdex.settings import Settings


def prepare_writer(args: argparse.Namespace) -> Settings:
    """Offline Prefect settings, the run's settings resolved once from the options and the environment, a
    readable rules file, an index path that is (or can be) a folder (one-line error otherwise)."""
    from newsdex.settings import offline_prefect_env
    from newsdex.tasks.clean.rules import load_rules

    offline_prefect_env()
    try:
        settings = Settings.from_env(index=args.index, rules=args.rules)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        load_rules(settings.rules)
    except (OSError, ValueError) as exc:
        raise UsageError(f"rules file: {exc}") from None
    check_index_folder(settings.index)
    return settings


def check_index_folder(root: Path) -> None:
    """The index folder, or the nearest part of its path that exists, must be a folder (one-line error)."""
    for part in (root, *root.parents):
        if part.exists():
            if not part.is_dir():
                where = f"index folder {root}" + (f": {part}" if part != root else "")
                raise UsageError(f"{where} is a file, not a folder")
            return
