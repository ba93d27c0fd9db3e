"""`newsdex export`: JSON Lines that round-trip to `show --json`, CSV, Parquet, filters, bounded memory."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from newsdex.index.manifest import open_readonly
from newsdex.models import show_json
from newsdex.reading.export import chunked, csv_row, write_csv
from newsdex.reading.reader import export_chunks, export_documents
from tests.conftest import run_cli

SHOW_SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "schemas" / "show.schema.json"


def _export(index: Path, *args: str) -> list[dict]:
    proc = run_cli("export", *args, "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("newsdex export: ") and proc.stderr.count("\n") == 1  # the one-line summary
    return [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def exported(seed_index) -> list[dict]:
    return _export(seed_index["index"])


def test_jsonl_round_trips_to_show(seed_index, exported) -> None:
    index = str(seed_index["index"])
    validator = Draft202012Validator(json.loads(SHOW_SCHEMA.read_text(encoding="utf-8")))
    stats = run_cli("stats", "--json", "--index", index)
    assert len(exported) == json.loads(stats.stdout)["documents"] > 0
    assert [d["id"] for d in exported] == sorted(d["id"] for d in exported)  # everything: in id order
    for doc in exported:
        assert not list(validator.iter_errors(doc))
        show = run_cli("show", doc["id"], "--json", "--index", index)
        assert show.returncode == 0, show.stderr
        assert json.loads(show.stdout) == doc


def test_query_and_filters_export_what_search_finds(seed_index, exported) -> None:
    index = str(seed_index["index"])
    for filters in (["--since", "2025-01"], ["--entity", "PERSON:Mark Rutte"], ["--lang", "en"]):
        docs = _export(seed_index["index"], "troops", *filters)
        search = run_cli("search", "troops", *filters, "--json", "--limit", "1000", "--all-copies", "--index", index)
        assert search.returncode == 0, search.stderr
        assert {d["id"] for d in docs} == {h["id"] for h in json.loads(search.stdout)["hits"]}
        if filters[0] != "--lang":  # these narrow the seeds down: the filter is applied, not ignored
            assert 0 < len(docs) < len(exported)
    assert _export(seed_index["index"], "nosuchwordanywhere") == []


def test_csv_parses_back(seed_index, exported, tmp_path) -> None:
    out = tmp_path / "docs.csv"
    proc = run_cli("export", "--format", "csv", "--output", str(out), "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "docs.csv.partial").exists()
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [d["id"] for d in exported]
    for row, doc in zip(rows, exported, strict=True):
        assert row["body"] == doc["body"] and row["title"] == (doc["title"] or "")
        assert json.loads(row["segments"]) == doc["segments"]
        people = {e["name"] for e in doc["entities"] if e["type"] == "PERSON"}
        assert set(filter(None, row["person"].split("; "))) == people


def test_csv_survives_newlines_quotes_and_commas() -> None:
    doc = {
        "id": "x1",
        "title": 'A "quoted", title',
        "url": None,
        "path": "in/a,b.txt",
        "source": None,
        "published": "2025-01-02",
        "language": "en",
        "byline": "By A, B\nand C",
        "rules_version": "r1",
        "copy_of": None,
        "copies": ["c1", "c2"],
        "body": 'Line one, "two"\n\nLine\r\nthree',
        "segments": [{"kind": "paragraph", "text": 'a "b",\nc'}],
        "entities": [
            {"name": "Kim Jong Un", "type": "PERSON", "mentions": ["Kim"], "count": 2},
            {"name": "Kim Jong Un", "type": "PERSON", "mentions": ["Kim Jong-un"], "count": 1},
            {"name": "Seoul", "type": "LOC", "mentions": ["Seoul"], "count": 1},
        ],
    }
    buf = io.StringIO(newline="")
    assert write_csv([doc, doc], buf) == 2
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert rows == [csv_row(doc)] * 2
    assert rows[0]["body"] == doc["body"] and rows[0]["byline"] == doc["byline"] and rows[0]["url"] == ""
    assert rows[0]["person"] == "Kim Jong Un" and rows[0]["loc"] == "Seoul" and rows[0]["copies"] == "c1 c2"


def test_parquet_reads_back(seed_index, exported, tmp_path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "docs.parquet"
    proc = run_cli("export", "--format", "parquet", "-o", str(out), "--index", str(seed_index["index"]))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "docs.parquet.partial").exists()
    rows = pq.read_table(out).to_pylist()
    assert [r["id"] for r in rows] == [d["id"] for d in exported]
    assert [r["body"] for r in rows] == [d["body"] for d in exported]
    assert [r["segments"] for r in rows] == [d["segments"] for d in exported]
    assert [r["entities"] for r in rows] == [d["entities"] for d in exported]
    assert [r["copies"] for r in rows] == [d["copies"] for d in exported]


def test_output_file_equals_stdout_and_leaves_no_partial(seed_index, tmp_path) -> None:
    index = str(seed_index["index"])
    out = tmp_path / "docs.jsonl"
    proc = run_cli("export", "--json", "--output", str(out), "--index", index)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and str(out) in proc.stderr
    assert out.read_text(encoding="utf-8") == run_cli("export", "--index", index).stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs.jsonl"]


def test_usage_errors(seed_index, tmp_path) -> None:
    index = str(seed_index["index"])
    cases = [
        (["--index", str(tmp_path / "none")], "no index"),
        (["NOT NOT x", "--index", index], "query"),
        (["--format", "parquet", "--index", index], "--output"),
        (["--json", "--format", "csv", "--index", index], "--format"),
        (["--entity", "Kim", "--index", index], "TYPE:NAME"),
        (["--output", str(tmp_path / "no" / "such" / "f.jsonl"), "--index", index], "--output"),
    ]
    for args, said in cases:
        proc = run_cli("export", *args)
        assert proc.returncode == 1, (args, proc.stderr)
        assert proc.stdout == "" and proc.stderr.count("\n") == 1 and said in proc.stderr, proc.stderr
    assert run_cli("search", "NOT NOT x", "--index", index).returncode == 1  # the same code as search's
    assert list(tmp_path.iterdir()) == []  # no file, no .partial


def test_parquet_without_pyarrow_names_the_extra(seed_index, tmp_path) -> None:
    blocker = tmp_path / "blocked" / "pyarrow"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('pyarrow is blocked for this test')\n")
    path = os.pathsep.join(filter(None, [str(blocker.parent), os.environ.get("PYTHONPATH")]))
    out = tmp_path / "docs.parquet"
    proc = run_cli(
        "export", "--format", "parquet", "-o", str(out), "--index", str(seed_index["index"]), env={"PYTHONPATH": path}
    )
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "pip install 'newsdex[parquet]'" in proc.stderr
    assert not out.exists() and not out.with_name("docs.parquet.partial").exists()


def test_cli_imports_no_prefect_spacy_or_trafilatura(seed_index) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "newsdex.search_cli",
            "export",
            "--format",
            "csv",
            "--entity",
            "PERSON:Kim Jong-un",
            "--index",
            str(seed_index["index"]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    heavy = [line for line in proc.stderr.splitlines() if any(m in line for m in ("prefect", "spacy", "trafilatura"))]
    assert heavy == []


def test_chunked_reads_its_input_lazily() -> None:
    taken: list[int] = []

    def source() -> Iterator[int]:
        for i in range(7):
            taken.append(i)
            yield i

    parts = chunked(source(), 3)
    assert next(parts) == [0, 1, 2] and taken == [0, 1, 2]  # one chunk read, nothing more
    assert list(parts) == [[3, 4, 5], [6]]
    with pytest.raises(ValueError):
        next(chunked([1], 0))


def test_library_yields_a_chunk_at_a_time(seed_index, exported) -> None:
    root = seed_index["index"]
    chunks = export_chunks(root, chunk=2)
    first = next(chunks)  # read before the rest of the manifest is
    assert [d["id"] for d in first] == [d["id"] for d in exported[:2]]
    rest = list(chunks)
    assert all(0 < len(c) <= 2 for c in rest)
    assert [d["id"] for c in [first, *rest] for d in c] == [d["id"] for d in exported]
    docs = export_documents(root, "troops", since="2025-01")
    assert next(docs)["id"] in {d["id"] for d in exported}
    docs.close()  # a consumer that stops early closes the manifest with the generator


def test_show_json_names_copies(seed_index, exported) -> None:
    manifest = open_readonly(seed_index["index"] / "manifest.sqlite")
    assert manifest is not None
    with manifest:
        doc = manifest.get(exported[1]["id"])
    assert doc is not None
    rep, other = exported[0]["id"], exported[2]["id"]
    assert show_json(doc, [])["copies"] == [] and show_json(doc, [])["copy_of"] is None
    as_copy = show_json(doc, [rep, doc.id, other])
    assert as_copy["copy_of"] == rep and as_copy["copies"] == [rep, other]
    as_rep = show_json(doc, [doc.id, other])
    assert as_rep["copy_of"] is None and as_rep["copies"] == [other]
    assert show_json(doc, []) == exported[1]  # what export wrote for it (it has no copies)
