"""The run report every flow returns (docs/contract.md) and its per-stage counters."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsdex.models import EnrichedDoc, Quarantined
from newsdex.tasks.enrich.stage import recogniser_for

if TYPE_CHECKING:
    from newsdex.index.manifest import ManifestRow


def rule_name(rule: str) -> str:
    """The rule without its evidence: "line-model p=0.13" counts as "line-model"."""
    return rule.split(" ", 1)[0]


@dataclass
class RunReport:
    kind: str
    rules_version: str
    started: float = field(default_factory=time.perf_counter)
    documents: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # in the order the stages first ran
    removed_by_rule: Counter[str] = field(default_factory=Counter)
    entities_by_type: Counter[str] = field(default_factory=Counter)
    records: int = 0  # ingest: records read (a .txt/.html file is one; a feed file one per line or response)
    skipped: Counter[str] = field(default_factory=Counter)  # ingest: records that are no documents, by reason
    dated: dict[str, list[int]] = field(default_factory=dict)  # source → [documents, with a published date]
    languages: Counter[str] = field(default_factory=Counter)  # documents by language ("none": none detected)
    recognisers: Counter[str] = field(default_factory=Counter)  # documents by entity recogniser (their language's)
    page_kinds: Counter[str] = field(default_factory=Counter)  # documents by kind (article, listing, other)
    reused: int = 0  # exact copies whose entities were taken from their original (not enriched again)
    dates_dropped: Counter[str] = field(default_factory=Counter)  # ingest: published dates naming no day
    summarised: int = 0  # ingest: quarantined records past a feed file's limit, in its summary line only

    @contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add_seconds({name: time.perf_counter() - t0})

    def add_seconds(self, timings: dict[str, float]) -> None:
        """Seconds spent per stage, added to those counted so far (a worker's, or this process's)."""
        for name, seconds in timings.items():
            self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + seconds

    def count_docs(self, docs: list[EnrichedDoc]) -> None:
        for d in docs:
            self.removed_by_rule.update(rule_name(r.rule) for r in d.removed)
            self.entities_by_type.update(e.type for e in d.entities)
            self._date(d.source, d.published)
            self.languages[d.language or "none"] += 1
            self.recognisers[recogniser_for(d.language)] += 1
            self.page_kinds[d.page_kind] += 1

    def count_rows(self, rows: list[ManifestRow]) -> None:
        """``count_docs`` for documents that arrive as manifest rows (the Dask path)."""
        for r in rows:
            self.removed_by_rule.update(rule_name(rule) for rule in r.removed_rules)
            self.entities_by_type.update(etype for etype, _, _ in r.entities)
            self._date(r.source, r.published)
            self.languages[r.language or "none"] += 1
            self.recognisers[recogniser_for(r.language)] += 1
            self.page_kinds[r.page_kind] += 1

    def _date(self, source: str | None, published: str | None) -> None:
        counts = self.dated.setdefault(source or "(no source)", [0, 0])
        counts[0] += 1
        counts[1] += published is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            # line / offset only for a feed record: a file's entry keeps its two fields
            "quarantined": [q.model_dump(exclude_none=True) for q in self.quarantined],
            "quarantined_by_reason": dict(quarantine_reasons(self.quarantined).most_common()),
            "rules_version": self.rules_version,
            "seconds": round(time.perf_counter() - self.started, 3),
            "stages": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "removed_lines_by_rule": dict(self.removed_by_rule.most_common()),
            "entities_by_type": dict(self.entities_by_type.most_common()),
            "enrichment_reused": self.reused,
            "kinds": {k: self.page_kinds.get(k, 0) for k in ("article", "listing", "other")},
        } | (self._ingest_fields() if self.kind == "ingest" else {})

    def _ingest_fields(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "skipped": dict(self.skipped.most_common()),
            "published_coverage": {
                source: {"documents": n, "published": k, "share": round(k / n, 3)}
                for source, (n, k) in sorted(self.dated.items())
            },
            "languages": dict(self.languages.most_common()),
            "recognisers": dict(self.recognisers.most_common()),
            "dates_dropped": {
                "records": sum(self.dates_dropped.values()),
                "examples": [d for d, _ in self.dates_dropped.most_common(5)],
            },
            "quarantined_summarised": self.summarised,
        }


def quarantine_reasons(items: list[Quarantined]) -> Counter[str]:
    """Quarantined inputs by kind of reason ("not JSON", "too large", "symlink outside the folder"…): the reason
    without its place (line, record, offset) and its detail."""
    from newsdex.reasons import reason_kind

    return Counter(reason_kind(q.reason) for q in items)


def markdown_table(report: dict[str, Any]) -> str:
    """The run report as the markdown a Prefect artifact shows."""
    rows = [
        "| documents | new | changed | unchanged | removed | quarantined | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {report['documents']} | {report['new']} | {report['changed']} | {report['unchanged']} | "
        f"{report['removed']} | {len(report['quarantined'])} | {report['seconds']} |",
    ]
    if report["quarantined"]:
        rows += ["", "| quarantined input | reason |", "| --- | --- |"]
        rows += [f"| {q['path']} | {q['reason']} |" for q in report["quarantined"]]
    if report.get("stages"):
        rows += ["", "| stage | seconds |", "| --- | --- |"]
        rows += [f"| {k} | {v} |" for k, v in report["stages"].items()]
    if report.get("removed_lines_by_rule"):
        rows += ["", "| rule | lines removed |", "| --- | --- |"]
        rows += [f"| {k} | {v} |" for k, v in report["removed_lines_by_rule"].items()]
    kinds = report.get("kinds") or {}
    if kinds.get("listing") or kinds.get("other"):
        rows += ["", "| page kind | documents |", "| --- | --- |"]
        rows += [f"| {k} | {v} |" for k, v in kinds.items()]
    if report.get("entities_by_type"):
        rows += ["", "| entity type | entities found |", "| --- | --- |"]
        rows += [f"| {k} | {v} |" for k, v in report["entities_by_type"].items()]
    return "\n".join(rows)


def progress_bar(total: int | None, enabled: bool):
    """Progress events for whoever draws them (``newsdex.progress``; the CLI's live line on a terminal): the
    total first (None for feed files, whose records are counted as they are read), then each advance by
    ``n`` inputs done. Not ``enabled``: no events, a no-op."""
    if not enabled:
        return lambda n: None
    from newsdex import progress

    progress.emit("total", documents=total)
    progress.emit("phase", text="reading inputs")

    def advance(n: int) -> None:
        progress.emit("advance", documents=n)

    return advance
