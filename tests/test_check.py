"""`newsdex check [--repair]` on real damage: a copy of the seed index (ingested by the real flow) with its
generation's table of contents deleted, a segment file deleted, the manifest truncated to half, or a raw blob
deleted. Every command run against it exits 0 or 1 with one line, never 2; `check` names the damage;
`check --repair` brings back every document and the same search results; `check` is then healthy."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from newsdex.index import vocabulary
from newsdex.index.check import stored_documents
from newsdex.index.layout import IndexPaths
from tests.conftest import run_cli

pytestmark = pytest.mark.prefect

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "schemas" / "check.schema.json").read_text())
QUERIES = ["korea", '"Kursk region"', "troops", "title:korea NOT russia", "Kim Jong"]


def _live(root: Path) -> Path:
    live = IndexPaths(root).live_generation()
    assert live is not None and live.is_dir()
    return live


def _delete_toc(root: Path) -> None:
    tocs = list(_live(root).glob("_MAIN_*.toc"))
    assert tocs
    for toc in tocs:
        toc.unlink()


def _delete_segment(root: Path) -> None:
    segments = sorted(_live(root).glob("*.seg"))
    assert segments
    segments[0].unlink()


def _truncate_manifest(root: Path) -> None:
    path = IndexPaths(root).manifest
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _delete_raw_blob(root: Path) -> None:
    blobs = sorted(IndexPaths(root).raw.rglob("*.gz"))
    assert blobs
    blobs[0].unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], str, str]] = {
    # case: (how, the problem kind check reports, a word its one line names)
    "toc": (_delete_toc, "generation-unreadable", "table of contents"),
    "segment": (_delete_segment, "generation-unreadable", ".seg"),
    "manifest": (_truncate_manifest, "manifest-corrupt", "manifest.sqlite"),
    "raw": (_delete_raw_blob, "raw-missing", "raw input"),
}


def _cli(root: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    # Each process its own Prefect home: temporary servers started side by side never share one SQLite file.
    return run_cli(*args, "--index", str(root), env={"PREFECT_HOME": str(home)})


def _searches(root: Path, home: Path) -> dict[str, list[str]]:
    out = {}
    for q in QUERIES:
        proc = _cli(root, "search", q, "--json", "--limit", "50", home=home)
        assert proc.returncode == 0, proc.stderr
        out[q] = [h["id"] for h in json.loads(proc.stdout)["hits"]]
    return out


def _ids(root: Path) -> set[str]:
    stored = stored_documents(IndexPaths(root))
    assert stored is not None
    return {f["id"] for f in stored}


def _damaged_copy(seed_index: dict, dest: Path, case: str) -> Path:
    shutil.copytree(seed_index["index"], dest, symlinks=True)  # `current` stays a symlink
    DAMAGE[case][0](dest)
    return dest


def _run_case(case: str, seed_index: dict, work: Path, doc_id: str) -> dict[str, Any]:
    """Every command against a damaged copy; ingest and reindex on copies of their own (they may change it),
    side by side with the read-only commands, `check`, `check --repair` and what follows on the first copy."""
    corpus = str(seed_index["corpus"])
    writers = {
        "ingest": (_damaged_copy(seed_index, work / "ingest", case), ("ingest", corpus)),
        "reindex": (_damaged_copy(seed_index, work / "reindex", case), ("reindex",)),
    }
    root = _damaged_copy(seed_index, work / "index", case)
    home = work / "prefect-home"

    def sequence() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, args in {
            "search": ("search", "korea"),
            "show": ("show", doc_id),
            "stats": ("stats",),
            "entities": ("entities",),
            "check": ("check",),
            "check --json": ("check", "--json"),
        }.items():
            out[name] = _cli(root, *args, home=home)
        out["check --repair"] = _cli(root, "check", "--repair", home=home)
        out["check after"] = _cli(root, "check", "--json", home=home)
        out["searches after"] = _searches(root, home)
        out["ids after"] = _ids(root)
        out["root"] = root
        return out

    with ThreadPoolExecutor(3) as pool:
        running = {
            name: pool.submit(_cli, r, *args, home=work / f"prefect-{name}") for name, (r, args) in writers.items()
        }
        out = sequence()
        out.update({name: f.result() for name, f in running.items()})
    return out


@pytest.fixture(scope="module")
def outcomes(seed_index, tmp_path_factory) -> dict[str, Any]:
    """Every damage case run once, the cases side by side; and the undamaged index's search results."""
    home = tmp_path_factory.mktemp("prefect-baseline")
    baseline = _searches(seed_index["index"], home)
    doc_id = baseline["korea"][0]
    with ThreadPoolExecutor(len(DAMAGE)) as pool:
        futures = {
            case: pool.submit(_run_case, case, seed_index, tmp_path_factory.mktemp(f"damage-{case}"), doc_id)
            for case in DAMAGE
        }
        cases = {case: f.result() for case, f in futures.items()}
    return {"baseline": baseline, "ids": _ids(seed_index["index"]), "cases": cases}


