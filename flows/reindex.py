"""The reindex flow: re-apply the current cleaning rules to every stored raw input.

Incremental (default): only documents whose cleaned output changed are segmented, enriched and re-indexed;
the others keep their index entries and just record the new rules version. ``full``: everything is rebuilt
into a new Whoosh generation that is swapped in atomically. ``dry_run``: nothing is written; the report
predicts what a real run would change, line by line. Changed documents are segmented and enriched by the same
batch job and runner as an ingest's (flows/batch.py, flows/runners.py).
"""

# No ``from __future__ import annotations`` here: Prefect builds the flow's parameter model from the signature
# in a deployment's run, and a string annotation ("IngestOptions") is not resolved there.

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prefect import flow

from newsdex.flows import steps
from newsdex.flows.batch import BatchJob
from newsdex.flows.options import ReindexOptions
from newsdex.flows.report import RunReport, markdown_table, progress_bar, rule_name
from newsdex.flows.runners import Runner, open_runner
from newsdex.flows.writer import ReindexWriter
from newsdex.index.layout import MANIFEST
from newsdex.index.store import IndexStore
from newsdex.settings import Settings
from newsdex.tasks.clean.reclean import DocChange
from newsdex.tasks.clean.rules import Rules, load_rules


def summarize_changes(changes: list[DocChange], examples: int = 3) -> dict[str, Any]:
    """Lines newly removed / newly kept, grouped by rule (with examples) and by site."""
    by_rule: dict[str, dict[str, Any]] = defaultdict(lambda: {"removed": 0, "restored": 0, "examples": []})
    by_site: Counter[str] = Counter()
    for ch in changes:
        by_site[ch.source or "(unknown)"] += 1
        for kind, lines in (("removed", ch.removed), ("restored", ch.restored)):
            for line in lines:
                entry = by_rule[rule_name(line.rule)]
                entry[kind] += 1
                if len(entry["examples"]) < examples and line.text not in entry["examples"]:
                    entry["examples"].append(line.text)
    return {"by_rule": dict(by_rule), "by_site": dict(by_site.most_common())}


@flow(name="reindex", log_prints=False)
def reindex_flow(options: ReindexOptions = ReindexOptions()) -> dict[str, Any]:  # noqa: B008 - frozen
    """Re-clean every stored input with the current rules and re-index what changed (or everything); the
    report's summary keeps ``options.examples`` lines per rule. ``options``: flows/options.py."""
    settings = options.resolved()
    ruleset = load_rules(settings.rules)
    full, dry_run = options.full, options.dry_run
    report = RunReport(
        kind="reindex-dry-run" if dry_run else ("reindex-full" if full else "reindex"), rules_version=ruleset.version
    )
    # A full rebuild replaces the live generation: it runs (and repairs) even when that one does not open.
    # A dry run writes nothing; a full rebuild places every document among the copies after its swap.
    # `check --repair` rebuilds into the manifest it made beside the live one (``options.manifest_name``); a dry
    # run opens the manifest read-only (it reads a read-only index folder).
    target = IndexStore(settings.index, options.manifest_name or MANIFEST, readonly=dry_run)
    with target.writing(options.lock_held, verify=dry_run or not full, place_copies=not (dry_run or full)) as store:
        ids = store.indexed_ids()
        run_id = None if dry_run else store.start_run(report.kind)
        bar = progress_bar(len(ids), options.progress)
        changes = _reindex(_Run(store, ruleset, settings, options, report), ids, bar)
        report.documents = store.document_count() if not dry_run else len(ids) - len(report.quarantined)
        result = report.as_dict()
        result["changes"] = [c.model_dump() for c in changes] if dry_run else len(changes)
        result["summary"] = summarize_changes(changes, options.examples)
        if dry_run:
            result["dry_run"] = True
        elif run_id is not None:
            store.finish_run(run_id, {k: v for k, v in result.items() if k not in ("summary",)})
    if not dry_run:
        try:
            from prefect.artifacts import create_markdown_artifact

            create_markdown_artifact(key="reindex-report", markdown=markdown_table(result), description="reindex")
        except Exception:  # an artifact failure must not fail a finished run
            pass
    return result


@dataclass(frozen=True)
class _Run:
    """What every step of one reindex run shares."""

    store: IndexStore
    ruleset: Rules
    settings: Settings
    options: ReindexOptions
    report: RunReport


def _reindex(run: _Run, ids: list[str], bar: Callable[[int], None]) -> list[DocChange]:
    """Re-clean ``ids`` and re-index what changed: in place, or (``full``) into a new generation swapped in at
    the end (a failure before the swap leaves the old generation live)."""
    rebuild = run.store.rebuild() if run.options.full and not run.options.dry_run else None
    writer = ReindexWriter(run.store, run.report, bar, rebuild)
    try:
        with open_runner(run.options.runner, run.settings, writer.adopt) as runner:
            changes = _reclean_all(run, ids, writer, runner)
        if rebuild is not None:
            with run.report.stage("index"):
                rebuild.commit()
    except BaseException:
        if rebuild is not None:
            rebuild.abort()  # the old generation stays live (after the swap: the new one stays)
        raise
    return changes


def _reclean_all(run: _Run, ids: list[str], writer: ReindexWriter, runner: Runner) -> list[DocChange]:
    """Re-clean ``ids`` a batch at a time; the changed documents of each go to the runner as one job (segment,
    enrich), and the writer writes them as they come back."""
    changes: list[DocChange] = []
    report, size = run.report, run.settings.batch_size
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        with report.stage("reclean"):
            res = steps.reclean_task(
                str(run.store.root),
                batch,
                run.ruleset,
                run.settings,
                run.options.full,
                run.store.paths.manifest_name,
                run.store.readonly,
            )
        report.unchanged += len(res.unchanged_ids)
        report.changed += len(res.changed)
        report.quarantined.extend(q for _, q in res.quarantined)
        changes.extend(res.changes)
        if run.options.dry_run:
            writer.bar(len(batch))
            continue
        writer.recleaned(res, len(batch), run.ruleset.version)
        if res.changed:
            runner.prepare(len(res.changed))
            names = str(run.store.root)
            job = BatchJob(run.ruleset, run.settings, cleaned=res.changed, build_segment=False, names_from=names)
            runner.send(job, len(batch))
    runner.finish()
    return changes
