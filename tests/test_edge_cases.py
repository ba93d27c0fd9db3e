"""Regression tests for edge cases found in review: duplicate spellings, pruning from another folder,
inputs that turn bad, quarantine during reindex, date sorting, snippet escaping, CLI argument order."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from newsdex.flows.options import IngestOptions, ReindexOptions
from newsdex.index.layout import IndexPaths, writer_lock
from newsdex.index.rawstore import raw_path
from newsdex.reading.reader import open_index, search, stats
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.prefect


@pytest.fixture()
def corpus(prefect_harness, tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def test_one_file_under_two_spellings_is_one_document(corpus, tmp_path, monkeypatch):
    from newsdex.flows.ingest import ingest_flow

    monkeypatch.chdir(corpus.parent)
    index = tmp_path / "index"
    paths = ["seeds/000_f62cfa61a98d079d.txt", "./seeds/000_f62cfa61a98d079d.txt", "seeds"]
    report = ingest_flow(IngestOptions(paths=paths, index=str(index)))
    assert report["new"] == 5 and report["documents"] == 5
    assert open_index(index).doc_count() == 5


def test_prune_from_another_folder_keeps_relative_inputs_that_exist(corpus, tmp_path, monkeypatch):
    from newsdex.flows.ingest import ingest_flow

    index = tmp_path / "index"
    monkeypatch.chdir(corpus.parent)
    ingest_flow(IngestOptions(paths=["seeds"], index=str(index)))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "note.txt").write_text(
        "A note\n\nThis short note about the weather in the mountains was written for the pruning test and it "
        "is long enough to count as an article paragraph for the cleaner.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(elsewhere)
    report = ingest_flow(IngestOptions(paths=["note.txt"], index=str(index), prune=True))
    assert report["removed"] == 0 and report["documents"] == 6
    os.remove(corpus / "004_c660a855ca50e628.txt")
    report = ingest_flow(IngestOptions(paths=["note.txt"], index=str(index), prune=True))
    assert report["removed"] == 1 and report["documents"] == 5


def test_input_that_turns_bad_leaves_search_and_is_listed(corpus, tmp_path):
    from newsdex.flows.ingest import ingest_flow

    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    assert search(index, "gulags")["total"] == 1
    (corpus / "000_f62cfa61a98d079d.txt").write_bytes(b"")
    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    assert [q["reason"] for q in report["quarantined"]] == ["empty file"]
    assert search(index, "gulags")["total"] == 0
    s = stats(index)
    assert s["documents"] == 4 and s["index_documents"] == 4 and len(s["quarantined"]) == 1


def test_reindex_quarantine_is_listed_in_stats(corpus, tmp_path):
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.reindex import reindex_flow

    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    hit = search(index, "gulags")["hits"][0]
    from newsdex.index.manifest import Manifest

    with Manifest(IndexPaths(index).manifest) as m:
        digest = m.states_for([hit["id"]])[hit["id"]]["raw_hash"]
    raw_path(IndexPaths(index).raw, digest).unlink()
    dry = reindex_flow(ReindexOptions(index=str(index), dry_run=True))
    report = reindex_flow(ReindexOptions(index=str(index)))
    assert dry["documents"] == report["documents"] == 4
    assert [q["reason"] for q in stats(index)["quarantined"]] == ["raw input missing from the raw store"]
    assert search(index, "gulags")["total"] == 0


def test_sort_newest_puts_dated_documents_first(corpus, tmp_path):
    from newsdex.flows.ingest import ingest_flow

    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    for order in ("newest", "oldest"):
        hits = search(index, "troops", sort=order)["hits"]
        assert hits[0]["published"] == "2025-01-21", order


def test_snippets_escape_the_text_around_highlights(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow

    doc = tmp_path / "markup.txt"
    doc.write_text(
        "Markup in prose\n\nThe engineers wrote that x < y & <b>bold</b> claims about zeppelins should never be "
        "rendered as markup by any search front end that shows this paragraph to its readers.\n",
        encoding="utf-8",
    )
    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(doc)], index=str(index)))
    snippet = search(index, "zeppelins")["hits"][0]["snippet"]
    assert "<b>zeppelins</b>" in snippet and "&lt;b&gt;bold&lt;/b&gt;" in snippet and "x &lt; y &amp;" in snippet


def test_cli_options_before_the_command_and_empty_show_id(seed_index):
    proc = run_cli("--index", str(seed_index["index"]), "stats", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["documents"] == 5
    proc = run_cli("show", "", "--index", str(seed_index["index"]))
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1


def test_busy_index_gives_one_line_for_reindex_too(seed_index):
    with writer_lock(IndexPaths(seed_index["index"])):
        proc = run_cli("reindex", "--dry-run", "--index", str(seed_index["index"]))
    assert proc.returncode == 1, proc.stderr
    assert "another newsdex writer" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_prune_removes_whoosh_entries_the_manifest_never_recorded(corpus, tmp_path):
    """A run killed between the Whoosh commit and the manifest write, whose input is then deleted."""
    from newsdex.flows.ingest import ingest_flow
    from newsdex.index.writer import apply_changes, indexed_ids
    from newsdex.models import EnrichedDoc

    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    ghost = EnrichedDoc(
        id="0123456789abcdef", path=str(tmp_path / "gone.txt"), kind="text", raw_hash="h", title="Ghost of a killed run"
    )
    apply_changes(IndexPaths(index), [ghost])  # in Whoosh only, as after a kill -9 between the two writes
    assert "0123456789abcdef" in indexed_ids(IndexPaths(index))
    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index), prune=True))
    assert report["removed"] == 1
    assert indexed_ids(IndexPaths(index)) == {h["id"] for h in search(index, "*", limit=10)["hits"]}
    assert open_index(index).doc_count() == 5