def _one_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.splitlines()
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    if proc.returncode == 1:
        assert len(lines) == 1, proc.stderr
        return lines[0]
    assert len(lines) <= 1, proc.stderr
    return lines[0] if lines else ""


def _valid(obj: Any) -> None:
    errors = [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(SCHEMA).iter_errors(obj)
    ]
    assert not errors, errors[:10]


def test_check_schema_is_valid_and_can_fail() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    with pytest.raises(AssertionError):
        _valid({"healthy": "yes", "index": "x", "problems": [{"kind": "raw-missing"}]})


def test_healthy_index_checks_clean(seed_index, tmp_path) -> None:
    root = tmp_path / "index"
    shutil.copytree(seed_index["index"], root, symlinks=True)
    proc = _cli(root, "check", home=tmp_path / "home")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert "healthy" in proc.stdout
    proc = _cli(root, "check", "--json", home=tmp_path / "home")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.count("\n") == 1
    report = json.loads(proc.stdout)
    _valid(report)
    assert report["healthy"] is True and report["problems"] == [] and report["repair"] is None
    assert report["documents"] == report["index_documents"] == report["raw_checked"] > 0
    # Nothing to repair: --repair changes nothing and starts no flow.
    proc = _cli(root, "check", "--repair", "--json", home=tmp_path / "home")
    assert proc.returncode == 0 and json.loads(proc.stdout)["repair"] is None


@pytest.mark.parametrize("case", list(DAMAGE))
def test_every_command_on_a_damaged_index_is_one_line_never_an_internal_error(outcomes, case) -> None:
    out = outcomes["cases"][case]
    for name in ("ingest", "reindex", "search", "show", "stats", "entities", "check"):
        line = _one_line(out[name])
        if case != "raw":  # the live generation or the manifest does not open: every command says so
            assert out[name].returncode == 1, (name, out[name].stderr)
            assert line.startswith(f"newsdex {name}: damaged index: "), line
            assert "`newsdex check --repair`" in line, line
    if case == "raw":  # a lost raw input is not noticed cheaply: the index still serves everything
        for name in ("search", "show", "stats", "entities", "ingest"):
            assert out[name].returncode == 0, (name, out[name].stderr)


@pytest.mark.parametrize("case", list(DAMAGE))
def test_check_names_the_damage(outcomes, case) -> None:
    _, kind, word = DAMAGE[case]
    out = outcomes["cases"][case]
    line = _one_line(out["check"])
    assert out["check"].returncode == 1
    assert kind in line and word in line, line
    proc = out["check --json"]
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
    report = json.loads(proc.stdout)
    _valid(report)
    assert report["healthy"] is False and kind in {p["kind"] for p in report["problems"]}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_repair_brings_back_every_document_and_the_same_results(outcomes, case) -> None:
    out = outcomes["cases"][case]
    repair = out["check --repair"]
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert "after the repair: healthy" in repair.stdout
    after = out["check after"]
    assert after.returncode == 0, after.stderr
    report = json.loads(after.stdout)
    _valid(report)
    assert report["healthy"] and report["problems"] == []
    assert out["ids after"] == outcomes["ids"]  # every raw input of the seed index is stored: all come back
    assert out["searches after"] == outcomes["baseline"]
    if "rebuilt the index from the raw store" in repair.stdout:  # the rebuild wrote every word again
        with sqlite3.connect(IndexPaths(Path(out["root"])).manifest) as conn:
            assert vocabulary.available(conn)  # did-you-mean's word table is whole, not left for the next write
    if case == "manifest":  # the damaged manifest is kept aside, never deleted
        assert list(Path(out["root"]).glob("manifest.sqlite.corrupt-*"))
    if case in ("toc", "segment", "manifest"):
        assert "rebuilt the index from the raw store" in repair.stdout
    else:
        assert "restored 1 raw input from the original files" in repair.stdout


def test_repair_json_lists_what_it_did(seed_index, tmp_path) -> None:
    root = _damaged_copy(seed_index, tmp_path / "index", "manifest")
    os.remove(IndexPaths(root).manifest)  # lost, not damaged: rebuilt from the index and the raw store alone
    proc = _cli(root, "check", "--repair", "--json", home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    _valid(report)
    assert report["healthy"] and [p["kind"] for p in report["problems"]] == ["manifest-missing"]
    repair = report["repair"]
    assert repair["rebuilt"] and repair["remaining"] == [] and repair["run"]["documents"] == len(_ids(root))
    assert any("live generation's stored fields" in a for a in repair["actions"])
    assert _ids(root) == _ids(seed_index["index"])
