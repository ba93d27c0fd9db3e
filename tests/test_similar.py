"""``newsdex similar``: articles about the same thing as one article, not its copies, each with a reason.

The archive: the five seeds (five stories about North Korean troops in Russia's war on Ukraine), an exact copy
of seed 000 under another name, and unrelated articles from the corpus generator (tests/data/articles only, no
seed text), ingested once by the real flow.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdex.flows.options import IngestOptions
from newsdex.models import document_id
from newsdex.reading.reader import similar
from newsdex.reading.similar import body_terms
from tests.conftest import ARTICLES, SEEDS, run_cli
from tests.test_contract import assert_valid

SEED_000 = "000_f62cfa61a98d079d.txt"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
GENERATED = 20


@pytest.fixture(scope="module")
def archive(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from newsdex.flows.ingest import ingest_flow
    from tools.corpus import generate_corpus

    work = tmp_path_factory.mktemp("similar")
    inputs = work / "inputs"
    shutil.copytree(SEEDS, inputs / "seeds")
    (inputs / "copy").mkdir()
    shutil.copy(SEEDS / SEED_000, inputs / "copy" / "republished.txt")
    # seeds= a folder without seeds: the generated documents are slices of the unrelated articles only.
    generate_corpus(inputs / "generated", GENERATED, seed=7, extraction=ARTICLES, seeds=work / "no-seeds")
    index = work / "index"
    report = ingest_flow(IngestOptions(paths=[str(inputs)], index=str(index)))
    assert report["documents"] >= 5 + 1 + GENERATED - 2, report["quarantined"]  # a generated page may be empty
    seeds = {name: document_id(str(inputs / "seeds" / name)) for name in SEED_NAMES}
    return {
        "index": index,
        "inputs": inputs,
        "seeds": seeds,
        "copy": document_id(str(inputs / "copy" / "republished.txt")),
    }


def _bodies(index: Path, ids: list[str]) -> dict[str, str]:
    from newsdex.index.manifest import open_readonly

    manifest = open_readonly(index / "manifest.sqlite")
    assert manifest is not None
    with manifest:
        return manifest.bodies(ids)


def test_the_other_seeds_rank_above_unrelated_articles(archive):
    seeds = archive["seeds"]
    result = similar(archive["index"], seeds[SEED_000], limit=30)
    assert result is not None and result["id"] == seeds[SEED_000]
    ids = [hit["id"] for hit in result["hits"]]
    others = {seeds[name] for name in SEED_NAMES if name != SEED_000}
    assert others <= set(ids), result["hits"]
    assert set(ids[: len(others)]) == others  # every other seed before any generated document
    assert result["terms"] and all(not re.fullmatch(r"\d+", t) and len(t) > 2 for t in result["terms"])


def test_the_document_and_its_copies_never_appear(archive):
    seeds = archive["seeds"]
    for ref, twin in ((seeds[SEED_000], archive["copy"]), (archive["copy"], seeds[SEED_000])):
        result = similar(archive["index"], ref, limit=50)
        assert result is not None
        ids = [hit["id"] for hit in result["hits"]]
        assert ref not in ids and twin not in ids
        assert result["copies"] == [twin]
        assert len(ids) == len(set(ids))


def test_the_reason_names_what_both_bodies_really_hold(archive):
    index, seeds = archive["index"], archive["seeds"]
    result = similar(index, seeds[SEED_000], limit=4)
    assert result is not None and result["hits"]
    bodies = _bodies(index, [seeds[SEED_000], *(hit["id"] for hit in result["hits"])])
    from newsdex.reading.reader import open_index

    analyzer = open_index(index).schema["body"].analyzer
    source_stems = set(body_terms(analyzer, bodies[seeds[SEED_000]])[0])
    for hit in result["hits"]:
        assert hit["reason"] == "shared: " + ", ".join(hit["shared"]) and 1 <= len(hit["shared"]) <= 6
        names = {n for names in hit["entities"].values() for n in names}
        for item in hit["shared"]:
            if item in names:  # a shared entity: both documents carry it
                assert item in {n for ns in result["entities"].values() for n in ns}
            else:  # a shared word: its stem is in both bodies
                stem = next(iter(body_terms(analyzer, item)[0]))
                assert stem in source_stems and stem in set(body_terms(analyzer, bodies[hit["id"]])[0]), item
    # The seeds share names such as Kim Jong Un, Ukraine or Kursk: at least one hit names one.
    assert any(set(hit["shared"]) & {n for ns in hit["entities"].values() for n in ns} for hit in result["hits"])


def test_ids_prefixes_and_paths_resolve_and_unknown_ids_do_not(archive):
    index, seeds = archive["index"], archive["seeds"]
    full = similar(index, seeds[SEED_000], limit=3)
    assert similar(index, seeds[SEED_000][:8], limit=3) == full
    assert similar(index, str(archive["inputs"] / "seeds" / SEED_000), limit=3) == full
    assert similar(index, "ffffffffffffffff") is None


def test_cli_json_validates_and_errors_are_one_line(archive):
    index, seeds = str(archive["index"]), archive["seeds"]
    proc = run_cli("similar", seeds[SEED_000], "--index", index, "--limit", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
    result = json.loads(proc.stdout)
    assert_valid("similar", result)
    assert len(result["hits"]) == 3
    broken = dict(result, hits=[{k: v for k, v in result["hits"][0].items() if k != "reason"}])
    with pytest.raises(AssertionError):
        assert_valid("similar", broken)

    human = run_cli("similar", seeds[SEED_000], "--index", index, "--limit", "2")
    assert human.returncode == 0 and "shared: " in human.stdout, human.stderr

    missing = run_cli("similar", "ffffffffffffffff", "--index", index)
    assert missing.returncode == 1 and missing.stdout == "" and missing.stderr.count("\n") == 1
    assert "no document" in missing.stderr
    nowhere = run_cli("similar", "abc", "--index", str(archive["inputs"] / "no-index"))
    assert nowhere.returncode == 1 and nowhere.stderr.count("\n") == 1


def test_the_cli_path_imports_neither_prefect_spacy_nor_trafilatura(archive):
    # Nor pydantic: the read path imports only Whoosh and SQLite (the models only to read an input path).
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "newsdex.search_cli",
            "similar",
            archive["seeds"][SEED_000],
            "--index",
            str(archive["index"]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    heavy = [line for line in proc.stderr.splitlines() if re.search(r"\b(prefect|spacy|trafilatura|pydantic)\b", line)]
    assert not heavy, heavy[:5]
