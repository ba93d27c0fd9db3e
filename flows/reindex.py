"""The reindex flow: re-apply the current cleaning rules to every stored raw input.

Incremental (default): only documents whose cleaned output changed are segmented, enriched and re-indexed;
the others keep their index entries and just record the new rules version. ``full``: everything is rebuilt
into a new Whoosh generation that is swapped in atomically. ``dry_run``: nothing is written; the report
predicts what a real run would change, line by line.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.utilities.annotations import quote  # see flows/ingest.py: no walk through documents

from flows.report import RunReport, markdown_table, progress_bar, rule_name
from index.layout import live_generation_name
from tasks import enrich, reclean, segment, settings, write_index
from tasks.reclean import DocChange
from tasks.rules import load_rules


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
) -> dict[str, Any]:
    """Re-clean every stored input with the current rules and re-index what changed (or everything)."""
    from index.layout import IndexPaths, held_or_take
    from index.manifest import Manifest
    from index.writer import Rebuild

    index_root = settings.index_dir(index)
    ruleset = load_rules(settings.rules_path(rules))
    report = RunReport(kind="reindex-dry-run" if dry_run else ("reindex-full" if full else "reindex"),
                       rules_version=ruleset.version)
    ipaths = IndexPaths(Path(index_root))
    size = batch_size or settings.batch_size()
    changes: list[DocChange] = []
    with held_or_take(ipaths, lock_held):
        with Manifest(ipaths.manifest) as manifest:
            manifest.recover_staged(live_generation_name(ipaths))
            ids = [r["id"] for r in manifest.indexed()]
            run_id = None if dry_run else manifest.start_run(report.kind)
        bar = progress_bar(len(ids), progress)
        rebuild = Rebuild(ipaths) if (full and not dry_run) else None
        quarantined_in_rebuild: list[Any] = []  # recorded only once the rebuild is swapped in
        try:
            for start in range(0, len(ids), size):
                batch = ids[start : start + size]
                with report.stage("reclean"):
                    res = reclean.reclean_task(str(index_root), batch, ruleset, full)
                report.unchanged += len(res.unchanged_ids)
                report.changed += len(res.changed)
                report.quarantined.extend(q for _, q in res.quarantined)
                changes.extend(res.changes)
                if dry_run:
                    bar(len(batch))
                    continue
                with Manifest(ipaths.manifest) as manifest:
                    manifest.mark_rules_version(res.unchanged_ids, ruleset.version)
                    manifest.update_explanations(res.relabelled)
                if res.changed:
                    with report.stage("segment"):
                        segmented = segment.segment_task(quote(res.changed))
                    with report.stage("enrich"):
                        enriched = enrich.enrich_task(quote(segmented))
                    report.count_docs(enriched)
                    with report.stage("index"):
                        if rebuild is not None:
                            rebuild.add(enriched)
                            with Manifest(ipaths.manifest) as manifest:
                                manifest.stage(enriched, rebuild.generation.name)  # applied after the swap
                        else:
                            write_index.index_task(str(index_root), quote(enriched))
                if res.quarantined and rebuild is None:
                    # Out of Whoosh first, then listed as quarantined (with its reason) in the manifest.
                    write_index.write_batch(str(index_root), [], [d for d, _ in res.quarantined], forget=False)
                    with Manifest(ipaths.manifest) as manifest:
                        manifest.record_quarantined(res.quarantined)
                elif res.quarantined:
                    quarantined_in_rebuild.extend(res.quarantined)  # simply not added to the new generation
                bar(len(batch))
            if rebuild is not None:
                with report.stage("index"):
                    rebuild.commit()
                    with Manifest(ipaths.manifest) as manifest:
                        manifest.apply_staged()
                        manifest.record_quarantined(quarantined_in_rebuild)
        except BaseException:
            if rebuild is not None:
                rebuild.abort()  # the old generation stays live
            raise
        with Manifest(ipaths.manifest) as manifest:
            report.documents = manifest.counts()["documents"] if not dry_run else len(ids) - len(report.quarantined)
            result = report.as_dict()
            result["changes"] = [c.model_dump() for c in changes] if dry_run else len(changes)
            result["summary"] = summarize_changes(changes)
            if dry_run:
                result["dry_run"] = True
            elif run_id is not None:
                manifest.finish_run(run_id, {k: v for k, v in result.items() if k not in ("summary",)})
    if not dry_run:
        try:
            from prefect.artifacts import create_markdown_artifact

            create_markdown_artifact(key="reindex-report", markdown=markdown_table(result), description="reindex")
        except Exception:  # noqa: BLE001, S110 - an artifact failure must not fail a finished run
            pass
    return result
