"""Settings shared by the CLI, the flows and the deployment: environment first, then defaults.

| variable | default | meaning |
| --- | --- | --- |
| NEWSDEX_INDEX | ./var/index | index folder (Whoosh generations, manifest, raw store) |
| NEWSDEX_RULES | packaged tasks/data/rules.toml | cleaning rules file |
| NEWSDEX_INPUTS | ./seeds (or the packaged seeds) | what a scheduled ingest reads |
| NEWSDEX_CRON | "*/15 * * * *" | schedule of the served ingest deployment |
| NEWSDEX_BATCH | 500 | documents per task run (and per index commit) |
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_RULES = DATA_DIR / "rules.toml"
DEFAULT_ALIASES = DATA_DIR / "aliases.toml"


def index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("NEWSDEX_INDEX")
    return Path(env) if env else Path.cwd() / "var" / "index"


def rules_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("NEWSDEX_RULES")
    return Path(env) if env else DEFAULT_RULES


def default_inputs() -> list[str]:
    env = os.environ.get("NEWSDEX_INPUTS")
    if env:
        return env.split(os.pathsep)
    local = Path("seeds")
    return [str(local)] if local.is_dir() else [str(REPO_DIR / "seeds")]


def cron() -> str:
    return os.environ.get("NEWSDEX_CRON", "*/15 * * * *")


def batch_size() -> int:
    return int(os.environ.get("NEWSDEX_BATCH", "500"))


def worker_batches() -> int:
    """Batches a local Dask worker runs before newsdex restarts it (0: never). A long-lived worker's heap grows
    by a few MB per batch (docs/performance.md, memory at scale); a fresh process starts from its floor."""
    return int(os.environ.get("NEWSDEX_WORKER_BATCHES", "20"))


def offline_prefect_env() -> None:
    """Keep Prefect off the network and patient with its temporary server (see DESIGN.md pitfalls)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
