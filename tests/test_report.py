"""Run report counters and the artifact table."""

from __future__ import annotations

from newsdex.flows.report import RunReport, markdown_table
from newsdex.models import EnrichedDoc, Entity, Quarantined, Removed


def test_removed_lines_are_counted_by_rule_name_and_table_lists_everything():
    doc = EnrichedDoc(
        id="x",
        path="x.txt",
        kind="text",
        raw_hash="h",
        removed=[
            Removed(text="a", rule="line-model p=0.13"),
            Removed(text="b", rule="line-model p=0.87"),
            Removed(text="Advertisement", rule="ad-marker"),
        ],
        entities=[Entity(name="Kyiv", type="LOC", count=2)],
    )
    report = RunReport(kind="ingest", rules_version="v1")
    report.count_docs([doc])
    report.quarantined.append(Quarantined(path="bad.txt", reason="empty file"))
    out = report.as_dict()
    assert out["removed_lines_by_rule"] == {"line-model": 2, "ad-marker": 1}
    table = markdown_table(out)
    for expected in ("| line-model | 2 |", "| bad.txt | empty file |", "| LOC | 1 |"):
        assert expected in table
