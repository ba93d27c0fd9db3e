"""Hostile queries and human output through the real `newsdex` command (issue 14): every query exits 0 or 1,
never 2, an error is exactly one line on stderr; human output fits the terminal; a quarantined input says why."""

from __future__ import annotations

import json
import re

import pytest

from newsdex.models import document_id
from newsdex.reading.query import MAX_NESTING, MAX_QUERY_CHARS
from tests.conftest import run_cli

pytestmark = pytest.mark.prefect

NO_COLUMNS = {"COLUMNS": ""}  # as when $COLUMNS is unset: the width of a pipe is the default, 80


def _one_line_error(proc) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout[:300], proc.stderr[:300])
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsdex "), proc.stderr[:500]
    return lines[0]


@pytest.mark.parametrize(
    "query, why",
    [
        ("(" * 2500 + "korea" + ")" * 2500, "too long"),  # was RecursionError, exit 2
        ("(" * (MAX_NESTING + 1) + "korea", "nested too deeply"),
        ("korea " * 834, "too long"),  # 5,004 characters
        ("NOT NOT korea", "cannot parse"),  # was IndexError, exit 2
        ("published:[2025 TO abc]", "date range"),  # was Exception, exit 2
        ("korea^" + "9" * 400, "boost"),  # was an infinite score (Infinity in the JSON)
        ("a*" * 200, "wildcards"),  # was a second of regex backtracking on five documents
        ("*?*", "cannot start with"),  # was every posting of the index read, five times
        ("", "empty query"),  # was every document, silently
        ("   ", "empty query"),
        ("caf\udcff", "UTF-8"),  # an argument whose bytes were not UTF-8
    ],
    ids=[
        "2500-parens",
        "nesting-limit",
        "5000-chars",
        "not-not",
        "bad-date-range",
        "huge-boost",
        "wildcards",
        "leading-wildcard",
        "empty",
        "blank",
        "undecodable",
    ],
)
def test_bad_queries_exit_1_with_one_line(seed_index, query, why):
    for extra in ([], ["--json"]):
        line = _one_line_error(run_cli("search", query, *extra, "--index", str(seed_index["index"])))
        assert why in line and len(line) < 200  # the query itself is never echoed whole


@pytest.mark.parametrize(
    "query",
    [
        "nosuchfield:x",
        "korea nosuchfield:x",
        "raw_hash:x",
        "a:b:c",
        '"unbalanced',
        "(korea",
        "korea)",
        "AND",
        "NOT",
        "OR",
        "*",
        "korea *",
        "title:*",
        "kor*",
        "ko?ea",
        "title:",
        "field:",
        ":",
        '"',
        "()",
        "korea^x",
        "x~99",
        "title:[ TO ]",
        'published:"2025"',
        "корея 北朝鮮 😀 e\u0301",
        "ko\x01rea\x1b[2J\x07",
        "(" * MAX_NESTING + "korea" + ")" * MAX_NESTING,
        "k" * MAX_QUERY_CHARS,
    ],
)
def test_odd_queries_exit_0(seed_index, query):
    proc = run_cli("search", query, "--json", "--index", str(seed_index["index"]))
    assert proc.returncode == 0 and proc.stderr == "", (query, proc.stderr)
    result = json.loads(proc.stdout)
    assert result["query"] == query
    proc = run_cli("search", query, "--index", str(seed_index["index"]), env=NO_COLUMNS)
    assert proc.returncode == 0 and proc.stderr == "", (query, proc.stderr)
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout  # never drives the terminal
    assert all(len(line) <= 80 for line in proc.stdout.splitlines())


def test_unknown_field_matches_nothing(seed_index):
    index = str(seed_index["index"])

    def total(query: str) -> int:
        proc = run_cli("search", query, "--json", "--index", index)
        assert proc.returncode == 0, proc.stderr  # was exit 2: a TypeError in the spelling suggestion
        return json.loads(proc.stdout)["total"]

    assert total("korea") == 5
    assert total("nosuchfield:korea") == 0 and total("korea nosuchfield:x") == 0
    assert total("korea OR nosuchfield:x") == 5
    assert total("10:30 OR korea") == 5  # a number before a colon is not a field


