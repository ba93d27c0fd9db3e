"""The JSON contract (docs/contract.md): real outputs of the `newsdex` command checked against docs/schemas/.

Outputs come from the real command (`run_cli`) over the seed index (seeds plus bad inputs, ingested by the real
flow); the ingest run report is the one that ingest returned. Each schema is also checked to be a valid draft
2020-12 schema, and deliberately broken outputs must fail it, so that these tests can fail.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import SEEDS, run_cli

SCHEMAS = Path(__file__).parent.parent / "docs" / "schemas"
# duplicates: test_copies.py; similar: test_similar.py
SCHEMA_NAMES = ("search", "show", "run-report", "stats", "entities", "duplicates", "similar")
CLEAN_FIXTURES = Path(__file__).parent / "fixtures" / "clean"
INPUT_SUFFIXES = (".txt", ".html", ".htm", ".txt.gz", ".html.gz", ".htm.gz")
SEED_004 = "004_c660a855ca50e628.txt"  # has removed lines ("Source link", "Leave a Reply")

# A user's new rule for the dry run: drops one sentence that only seed 003 has (first, so no other rule claims it).
NEW_RULE = """[[line]]
name = "drop-peskov-line"
action = "remove"
regex = ['^Kremlin spokesman Dmitry Peskov on Thursday dismissed']

"""


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def errors(name: str, obj: Any) -> list[str]:
    validator = Draft202012Validator(load_schema(name))
    return [
        f"{name}: /{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]


def assert_valid(name: str, obj: Any) -> None:
    found = errors(name, obj)
    assert not found, "\n".join(found[:20])


def stdout_json(*args: str) -> Any:
    """Run the command; it must succeed and print exactly one JSON document, on one line, on stdout."""
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith("\n") and proc.stdout.count("\n") == 1, proc.stdout[:500]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def cli_json(seed_index) -> Callable[..., Any]:
    """`newsdex ARGS… --json --index SEED_INDEX`, each distinct command run once per module (a fresh copy each call)."""
    cache: dict[tuple[str, ...], Any] = {}

    def run(*args: str) -> Any:
        if args not in cache:
            cache[args] = stdout_json(*args, "--index", str(seed_index["index"]))
        return copy.deepcopy(cache[args])

    return run


def seed_004(seed_index: dict) -> str:
    return str(seed_index["corpus"] / "seeds" / SEED_004)


def as_printed(report: dict[str, Any]) -> Any:
    """A flow's report as `--json` prints it (search_cli/output.py: json.dumps with default=str)."""
    return json.loads(json.dumps(report, ensure_ascii=False, default=str))


# --- the schemas themselves --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema.get("additionalProperties", True) is not False  # fields may be added
    assert schema["type"] in ("object", "array") and (schema.get("required") or schema.get("items"))


# --- real outputs ------------------------------------------------------------------------------------------


@pytest.mark.prefect
@pytest.mark.parametrize(
    "args",
    [("gulags",), ('"Kursk region"', "--limit", "2"), ("troops", "--sort", "newest")],
    ids=["word", "phrase-limit", "sorted-by-date"],
)
def test_search_with_hits(cli_json, args):
    result = cli_json("search", *args)
    assert result["total"] >= 1 and result["hits"]
    assert_valid("search", result)
    if "--sort" in args:
        assert all(hit["score"] is None for hit in result["hits"])  # no relevance score when sorted by date


@pytest.mark.prefect
@pytest.mark.parametrize("query", ["Advertisement", "troopz"])
def test_search_without_hits(cli_json, query):
    result = cli_json("search", query)
    assert result["total"] == 0 and result["hits"] == []
    assert_valid("search", result)


@pytest.mark.prefect
def test_show(cli_json, seed_index):
    doc = cli_json("show", seed_004(seed_index))
    assert doc["removed"] and doc["segments"] and doc["entities"]
    assert "trace" not in doc  # only with --explain
    assert_valid("show", doc)


@pytest.mark.prefect
def test_show_explain(cli_json, seed_index):
    doc = cli_json("show", seed_004(seed_index), "--explain")
    assert doc["trace"] and any(not line["kept"] for line in doc["trace"])
    assert_valid("show", doc)


@pytest.mark.parametrize("explain", [False, True], ids=["plain", "explain"])
def test_clean_json_lines(explain):
    inputs = [SEEDS, CLEAN_FIXTURES]
    proc = run_cli("clean", *map(str, inputs), "--json", *(["--explain"] if explain else []))
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line) for line in proc.stdout.splitlines()]  # JSON Lines: one object per input file
    files = sorted(p.name for folder in inputs for p in folder.rglob("*") if p.name.endswith(INPUT_SUFFIXES))
    assert sorted(Path(d["path"]).name for d in docs) == files
    assert any(d["url"] for d in docs) and any(d["url"] is None for d in docs)  # HTML metadata and plain text
    for doc in docs:
        assert ("trace" in doc) == explain
        assert doc["entities"] == []  # clean does not enrich
        assert_valid("show", doc)


