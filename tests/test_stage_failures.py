"""A stage that fails on a document during ingest: that document is quarantined with its reason and the rest
indexed; a stage that fails on every document the same way (a broken model) fails the run, writing nothing, and
the next run, once it is mended, indexes everything (flows/batch.py ``isolated``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdex.flows.batch import ALIKE, isolated
from newsdex.flows.options import IngestOptions
from newsdex.models import RawDoc
from newsdex.reading.archive import Archive
from newsdex.reading.reader import search
from tests.conftest import SEEDS, enricher_failing


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    return corpus


@pytest.mark.prefect
def test_a_document_the_enricher_fails_on_is_quarantined_and_the_rest_indexed(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdex.flows.ingest import ingest_flow

    corpus, index = _corpus(tmp_path), tmp_path / "index"
    enricher_failing(monkeypatch, lambda d: "gulag" in d.model_dump_json().lower())
    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    assert [(q["path"], q["reason"]) for q in report["quarantined"]] == [
        (str(corpus / "000_f62cfa61a98d079d.txt"), "enriching failed: RuntimeError: the model cannot read this")
    ]
    assert report["documents"] == 4 and search(index, "gulags")["total"] == 0
    assert len(Archive(index).stats()["quarantined"]) == 1


@pytest.mark.prefect
def test_a_broken_model_fails_the_run_and_the_next_run_indexes_everything(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdex.flows.ingest import ingest_flow

    corpus, index = _corpus(tmp_path), tmp_path / "index"
    enricher_failing(monkeypatch, lambda d: True)
    with pytest.raises(RuntimeError, match="the model cannot read this"):
        ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    monkeypatch.undo()  # the model mended
    report = ingest_flow(IngestOptions(paths=[str(corpus)], index=str(index)))
    assert report["documents"] == 5 and report["quarantined"] == []
    assert search(index, "gulags")["total"] == 1


def _docs(n: int) -> list[RawDoc]:
    return [RawDoc(id=f"d{i}", path=f"d{i}.txt", kind="text", text="x", raw_hash=str(i)) for i in range(n)]


def _fails(docs: list[RawDoc]) -> list[RawDoc]:
    raise ValueError("bad record")


def test_two_documents_failing_alike_are_theirs_and_quarantined() -> None:
    quarantined: list = []
    assert isolated(_fails, _docs(2), "segmenting", quarantined) == []
    assert [(i, q.reason) for i, q in quarantined] == [
        ("d0", "segmenting failed: ValueError: bad record"),
        ("d1", "segmenting failed: ValueError: bad record"),
    ]


def test_three_documents_failing_alike_stop_the_batch() -> None:
    with pytest.raises(ValueError, match="bad record"):
        isolated(_fails, _docs(ALIKE), "segmenting", [])

    def no_space(docs: list[RawDoc]) -> list[RawDoc]:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        isolated(no_space, _docs(5), "indexing", [])


def test_one_documents_memory_error_is_that_documents() -> None:
    def too_big(docs: list[RawDoc]) -> list[RawDoc]:
        if any(d.id == "d1" for d in docs):
            raise MemoryError
        return docs

    quarantined: list = []
    assert [d.id for d in isolated(too_big, _docs(4), "enriching", quarantined)] == ["d0", "d2", "d3"]
    assert [(i, q.reason) for i, q in quarantined] == [("d1", "enriching failed: MemoryError: MemoryError")]
