"""The reindex flow: re-apply the current cleaning rules to every stored raw input.

Incremental (default): only documents whose cleaned output changed are segmented, enriched and re-indexed;
the others keep their index entries and just record the new rules version. ``full``: everything is rebuilt
into a new Whoosh generation that is swapped in atomically. ``dry_run``: nothing is written; the report
predicts what a real run would change, line by line.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from prefect import flow
from prefect.utilities.annotations import quote  # see flows/ingest.py: no walk through documents

from newsdex import settings
from newsdex.flows import steps
from newsdex.flows.report import RunReport, markdown_table, progress_bar, rule_name
from newsdex.index.layout import MANIFEST
from newsdex.index.store import IndexStore, Rebuilding
from newsdex.tasks.clean.reclean import DocChange
from newsdex.tasks.clean.rules import load_rules


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
def reindex_flow(
    index: str | None = None,
    rules: str | None = None,
    full: bool = False,
    dry_run: bool = False,
    batch_size: int | None = None,
    progress: bool = False,
    lock_held: bool = False,
    examples: int = 3,
    manifest_name: str | None = None,
) -> dict[str, Any]:
    """Re-clean every stored input with the current rules and re-index what changed (or everything);
    the report's summary keeps ``examples`` lines per rule."""
    index_root = settings.index_dir(index)
    ruleset = load_rules(rules)
    report = RunReport(kind="reindex-dry-run" if dry_run else ("reindex-full" if full else "reindex"),
                       rules_version=ruleset.version)
    size = batch_size or settings.batch_size()
    changes: list[DocChange] = []
    # A full rebuild replaces the live generation: it runs (and repairs) even when that one does not open.
    # A dry run writes nothing; a full rebuild places every document among the copies after its swap.
    # ``manifest_name``: `check --repair` rebuilds into the manifest it made beside the live one.
    target = IndexStore(index_root, manifest_name or MANIFEST, readonly=dry_run)
    with target.writing(lock_held, verify=dry_run or not full, place_copies=not (dry_run or full)) as store:
        ids = store.indexed_ids()
        run_id = None if dry_run else store.start_run(report.kind)
        bar = progress_bar(len(ids), progress)
        if full and not dry_run:
            rebuild = store.rebuild()  # a new generation, swapped in at the end
            try:
                _reclean_all(store, ids, size, ruleset, full, dry_run, report, changes, bar, rebuild)
                with report.stage("index"):
                    rebuild.commit()
            except BaseException:
                rebuild.abort()  # the old generation stays live
                raise
        else:
            _reclean_all(store, ids, size, ruleset, full, dry_run, report, changes, bar, None)
        report.documents = store.document_count() if not dry_run else len(ids) - len(report.quarantined)
        result = report.as_dict()
        result["changes"] = [c.model_dump() for c in changes] if dry_run else len(changes)
        result["summary"] = summarize_changes(changes, examples)
        if dry_run:
            result["dry_run"] = True
        elif run_id is not None:
            store.finish_run(run_id, {k: v for k, v in result.items() if k not in ("summary",)})
    if not dry_run:
        try:
            from prefect.artifacts import create_markdown_artifact

            create_markdown_artifact(key="reindex-report", markdown=markdown_table(result), description="reindex")
        except Exception:  # noqa: BLE001, S110 - an artifact failure must not fail a finished run
            pass
    return result


def _reclean_all(
    store: IndexStore,
    ids: list[str],
    size: int,
    ruleset: Any,
    full: bool,
    dry_run: bool,
    report: RunReport,
    changes: list[DocChange],
    bar: Any,
    rebuild: Rebuilding | None,
) -> None:
    """Re-clean ``ids`` a batch at a time; re-index what changed, in place or into ``rebuild``."""
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        with report.stage("reclean"):
            res = steps.reclean_task(str(store.root), batch, ruleset, full, manifest_name=store.paths.manifest_name,
                                     readonly=store.readonly)
        report.unchanged += len(res.unchanged_ids)
        report.changed += len(res.changed)
        report.quarantined.extend(q for _, q in res.quarantined)
        changes.extend(res.changes)
        if dry_run:
            bar(len(batch))
            continue
        store.keep_unchanged(res.unchanged_ids, ruleset.version, res.relabelled)
        if res.changed:
            with report.stage("segment"):
                segmented = steps.segment_task(quote(res.changed))
            with report.stage("enrich"):
                # Exact copies within the batch share one enrichment (entities depend on title and text alone).
                enriched, reused = steps.enrich_task(quote(segmented))
            report.reused += reused
            report.count_docs(enriched)
            with report.stage("index"):
                if rebuild is not None:
                    rebuild.add(enriched)
                else:
                    steps.index_task(str(store.root), quote(enriched))
        if rebuild is not None:
            rebuild.quarantine(res.quarantined)  # simply not added to the new generation
        else:
            store.quarantine(res.quarantined)  # out of Whoosh first, then listed with its reason
        bar(len(batch))