def test_all_lists_everything_and_takes_no_query(seed_index):
    index = str(seed_index["index"])
    proc = run_cli("search", "--all", "--json", "--index", index)
    assert proc.returncode == 0 and json.loads(proc.stdout)["total"] == 5
    assert json.loads(run_cli("search", "*", "--json", "--index", index).stdout)["total"] == 5
    assert "not both" in _one_line_error(run_cli("search", "korea", "--all", "--index", index))
    assert "--all" in _one_line_error(run_cli("search", "--index", index))


def test_spelling_suggestion_survives_odd_words(seed_index):
    index = str(seed_index["index"])
    cases = [
        ("gulagz", "gulags"),
        ('"kursk regoin"', '"kursk region"'),
        ("title:gulagz", "title:gulags"),
        ("nosuchfield:gulagz", None),
        ("ko\x01rea\x1b[2J", None),
    ]
    for query, expected in cases:
        proc = run_cli("search", query, "--json", "--index", index)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["suggestion"] == expected, query
    # A suggestion that would find nothing ("North-Koreen troops": no document has "koreen") is not offered.
    proc = run_cli("search", "North-Koreen troopz", "--index", index)
    assert proc.returncode == 0 and "did you mean: North-Koreen troops" not in proc.stdout
    shown = re.search(r"did you mean: .* \((\d+) hits?\)", proc.stdout)
    assert "did you mean" not in proc.stdout or (shown and int(shown.group(1)) > 0), proc.stdout


@pytest.mark.parametrize("columns", [40, 80, 132])
def test_human_search_is_wrapped_to_the_terminal(seed_index, columns):
    proc = run_cli(
        "search", "troops", "--limit", "5", "--index", str(seed_index["index"]), env={"COLUMNS": str(columns)}
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(map(len, lines)) <= columns
    assert max(map(len, lines)) > columns - 15  # filled, not just cut short
    assert "[troops]" in proc.stdout  # highlights survive the wrapping


def test_human_search_defaults_to_80_columns_when_not_a_terminal(seed_index):
    proc = run_cli("search", "troops", "--index", str(seed_index["index"]), env=NO_COLUMNS)
    assert proc.returncode == 0 and max(map(len, proc.stdout.splitlines())) <= 80  # was 300-470


def test_long_query_is_shortened_in_the_header(seed_index):
    query = " ".join(["korea"] * 160)  # 959 characters, within the limit
    proc = run_cli("search", query, "--index", str(seed_index["index"]), env=NO_COLUMNS)
    assert proc.returncode == 0, proc.stderr
    header = proc.stdout.splitlines()[0]
    assert header.startswith("5 hits for 'korea korea") and "…" in header and len(header) <= 80
    assert query not in proc.stdout


def test_human_show_is_wrapped(seed_index):
    seed4 = str(seed_index["corpus"] / "seeds" / "004_c660a855ca50e628.txt")
    proc = run_cli("show", seed4, "--explain", "--index", str(seed_index["index"]), env={"COLUMNS": "50"})
    assert proc.returncode == 0, proc.stderr
    assert max(map(len, proc.stdout.splitlines())) <= 50 and "Source link" in proc.stdout


def test_show_of_a_quarantined_input_says_why(seed_index):
    index = str(seed_index["index"])
    empty = seed_index["corpus"] / "bad" / "empty.txt"
    ident = document_id(str(empty))
    for ref in (str(empty), ident, ident[:10]):
        for extra in ([], ["--json"]):
            line = _one_line_error(run_cli("show", ref, *extra, "--index", index))
            assert "empty.txt" in line and "quarantined" in line and "empty file" in line, line
    line = _one_line_error(run_cli("show", str(seed_index["corpus"] / "bad" / "nothere.txt"), "--index", index))
    assert "no document" in line
