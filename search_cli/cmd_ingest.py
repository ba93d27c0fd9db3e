"""``newsdex ingest [PATH…]``: run the ingest flow (a Prefect flow run) and print its report."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from newsdex.search_cli.encoding import add_option, checked_encoding
from newsdex.search_cli.output import STOP_NOTE, UsageError, emit_json
from newsdex.search_cli.terminal import say


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
    p.add_argument(
        "--batch-size",
        type=int,
        metavar="N",
        help="documents per task and per commit (default: sized to the run, at most $NEWSDEX_BATCH or 500)",
    )
    p.add_argument("--wait", action="store_true", help="wait for another running ingest instead of exiting")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="clean, segment and enrich in N worker processes (default: one per core, once a run has "
        "100 documents to process; 0: in the ingest's own process)",
    )
    p.add_argument(
        "--dask",
        action="store_true",
        help="run the workers as a local Dask cluster (starts a Prefect server for the run unless "
        "PREFECT_API_URL is set)",
    )
    p.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="use an existing Dask cluster (its workers need PREFECT_API_URL of a server they reach)",
    )
    p.add_argument(
        "--field",
        action="append",
        metavar="TARGET=NAME",
        default=[],
        help="JSON Lines: the field that holds TARGET (url, html, text, title, published, byline, "
        "language, source); repeatable. Scrapy, news-please and trafilatura names need none",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress on stderr (only the summary; on a terminal, progress is shown by default)",
    )
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read files that symlinks inside a folder point to outside it (default: quarantined)",
    )
    add_option(p)


def print_report(report: dict[str, Any], verb: str = "ingested") -> None:
    """The run's summary, wrapped to the terminal: counts, the index's size, rules, the flow's time and (from the
    CLI) the whole command's."""
    q = report["quarantined"]
    wall = report.get("wall_seconds")
    if (report.get("runner") or {}).get("kind") == "none":
        say(
            f"nothing to do: {report['unchanged']} inputs unchanged (the same bytes and rules); "
            f"{report['documents']} documents in the index (rules {report['rules_version']}, {wall or 0:.1f}s)"
        )
        return
    took = f"{report['seconds']:.1f}s" + (f" in the flow, {wall:.1f}s in all" if wall is not None else "")
    say(
        f"{verb}: {report['new']} new, {report['changed']} changed, {report['unchanged']} unchanged, "
        f"{report['removed']} removed, {len(q)} quarantined; {report['documents']} documents in the index "
        f"(rules {report['rules_version']}, {took})"
    )
    if report.get("skipped"):
        say("skipped records: " + ", ".join(f"{k} {v}" for k, v in report["skipped"].items()), indent="  ")
    if len(report.get("quarantined_by_reason") or {}) > 1:
        say(
            "quarantined by reason: " + ", ".join(f"{k} {v}" for k, v in report["quarantined_by_reason"].items()),
            indent="  ",
        )
    for item in q:
        say(f"quarantined {item['path']}: {item['reason']}", indent="  ", hang="    ")
    dropped = report.get("dates_dropped") or {}
    if dropped.get("records"):
        say(
            f"note: {dropped['records']} published dates that name no day were dropped (e.g. "
            + ", ".join(dropped["examples"][:3])
            + ")",
            indent="  ",
            hang="    ",
        )
    kinds = report.get("kinds") or {}
    if kinds.get("listing") or kinds.get("other"):
        say(
            f"not articles (kept, left out of default search): {kinds.get('listing', 0)} listings, "
            f"{kinds.get('other', 0)} other pages",
            indent="  ",
            hang="    ",
        )
    stages = report.get("stages") or {}
    if stages:
        say("stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()), indent="  ")


def run(args: argparse.Namespace) -> int:
    import os

    from newsdex.search_cli.progress import Display

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
    # Drawn only on a terminal, and never with --json or --quiet: stderr stays clean for scripts.
    with Display(enabled=not args.json and not args.quiet and sys.stderr.isatty()) as display:
        report = _ingest(args, encoding, fields, display)
    report["wall_seconds"] = round(display.wall, 3)
    if args.json:
        emit_json(report)
    else:
        print_report(report)
    return 0


def _ingest(args: argparse.Namespace, encoding: str | None, fields: dict[str, str], display: Any) -> dict[str, Any]:
    """Nothing to do: the report at once, no flow run. Otherwise the ingest flow, its events drawn."""
    from newsdex.index.space import check_space
    from newsdex.index.store import IndexBusy, IndexDamaged, IndexReadOnly, IndexStore, NotAnIndex
    from newsdex.search_cli.writing import check_rules, prepare_writer
    from newsdex.settings import default_inputs
    from newsdex.tasks.clean.rules import quick_version

    display.phase("reading the rules")
    settings = prepare_writer(args, rules=False)
    # The rules' version from their TOML: every input indexed under it means nothing to do, and those rules
    # were checked when they were applied. Any other run checks them (every regex) before Prefect starts.
    rules_version = quick_version(settings.rules) or check_rules(settings)
    display.phase("scanning inputs")
    inputs = args.paths or list(settings.inputs) or default_inputs()
    try:
        # The CLI holds the write lock for the whole run: it fails fast (before Prefect starts) when another
        # writer has the index, or queues behind it with --wait, and nobody can slip in between.
        store = IndexStore(settings.index)
        with store.lock(wait=args.wait):
            store.verify()  # a damaged index: one line pointing at `newsdex check --repair`, before Prefect starts
            started = time.perf_counter()
            nothing, pending = _survey(store, inputs, rules_version, args, settings.max_bytes, display)
            if nothing is not None:
                nothing["seconds"] = round(time.perf_counter() - started, 3)
                store.record_run("ingest", nothing)
                return nothing
            check_rules(settings)
            check_space(settings.index)  # a full disk: one line, before Prefect starts
            display.phase("starting the flow runner (Prefect)")
            return _run_flow(store, _options(args, settings, pending, encoding, fields, display), args, display)
    except (IndexBusy, IndexDamaged, IndexReadOnly, NotAnIndex) as exc:
        raise UsageError(str(exc)) from None


def _options(
    args: argparse.Namespace,
    settings: Any,
    pending: int | None,
    encoding: str | None,
    fields: dict[str, str],
    display: Any,
) -> Any:
    """The flow's IngestOptions for this command line, batches sized to the ``pending`` inputs."""
    from newsdex.flows.options import IngestOptions, RunnerOptions

    batch_size, workers = _sized(pending, args, settings.batch_size)
    return IngestOptions(
        paths=args.paths or None,
        prune=args.prune,
        batch_size=batch_size,
        progress=display.enabled,
        lock_held=True,
        encoding=encoding,
        fields=fields or None,
        follow_symlinks=args.follow_symlinks,
        runner=RunnerOptions(workers=workers),
        settings=settings,
    )


def _run_flow(store: Any, options: Any, args: argparse.Namespace, display: Any) -> dict[str, Any]:
    """The ingest flow under the lock the caller holds; on Ctrl-C or SIGTERM, the interruption with a note of
    what the stopped run kept (every batch it committed)."""
    from newsdex import lifetime, progress
    from newsdex.flows.launch import run_ingest
    from newsdex.flows.quiet import user_errors_quiet

    quiet_crash_lines()
    since = time.time()
    ctrl_c: list[int] = []
    try:
        with user_errors_quiet(store.root), progress.listening(display.event), _seeing_ctrl_c(ctrl_c):
            return run_ingest(options, dask=args.dask, dask_address=args.dask_address)
    except BaseException as exc:  # Ctrl-C or SIGTERM: say what the stopped run kept
        stopped = lifetime.interruption(exc)
        if stopped is None and not ctrl_c:
            raise
        kept = store.indexed_since(since)
        if stopped is None:  # a library's error on its way down after the Ctrl-C (its server was gone)
            interrupted = KeyboardInterrupt()
            interrupted.add_note(stop_note(kept))
            raise interrupted from exc
        exc.add_note(stop_note(kept))
        raise


@contextmanager
def _seeing_ctrl_c(seen: list[int]) -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt as ever, and is remembered in ``seen``: an error a library raises
    while it goes down after it (Prefect's temporary server got the Ctrl-C too) is the interruption, not an
    internal error."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_ctrl_c(signum: int, frame: Any) -> None:
        seen.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_note(kept: int) -> str:
    """The last line of an ingest stopped by Ctrl-C or SIGTERM (newsdex.search_cli.main reads it from the
    exception's notes): what it kept, and that running it again finishes the rest."""
    return f"{STOP_NOTE}{kept} document{'s' if kept != 1 else ''} kept; `newsdex ingest` again finishes the rest"


def quiet_crash_lines() -> None:
    """Prefect logs "Crash detected! … KeyboardInterrupt" (ERROR) for a flow and each task run stopped by Ctrl-C
    or SIGTERM: not a crash, and the command's own last line says what happened. Those records are dropped;
    a real crash's are not."""
    import logging

    class _Stopped(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            msg = record.getMessage()
            return not (
                msg.startswith("Crash detected!")
                and any(
                    w in msg for w in ("KeyboardInterrupt", "Terminated", "TerminationSignal", "SIGTERM", "interrupt")
                )
            )

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Stopped) or type(f).__name__ == "_Stopped" for f in logger.filters):
            logger.addFilter(_Stopped())


def _survey(
    store: Any, inputs: list[str], rules_version: str, args: argparse.Namespace, max_bytes: int, display: Any
) -> tuple[dict[str, Any] | None, int | None]:
    """(The run report of an ingest with nothing to do, or None; how many inputs it has to process, None when
    not known). Known when every input is a .txt/.html file (feed files are read by the flow, record by
    record): those indexed with the same bytes (sha256), rules and path are done; with ``prune`` none may be
    gone; a symlink the flow would quarantine as pointing outside its folder (without ``--follow-symlinks``)
    sends the run to the flow, which says so. Reads and hashes the files; imports neither Prefect nor spaCy."""
    from newsdex.models import document_id
    from newsdex.tasks.load import input_hash, is_feed_file, iter_input_files

    outside: list[tuple[str, str]] = []
    files = iter_input_files(inputs, feeds=True, follow_symlinks=args.follow_symlinks, outside=outside)
    if not files or outside or any(map(is_feed_file, files)):
        return None, None
    if not store.exists():
        return None, len(files)
    display.phase(f"comparing {len(files)} inputs with the index")
    items = [(document_id(f), f, input_hash(f, max_bytes)) for f in files]
    with store.writing(lock_held=True):  # an interrupted full rebuild is finished first, as a flow would
        if not store.unchanged(items, rules_version, args.prune):
            return None, store.pending(items, rules_version)
        documents = store.document_count()
    return {
        "documents": documents,
        "new": 0,
        "changed": 0,
        "unchanged": len(files),
        "removed": 0,
        "quarantined": [],
        "quarantined_by_reason": {},
        "rules_version": rules_version,
        "seconds": 0.0,
        "stages": {},
        "removed_lines_by_rule": {},
        "entities_by_type": {},
        "enrichment_reused": 0,
        "kinds": {"article": 0, "listing": 0, "other": 0},
        "records": len(files),
        "skipped": {},
        "published_coverage": {},
        "languages": {},
        "recognisers": {},
        "dates_dropped": {"records": 0, "examples": []},
        "quarantined_summarised": 0,
        "runner": {"kind": "none", "workers": None, "tasks": 0, "task_work_s": 0.0, "worker_restarts": 0},
    }, 0


COMMITS_PER_WORKER = 4  # batches per worker (or for the run, in process) when a run's size is known


def _sized(pending: int | None, args: argparse.Namespace, configured: int) -> tuple[int | None, int | None]:
    """(batch size, local workers) for a run with ``pending`` inputs to process. Batches sized to the run, so
    that it commits several times (Ctrl-C keeps every committed batch; a run of 62 pages was one batch of 500,
    and an interruption kept nothing), at most the ``configured`` size; and the workers started from the first
    batch when the run is big enough for them (pool.MIN_DOCUMENTS), rather than after that many documents.
    What the user chose (--batch-size, $NEWSDEX_BATCH, --workers, Dask) stands."""
    import math

    from newsdex import settings
    from newsdex.flows import pool

    workers = args.workers
    if pending is None or args.dask or args.dask_address:
        return args.batch_size, workers
    if workers is None and pending >= pool.MIN_DOCUMENTS:
        workers = pool.default_workers()
    if args.batch_size is not None or settings.batch_size_chosen():
        return args.batch_size, workers
    per = math.ceil(pending / (COMMITS_PER_WORKER * max(1, workers or 1)))
    return max(5, min(configured, per)), workers
