"""Every setting of newsdex, in one place: each ``NEWSDEX_*`` variable is read here, when it is asked for (never
at import time), so a test or a long-lived process that changes the environment sees the change.

| variable | default | meaning |
| --- | --- | --- |
| NEWSDEX_INDEX | ./var/index | index folder (Whoosh generations, manifest, raw store) |
| NEWSDEX_RULES | the packaged tasks/data/rules.toml | cleaning rules file |
| NEWSDEX_ALIASES | the packaged tasks/data/aliases.toml | entity alias file (canonical names) |
| NEWSDEX_INPUTS | the packaged seeds | what a scheduled ingest reads (``os.pathsep``-separated) |
| NEWSDEX_CRON | */15 * * * * | schedule of the served ingest deployment |
| NEWSDEX_BATCH | 500 | documents per task run and commit; unset, the CLI sizes an ingest's batches to the run |
| NEWSDEX_MAX_BYTES | 8 MiB | larger inputs are quarantined |
| NEWSDEX_MAX_FILE_BYTES | 16 GiB | a compressed feed file stops being read past this many bytes decompressed |
| NEWSDEX_MAX_QUARANTINED | 100 | quarantined records kept one by one per feed file; past it they are counted |
| NEWSDEX_CLEAN_SECONDS | 20 | a document whose cleaning takes longer is quarantined (0: no limit) |
| NEWSDEX_MAX_MERGE_DOCS | 10000 | commits never merge into a Whoosh segment above this many documents (0: never) |
| NEWSDEX_WORKER_BATCHES | 20 | batches a local Dask worker runs before it is restarted (0: never) |
| NEWSDEX_WRITER_MB | 64 | Whoosh writer's posting buffer before it spills to disk |
| NEWSDEX_FAST_PATHS | 1 | 0: every fast path that reads Whoosh's private parts is off (index/whoosh_internals.py) |
| NEWSDEX_DEBUG | unset | set: an internal error prints its traceback instead of one line |

The README's settings table lists the same; ``tests/test_settings.py`` checks that both name every variable read.

A run resolves them once, at its edge (the CLI, or a flow's start when a deployment runs it), into one frozen
``Settings`` value that travels down: stages take what they need from it as arguments, and worker processes
(local or Dask) receive it with each batch instead of reading their own environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

# Prefect offline and patient: no analytics, no telemetry, and time for its temporary server to start on a slow
# machine. Applied by every command that runs a flow, by the servers newsdex starts, and by the tests.
OFFLINE_PREFECT_ENV: dict[str, str] = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def _path(explicit: str | os.PathLike[str] | None, name: str) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get(name)
    return Path(env) if env else None


def index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    return _path(explicit, "NEWSDEX_INDEX") or Path.cwd() / "var" / "index"


def rules_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The rules file asked for (option, then NEWSDEX_RULES); None means the packaged one."""
    return _path(explicit, "NEWSDEX_RULES")


def aliases_path() -> Path | None:
    """The alias file NEWSDEX_ALIASES names; None means the packaged one."""
    return _path(None, "NEWSDEX_ALIASES")


def default_inputs() -> list[str]:
    """NEWSDEX_INPUTS, else the seeds shipped with the package (named ``seeds`` when that is the folder here)."""
    env = os.environ.get("NEWSDEX_INPUTS")
    if env:
        return env.split(os.pathsep)
    packaged = Path(str(files("newsdex.seeds")))
    local = Path("seeds")
    if local.is_dir() and local.resolve() == packaged.resolve():
        return [str(local)]  # as a person in the repository would type it
    return [str(packaged)]


def cron() -> str:
    return os.environ.get("NEWSDEX_CRON", "*/15 * * * *")


def batch_size() -> int:
    return _int("NEWSDEX_BATCH", 500, minimum=1)


def batch_size_chosen() -> bool:
    """Whether the user set NEWSDEX_BATCH (then no run sizes its batches itself)."""
    return bool(os.environ.get("NEWSDEX_BATCH", "").strip())


def max_bytes() -> int:
    """Inputs larger than this (once decompressed) are quarantined."""
    return _int("NEWSDEX_MAX_BYTES", 8 * 1024 * 1024, minimum=1)


