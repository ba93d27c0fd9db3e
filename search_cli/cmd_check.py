"""``newsdex check [--repair]``: verify that the manifest, the raw store and the live Whoosh generation agree;
``--repair`` rebuilds what is damaged (the manifest from what survives, the index from the raw store)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from newsdex.search_cli.output import UsageError, emit_json
from newsdex.search_cli.terminal import say

if TYPE_CHECKING:
    from newsdex.index.check import CheckResult
    from newsdex.index.store import IndexStore

EPILOG = """examples:
  newsdex check                       # exit 0 healthy, 1 damaged (one line on stderr)
  newsdex check --json | jq '.problems[].message'
  newsdex check --repair              # rebuild what is damaged from the raw store
"""
_SHOWN = 50  # problems listed by the human output (all of them with --json)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "check",
        parents=[common],
        help="verify the manifest, raw store and index agree; --repair rebuilds what is damaged",
        description="Verify that every indexed document is in the live Whoosh generation as the manifest "
        "describes it and nothing else is, that every raw input is stored with its sha256, that the manifest "
        "passes SQLite's integrity check and that the generation opens. --repair rebuilds a lost or damaged "
        "manifest from what survives (the damaged file is kept aside), restores raw inputs from their original "
        "files, and rebuilds the index from the raw store into a new generation swapped in atomically.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--repair", action="store_true", help="rebuild what is damaged, then check again")
    p.add_argument("--wait", action="store_true", help="wait for a running ingest or reindex instead of exiting")


def run(args: argparse.Namespace) -> int:
    from newsdex.index.check import summarize
    from newsdex.index.damage import REPAIR_HINT
    from newsdex.index.store import IndexBusy, IndexReadOnly, IndexStore, NotAnIndex
    from newsdex.settings import index_dir

    root = index_dir(args.index)
    store = IndexStore(root)
    if not (store.exists() or store.paths.live_generation() is not None or store.paths.raw.is_dir()):
        raise UsageError(f"no index at {root} (run `newsdex ingest` first)")
    if args.repair:
        from newsdex.search_cli.writing import prepare_writer

        prepare_writer(args)  # offline Prefect and a readable rules file, before anything is touched
    try:
        # The write lock for the whole check: a consistent view, and no writer between a repair's steps.
        with store.lock(wait=args.wait, shared=not args.repair):  # a plain check writes nothing
            found = store.check()
            repair = _repair(store, found, args) if args.repair and not found.healthy else None
    except (IndexBusy, IndexReadOnly, NotAnIndex) as exc:
        raise UsageError(str(exc)) from None
    final: CheckResult = repair.pop("after") if repair else found
    if args.json:
        emit_json({**found.as_dict(), "healthy": final.healthy, "repair": _repair_json(repair, final)})
    else:
        _print(found, repair, final)
    if final.healthy:
        return 0
    if repair:
        raise UsageError(f"repair left {summarize(final.problems)}")
    raise UsageError(f"damaged index: {summarize(final.problems)}; {REPAIR_HINT}")


def _repair(store: IndexStore, found: CheckResult, args: argparse.Namespace) -> dict[str, Any]:
    """Repairs in place (manifest, staged rows, raw inputs), then a full rebuild when Whoosh disagrees."""
    from newsdex.index.check import REBUILD_KINDS, Problem

    done, after, work = store.repair_in_place(found)  # work: beside the live index when the manifest is rebuilt
    run = None
    if after.kinds() & REBUILD_KINDS:
        from newsdex import progress
        from newsdex.flows.options import ReindexOptions
        from newsdex.flows.quiet import user_errors_quiet
        from newsdex.flows.reindex import reindex_flow
        from newsdex.search_cli.progress import Display
        from newsdex.settings import Settings

        settings = Settings.from_env(index=store.root, rules=args.rules)  # resolved here, once, for the run
        with (
            user_errors_quiet(store.root),
            Display(not args.json and sys.stderr.isatty()) as display,
            progress.listening(display.event),
        ):
            display.phase("starting the flow runner (Prefect) to rebuild the index")
            run = reindex_flow(
                ReindexOptions(
                    full=True,
                    lock_held=True,
                    progress=display.enabled,
                    settings=settings,
                    manifest_name=work.paths.manifest_name,
                )
            )
        done.actions.append(
            f"rebuilt the index from the raw store into a new generation (rules {run['rules_version']}): "
            f"{run['documents']} documents, {len(run['quarantined'])} quarantined"
        )
        known = {p.path for p in done.not_recovered}
        done.not_recovered += [
            Problem("quarantined", f"{q['path']}: quarantined by the rebuild: {q['reason']}", None, q["path"])
            for q in run["quarantined"]
            if q["path"] not in known
        ]
    if work is not store:
        store.finish_repair(work)  # the rebuilt manifest in place, after the rebuild's swap
        after = store.check()
    elif run is not None:
        after = store.check()
    return {
        "actions": done.actions,
        "rebuilt": run is not None,
        "run": run,
        "not_recovered": done.not_recovered,
        "after": after,
    }


def _repair_json(repair: dict[str, Any] | None, final: CheckResult) -> dict[str, Any] | None:
    if repair is None:
        return None
    run = repair["run"]
    return {
        "actions": repair["actions"],
        "rebuilt": repair["rebuilt"],
        "run": {k: v for k, v in run.items() if k != "summary"} if run else None,
        "not_recovered": [p.as_dict() for p in repair["not_recovered"]],
        "remaining": [p.as_dict() for p in final.problems],
    }


def _print(found: CheckResult, repair: dict[str, Any] | None, final: CheckResult) -> None:
    manifest = f"{found.documents} documents in the manifest" if found.documents is not None else "no manifest"
    whoosh = (
        f"{found.index_documents} in the live generation"
        if found.index_documents is not None
        else ("no readable generation")
    )
    say(f"index {found.index}: {manifest}, {whoosh}, {found.raw_checked} raw inputs checked")
    if found.healthy:
        print("healthy")
        return
    _print_problems(f"problems ({len(found.problems)}):", found.problems)
    if repair is None:
        return
    print("repair:")
    for action in repair["actions"] or ["nothing it could repair"]:
        say(action, indent="  ")
    if repair["not_recovered"]:
        _print_problems("not recovered:", repair["not_recovered"])
    if final.healthy:
        print("after the repair: healthy")
    else:
        _print_problems(f"after the repair ({len(final.problems)}):", final.problems)


def _print_problems(header: str, problems: list[Any]) -> None:
    print(header)
    for p in problems[:_SHOWN]:
        say(f"{p.kind:<22} {p.message}", indent="  ", hang=" " * 25)
    if len(problems) > _SHOWN:
        print(f"  … and {len(problems) - _SHOWN} more (see --json)")
