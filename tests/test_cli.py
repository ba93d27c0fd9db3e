"""The `newsdex` command as a user runs it: real processes, JSON contract, exit codes, fast read path."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.prefect


def test_search_json_contract(seed_index):
    proc = run_cli("search", "gulags", "--json", "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # nothing else on stdout
    assert result["query"] == "gulags" and result["total"] >= 1
    assert result["hits"][0]["path"].endswith("000_f62cfa61a98d079d.txt")
    assert set(result["facets"]) >= {"PERSON", "ORG", "LOC"}


def test_search_human_output_and_phrase(seed_index):
    proc = run_cli("search", '"Kursk region"', "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())  # the phrase is one highlight, though a line may break inside it
    assert "hit" in proc.stdout and "[Kursk region]" in text and "[regions]" not in text


def test_no_hits_is_success_and_entity_alias_filter(seed_index):
    proc = run_cli("search", "Advertisement", "--json", "--index", str(seed_index["index"]))
    assert proc.returncode == 0 and json.loads(proc.stdout)["total"] == 0
    proc = run_cli(
        "search",
        "troops",
        "--entity",
        "PERSON:Kim Jong-un",
        "--json",
        "--limit",
        "20",
        "--index",
        str(seed_index["index"]),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 5


def test_show_json_and_explain(seed_index):
    seed4 = str(seed_index["corpus"] / "seeds" / "004_c660a855ca50e628.txt")
    proc = run_cli("show", seed4, "--json", "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) >= {
        "id",
        "title",
        "path",
        "url",
        "source",
        "byline",
        "published",
        "rules_version",
        "body",
        "segments",
        "entities",
        "removed",
    }
    removed = {r["text"]: r["rule"] for r in doc["removed"]}
    assert removed["Source link"] and removed["Leave a Reply"]
    proc = run_cli("show", doc["id"][:8], "--explain", "--index", str(seed_index["index"]))
    assert proc.returncode == 0 and "Source link" in proc.stdout


def test_stats_json(seed_index):
    proc = run_cli("stats", "--json", "--index", str(seed_index["index"]))
    stats = json.loads(proc.stdout)
    assert stats["documents"] == 5 and stats["rules_version"] and stats["last_run"]


@pytest.mark.parametrize(
    "args",
    [
        ["search"],
        ["search", "x", "--limit", "0"],
        ["show", "nope"],
        ["frobnicate"],
        ["search", "x", "--since", "yesterday"],
        ["search", "x", "--entity", "nonsense"],
        ["search", "x", "--offset", "-1"],
    ],
)
def test_bad_usage_exits_1_with_one_line(seed_index, args):
    proc = run_cli(*args, "--index", str(seed_index["index"]))
    assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""


def test_read_only_commands_never_import_the_heavy_stack(seed_index):
    code = (
        "import sys; from newsdex.search_cli.main import main\n"
        f"for argv in (['search', 'troops', '--json', '--index', {str(seed_index['index'])!r}],"
        f" ['show', 'x', '--index', {str(seed_index['index'])!r}], ['stats', '--index', {str(seed_index['index'])!r}],"
        f" ['entities', '--index', {str(seed_index['index'])!r}]):\n"
        "    main(argv)\n"
        "heavy = [m for m in ('prefect', 'trafilatura', 'spacy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    import subprocess

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_missing_index_is_a_usage_error(tmp_path):
    proc = run_cli("search", "x", "--index", str(tmp_path / "none"))
    assert proc.returncode == 1 and "newsdex ingest" in proc.stderr
