"""``newsdex entities`` over the ingested seeds: canonical names counted once, by type, as text and JSON."""

from __future__ import annotations

import json

from conftest import run_cli


def test_entities_json_counts_documents_and_mentions(seed_index) -> None:
    proc = run_cli("entities", "--json", "--limit", "200", "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert all(set(r) == {"name", "type", "documents", "mentions"} for r in rows)
    by_key = {(r["type"], r["name"]): r for r in rows}
    assert by_key[("PERSON", "Kim Jong Un")]["documents"] == 5
    assert by_key[("PERSON", "Vladimir Putin")]["documents"] == 5
    assert by_key[("ORG", "National Intelligence Service")]["documents"] == 2
    assert ("ORG", "Institute for the Study of War") in by_key
    # No spelling variant survives as an entity of its own.
    names = {r["name"] for r in rows}
    assert not names & {"Kim Jong-un", "Kiev", "NIS", "ISW", "Zelensky", "Putin"}
    ranks = [(r["documents"], r["mentions"]) for r in rows]  # the index ranks by documents, then mentions
    assert ranks == sorted(ranks, reverse=True)


def test_entities_by_type_and_limit_human_output(seed_index) -> None:
    proc = run_cli("entities", "--type", "person", "-n", "3", "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].split() == ["entity", "type", "docs", "mentions"] and len(lines) == 4
    assert lines[1].startswith("Kim Jong Un") and all(" PERSON " in ln for ln in lines[1:])


def test_entities_bad_type_is_a_usage_error(seed_index) -> None:
    proc = run_cli("entities", "--type", "planet", "--index", str(seed_index["index"]))
    assert proc.returncode == 1 and proc.stdout == "" and "unknown entity type" in proc.stderr
