"""Re-indexing after a rule change: exactly the changed documents, predicted by the dry run, swapped safely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from newsdex.flows.options import IngestOptions, ReindexOptions
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import Manifest
from newsdex.reading.reader import get_document, open_index, search
from newsdex.tasks.clean.rules import load_rules
from newsdex.tasks.shipped import DEFAULT_RULES
from tests.conftest import SEEDS, enricher_failing

pytestmark = pytest.mark.prefect

# A user's new rule: drop one sentence that only seed 003 has (inserted first, so no other rule claims it).
NEW_RULE = """
[[line]]
name = "drop-peskov-line"
action = "remove"
regex = ['^Kremlin spokesman Dmitry Peskov on Thursday dismissed']

"""
SEED_003 = "003_74e64ee529b26e9e.txt"


def _rules_with_new_rule(tmp: Path) -> Path:
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    at = text.index("\n[[line]]") + 1
    path = tmp / "rules.toml"
    path.write_text(text[:at] + NEW_RULE.lstrip() + text[at:], encoding="utf-8")
    return path


@pytest.fixture()
def fresh_index(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow

    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    return {"index": index, "corpus": corpus, "tmp": tmp_path}


def _stored(index: Path) -> dict[str, dict]:
    ix = open_index(index)
    with ix.searcher() as s:
        return {f["id"]: f for f in s.all_stored_fields()}


def test_rule_change_reindexes_exactly_the_changed_documents(fresh_index):
    from newsdex.flows.reindex import reindex_flow

    index, corpus = fresh_index["index"], fresh_index["corpus"]
    rules = _rules_with_new_rule(fresh_index["tmp"])
    old_version, new_version = load_rules(DEFAULT_RULES).version, load_rules(rules).version
    assert old_version != new_version
    before = _stored(index)
    assert search(index, '"Kremlin spokesman Dmitry Peskov"')["total"] == 1

    dry = reindex_flow(ReindexOptions(index=str(index), rules=str(rules), dry_run=True))
    assert dry["changed"] == 1 and dry["unchanged"] == 4
    assert [c["path"].rsplit("/", 1)[-1] for c in dry["changes"]] == [SEED_003]
    predicted = dry["changes"][0]
    assert [line["text"][:40] for line in predicted["removed"]] == ["Kremlin spokesman Dmitry Peskov on Thurs"]
    assert predicted["restored"] == []
    assert _stored(index) == before  # a dry run writes nothing
    # Regression: --examples was accepted and ignored (the summary always kept 3 lines per rule).
    assert len(dry["summary"]["by_rule"]["drop-peskov-line"]["examples"]) == 1
    none = reindex_flow(ReindexOptions(index=str(index), rules=str(rules), dry_run=True, examples=0))
    none = none["summary"]["by_rule"]
    assert none["drop-peskov-line"] == {"removed": 1, "restored": 0, "examples": []}

    real = reindex_flow(ReindexOptions(index=str(index), rules=str(rules)))
    assert real["changed"] == dry["changed"] and real["unchanged"] == dry["unchanged"]
    after = _stored(index)
    changed = {i for i in after if after[i] != before[i]}
    assert changed == {predicted["id"]}
    assert after[predicted["id"]]["rules_version"] == new_version
    for doc_id in set(after) - changed:
        assert after[doc_id]["rules_version"] == old_version  # untouched index entry
    doc = get_document(index, predicted["id"])
    assert "Dmitry Peskov on Thursday" not in doc["body"]
    assert {"text": predicted["removed"][0]["text"], "rule": "drop-peskov-line"} in doc["removed"]
    assert search(index, '"Kremlin spokesman Dmitry Peskov"')["total"] == 0
    with Manifest(IndexPaths(index).manifest) as m:
        assert set(m.counts()["rules_versions"]) == {new_version}
    # Running it again changes nothing.
    again = reindex_flow(ReindexOptions(index=str(index), rules=str(rules)))
    assert again["changed"] == 0 and again["unchanged"] == 5
    assert str(corpus)  # inputs were never re-read: reindex works from the raw store


def test_reindex_needs_no_original_files(fresh_index):
    from newsdex.flows.reindex import reindex_flow

    shutil.rmtree(fresh_index["corpus"])
    rules = _rules_with_new_rule(fresh_index["tmp"])
    report = reindex_flow(ReindexOptions(index=str(fresh_index["index"]), rules=str(rules)))
    assert report["changed"] == 1 and not report["quarantined"]


def test_full_rebuild_is_swapped_in_under_an_open_reader(fresh_index):
    from newsdex.flows.reindex import reindex_flow

    index = fresh_index["index"]
    paths = IndexPaths(index)
    old_generation = paths.live_generation()
    reader = open_index(index).searcher()  # a search that started before the rebuild
    try:
        before_ids = sorted(f["id"] for f in reader.all_stored_fields())
        report = reindex_flow(ReindexOptions(index=str(index), full=True))
        assert report["changed"] == 5
        new_generation = paths.live_generation()
        assert new_generation != old_generation and whoosh_index.exists_in(new_generation)
        assert not old_generation.exists()  # dropped after the swap…
        assert sorted(f["id"] for f in reader.all_stored_fields()) == before_ids  # …but still readable
        assert reader.doc_count() == 5
    finally:
        reader.close()
    assert search(index, "gulags")["total"] == 1
    assert open_index(index).doc_count() == 5


def test_failed_full_rebuild_leaves_the_old_index(fresh_index, monkeypatch):
    from newsdex.flows import reindex as reindex_module

    index = fresh_index["index"]
    live = IndexPaths(index).live_generation()

    def broken(*args, **kwargs):
        raise RuntimeError("the rebuild blew up")

    from newsdex.flows.writer import ReindexWriter

    # A failure of the rebuild itself, while it adopts a batch into the new generation (a failure of one
    # document's stage is that document's quarantine since every stage isolates its documents).
    monkeypatch.setattr(ReindexWriter, "adopt", broken)
    with pytest.raises(RuntimeError):
        reindex_module.reindex_flow(ReindexOptions(index=str(index), full=True))
    assert IndexPaths(index).live_generation() == live
    assert [p for p in IndexPaths(index).gens.iterdir()] == [live]  # the half-built generation is gone
    assert search(index, "gulags")["total"] == 1


def test_a_full_rebuild_with_a_broken_model_fails_and_keeps_the_archive(fresh_index, monkeypatch):
    """Every document failing the same way is the model's failure, not five documents': the rebuild fails and
    the old generation stays, rather than an empty archive being swapped in (a regression)."""
    from newsdex.flows import reindex as reindex_module

    index = fresh_index["index"]
    live = IndexPaths(index).live_generation()
    enricher_failing(monkeypatch, lambda d: True)
    with pytest.raises(RuntimeError, match="the model cannot read this"):
        reindex_module.reindex_flow(ReindexOptions(index=str(index), full=True))
    assert IndexPaths(index).live_generation() == live
    assert search(index, "gulags")["total"] == 1 and open_index(index).doc_count() == 5


def test_a_document_the_enricher_fails_on_is_quarantined_by_a_full_rebuild(fresh_index, monkeypatch):
    """One document a stage fails on: listed with its reason and left out of the new generation; the rest are
    rebuilt (before: left out silently, neither reported nor listed)."""
    from newsdex.flows import reindex as reindex_module
    from newsdex.reading.archive import Archive

    index = fresh_index["index"]
    enricher_failing(monkeypatch, lambda d: "gulag" in d.model_dump_json().lower())
    report = reindex_module.reindex_flow(ReindexOptions(index=str(index), full=True))
    assert [q["reason"] for q in report["quarantined"]] == [
        "enriching failed: RuntimeError: the model cannot read this"
    ]
    assert report["quarantined"][0]["path"].endswith("000_f62cfa61a98d079d.txt")
    assert search(index, "gulags")["total"] == 0 and open_index(index).doc_count() == 4
    assert [q["reason"] for q in Archive(index).stats()["quarantined"]] == [report["quarantined"][0]["reason"]]


def test_changed_and_deleted_inputs_on_ingest(fresh_index):
    from newsdex.flows.ingest import ingest_flow

    index, corpus = fresh_index["index"], fresh_index["corpus"]
    target = corpus / "000_f62cfa61a98d079d.txt"
    target.write_text(
        target.read_text()
        + (
            "\n\nIn an update on Friday, the editors added that several witnesses said they had seen zeppelins "
            "flying low over the border near the frontline.\n"
        )
    )
    (corpus / "004_c660a855ca50e628.txt").unlink()
    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index), prune=True))
    assert (report["new"], report["changed"], report["unchanged"], report["removed"]) == (0, 1, 3, 1)
    assert report["documents"] == 4
    assert search(index, "zeppelins")["total"] == 1
    assert search(index, "Budanov")["total"] == 0  # only seed 004 named him
    assert open_index(index).doc_count() == 4


def test_renamed_rule_updates_explanations_without_reindexing(fresh_index):
    from newsdex.flows.reindex import reindex_flow

    index = fresh_index["index"]
    rules = fresh_index["tmp"] / "renamed.toml"
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    assert 'name = "source-link"' in text
    rules.write_text(text.replace('name = "source-link"', 'name = "source-footer"'), encoding="utf-8")
    before = _stored(index)
    report = reindex_flow(ReindexOptions(index=str(index), rules=str(rules)))
    assert report["changed"] == 0 and report["unchanged"] == 5
    assert _stored(index) == before  # the index is untouched…
    doc = get_document(index, str(fresh_index["corpus"] / "004_c660a855ca50e628.txt"))
    assert {"text": "Source link", "rule": "source-footer"} in doc["removed"]  # …and --explain is current


def test_a_failure_after_the_swap_keeps_the_new_generation(fresh_index, monkeypatch):
    """Regression: an error after a full rebuild's swap (recording its manifest rows) made the flow abort the
    rebuild, deleting the generation that was live by then. Now it stays, and the next writer applies the staged
    rows."""
    from newsdex.flows import reindex as reindex_module
    from newsdex.index.manifest import Manifest as ManifestClass

    index = fresh_index["index"]
    before = IndexPaths(index).live_generation()

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full while recording the rebuild")

    monkeypatch.setattr(ManifestClass, "apply_staged", broken)
    with pytest.raises(RuntimeError):
        reindex_module.reindex_flow(ReindexOptions(index=str(index), full=True))
    live = IndexPaths(index).live_generation()
    assert live is not None and live != before and live.is_dir()  # swapped in, not deleted
    monkeypatch.undo()
    assert search(index, "gulags")["total"] == 1
    # A writer's session applies the staged rows (not a dry run: that one writes nothing).
    reindex_module.reindex_flow(ReindexOptions(index=str(index)))
    with Manifest(IndexPaths(index).manifest) as m:
        assert m.counts()["documents"] == 5
        assert m.conn.execute("SELECT COUNT(*) FROM staged").fetchone()[0] == 0