@pytest.mark.prefect
def test_ingest_run_report(seed_index):
    report = as_printed(seed_index["report"])
    assert report["new"] == 5 and report["quarantined"]  # the seeds, and the bad inputs with their reasons
    assert "dry_run" not in report and "changes" not in report
    assert_valid("run-report", report)


@pytest.mark.prefect
def test_reindex_dry_run_report(seed_index, tmp_path):
    default_rules = Path(stdout_json("rules", "version")["path"])
    text = default_rules.read_text(encoding="utf-8")
    at = text.index("\n[[line]]") + 1
    rules = tmp_path / "rules.toml"
    rules.write_text(text[:at] + NEW_RULE + text[at:], encoding="utf-8")
    report = stdout_json("reindex", "--dry-run", "--rules", str(rules), "--index", str(seed_index["index"]))
    assert report["dry_run"] is True
    changed = [ch for ch in report["changes"] if ch["path"].endswith("003_74e64ee529b26e9e.txt")]
    assert changed and any(line.startswith("Kremlin spokesman Dmitry Peskov") for line in changed[0]["removed"])
    assert_valid("run-report", report)
    # The same report with a count of changes (what a real reindex prints) is not a dry run's report.
    assert errors("run-report", {**report, "changes": len(report["changes"])})


@pytest.mark.prefect
def test_stats(cli_json):
    stats = cli_json("stats")
    assert stats["documents"] == 5 and stats["quarantined"]
    assert stats["runs"] and stats["last_run"] == stats["runs"][0]
    assert_valid("stats", stats)


@pytest.mark.prefect
@pytest.mark.parametrize("args", [(), ("--type", "person", "--limit", "3")], ids=["all", "person"])
def test_entities(cli_json, args):
    rows = cli_json("entities", *args)
    assert rows
    if args:
        assert len(rows) <= 3 and {r["type"] for r in rows} == {"PERSON"}
    assert_valid("entities", rows)


# --- broken outputs must fail ------------------------------------------------------------------------------


def _drop(*path: str | int) -> Callable[[Any], None]:
    def mutate(obj: Any) -> None:
        for key in path[:-1]:
            obj = obj[key]
        del obj[path[-1]]

    return mutate


def _set(*path: str | int, value: Any) -> Callable[[Any], None]:
    def mutate(obj: Any) -> None:
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value

    return mutate


def _rename(old: str, new: str) -> Callable[[Any], None]:
    def mutate(obj: Any) -> None:
        obj[new] = obj.pop(old)

    return mutate


BROKEN = [
    pytest.param("search", _drop("hits"), id="search-without-hits-field"),
    pytest.param("search", _set("hits", 0, "score", value="7.49"), id="search-score-as-text"),
    pytest.param("search", _drop("facets", "LOC"), id="search-facet-type-dropped"),
    pytest.param("search", _set("total", value=1.5), id="search-total-not-integer"),
    pytest.param("show", _set("segments", 0, "kind", value="sidebar"), id="show-unknown-segment-kind"),
    pytest.param("show", _drop("removed", 0, "rule"), id="show-removed-line-without-rule"),
    pytest.param("show", _set("published", value="21 January 2025"), id="show-published-not-iso"),
    pytest.param("show", _rename("body", "text"), id="show-body-renamed"),
    pytest.param("run-report", _set("documents", value="5"), id="report-documents-as-text"),
    pytest.param("run-report", _drop("quarantined", 0, "reason"), id="report-quarantined-without-reason"),
    pytest.param("stats", _rename("last_run", "last"), id="stats-last-run-renamed"),
    pytest.param("entities", _set(0, "mentions", value=2.5), id="entities-mentions-not-integer"),
    pytest.param("entities", _set(0, "type", value="PLANET"), id="entities-unknown-type"),
]


@pytest.mark.prefect
@pytest.mark.parametrize(("name", "mutate"), BROKEN)
def test_broken_output_fails_validation(cli_json, seed_index, name, mutate):
    real = {
        "search": lambda: cli_json("search", "gulags"),
        "show": lambda: cli_json("show", seed_004(seed_index), "--explain"),
        "run-report": lambda: as_printed(seed_index["report"]),
        "stats": lambda: cli_json("stats"),
        "entities": lambda: cli_json("entities"),
    }[name]()
    assert_valid(name, real)  # the real output passes: only the mutation can break it
    mutate(real)
    assert errors(name, real), f"{name} schema accepted a broken output"