def max_file_bytes() -> int:
    """Bytes one compressed feed file (.warc.gz, .jsonl.gz…) may inflate to in all: past it the rest of the
    file is not read (each record is held to ``max_bytes`` besides)."""
    return _int("NEWSDEX_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES, minimum=1)


def max_quarantined() -> int:
    """Quarantined records of one feed file kept one by one (reason, line or offset); past it they are only
    counted by reason, so 400,000 bad lines cost one summary, not 400,000 records in memory."""
    return _int("NEWSDEX_MAX_QUARANTINED", DEFAULT_MAX_QUARANTINED, minimum=1)


def clean_seconds() -> float:
    """Cleaning time budget per document (seconds, 0: none): past it the document is quarantined, so a hostile
    input or rule never holds the write lock for long (tasks/clean/budget.py)."""
    raw = os.environ.get("NEWSDEX_CLEAN_SECONDS", "").strip()
    try:
        value = float(raw) if raw else 20.0
    except ValueError:
        raise ValueError(f"NEWSDEX_CLEAN_SECONDS must be a number of seconds, not {raw!r}") from None
    if not 0 <= value < float("inf"):
        raise ValueError(f"NEWSDEX_CLEAN_SECONDS must be 0 (no limit) or more, not {raw!r}")
    return value


def fast_paths_wanted() -> bool:
    """False when NEWSDEX_FAST_PATHS is 0: searches and merges then use Whoosh's own public code only (the same
    answers, slower; index/whoosh_internals.py also turns them off when the installed Whoosh is not supported)."""
    return os.environ.get("NEWSDEX_FAST_PATHS", "1").strip() != "0"


def max_merge_docs() -> int:
    """Incremental commits never merge Whoosh segments into one above this many documents (docs/performance.md);
    0: they never merge."""
    return _int("NEWSDEX_MAX_MERGE_DOCS", 10_000)


def writer_mb() -> int:
    """Whoosh's posting buffer (MB) before the writer spills a sorted run to disk."""
    return _int("NEWSDEX_WRITER_MB", 64, minimum=1)


def worker_batches() -> int:
    """Batches a local Dask worker runs before newsdex restarts it (0: never). A long-lived worker's heap grows
    by a few MB per batch (docs/performance.md, memory at scale); a fresh process starts from its floor."""
    return _int("NEWSDEX_WORKER_BATCHES", 20)


# Defaults, for a stage called without a ``Settings`` (a test, a benchmark): the values the variables default to.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 16 * 1024**3
DEFAULT_MAX_QUARANTINED = 100
DEFAULT_CLEAN_SECONDS = 20.0


@dataclass(frozen=True)
class Settings:
    """Every setting a run uses, read once (``Settings.from_env``) and passed down; frozen, so no stage can change
    it. A plain dataclass (the read-only commands import no pydantic), which pydantic validates and serialises as
    a field of a flow's options, and which pickles to a worker."""

    index: Path
    rules: Path | None = None  # None: the packaged rules file
    aliases: Path | None = None  # None: the packaged alias file
    inputs: tuple[str, ...] = ()
    batch_size: int = 500
    max_bytes: int = DEFAULT_MAX_BYTES
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_quarantined: int = DEFAULT_MAX_QUARANTINED
    clean_seconds: float = DEFAULT_CLEAN_SECONDS
    max_merge_docs: int = 10_000
    writer_mb: int = 64
    worker_batches: int = 20

    @classmethod
    def from_env(
        cls, index: str | os.PathLike[str] | None = None, rules: str | os.PathLike[str] | None = None
    ) -> Settings:
        """The environment's settings now (``index`` and ``rules`` given explicitly win over it); ValueError
        names a variable with a bad value."""
        return cls(
            index=index_dir(index),
            rules=rules_path(rules),
            aliases=aliases_path(),
            inputs=tuple(default_inputs()),
            batch_size=batch_size(),
            max_bytes=max_bytes(),
            max_file_bytes=max_file_bytes(),
            max_quarantined=max_quarantined(),
            clean_seconds=clean_seconds(),
            max_merge_docs=max_merge_docs(),
            writer_mb=writer_mb(),
            worker_batches=worker_batches(),
        )


def check() -> None:
    """Read every numeric setting once, so a bad value stops a command before its run starts (ValueError)."""
    for getter in (
        batch_size,
        max_bytes,
        max_file_bytes,
        max_quarantined,
        max_merge_docs,
        writer_mb,
        worker_batches,
        clean_seconds,
    ):
        getter()


def debug() -> bool:
    return bool(os.environ.get("NEWSDEX_DEBUG"))


def offline_prefect_env() -> None:
    """Keep Prefect off the network and patient with its temporary server; quiet unless told otherwise; its home
    newsdex's own unless the user has set Prefect up (``prefect_home``)."""
    for name, value in OFFLINE_PREFECT_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    home = prefect_home()
    if home is not None:
        os.environ["PREFECT_HOME"] = str(home)
    if os.environ.get("PREFECT_HOME"):
        # Prefect does not make its home's parents: it warns, and its temporary server then times out after two
        # minutes (`make demo` in a fresh clone, whose var/ does not exist yet).
        try:
            Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # Prefect says what it cannot do


def state_dir() -> Path:
    """newsdex's own state folder (not the archive): ``$XDG_STATE_HOME/newsdex``, by default
    ``~/.local/state/newsdex``."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "newsdex"


def prefect_home() -> Path | None:
    """Where Prefect keeps its database (the temporary server's run history) for a newsdex run: None when the
    user has configured Prefect (PREFECT_HOME, PREFECT_API_URL, PREFECT_PROFILES_PATH or a profile with settings
    in ``~/.prefect/profiles.toml``): theirs is used. Else ``state_dir()/prefect``, so newsdex's runs never mix
    with the user's own Prefect in ``~/.prefect``."""
    if any(os.environ.get(name) for name in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_PROFILES_PATH")):
        return None
    if _has_prefect_profile(Path.home() / ".prefect" / "profiles.toml"):
        return None
    return state_dir() / "prefect"


def _has_prefect_profile(path: Path) -> bool:
    """A profiles file that sets anything (Prefect writes one with empty profiles of its own on first use)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return path.exists()  # unreadable: someone made it, leave Prefect to it
    profiles = data.get("profiles") or {}
    return any(bool(settings) for settings in profiles.values() if isinstance(settings, dict)) or (
        data.get("active") not in (None, "ephemeral", "local", "default")
    )
