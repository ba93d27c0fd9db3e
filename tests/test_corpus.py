"""The benchmark corpus generator: deterministic by seed, prefix-stable, realistic sizes and a mix of kinds."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus():
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module
    spec.loader.exec_module(module)
    return module


def _contents(paths: list[Path], root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in paths}


def test_deterministic_and_prefix_stable(corpus, tmp_path: Path) -> None:
    a = corpus.generate_corpus(tmp_path / "a", 120, seed=3)
    b = corpus.generate_corpus(tmp_path / "b", 120, seed=3)
    small = corpus.generate_corpus(tmp_path / "s", 40, seed=3)
    other = corpus.generate_corpus(tmp_path / "o", 40, seed=4)
    ca, cb = _contents(a, tmp_path / "a"), _contents(b, tmp_path / "b")
    assert ca == cb
    cs = _contents(small, tmp_path / "s")
    assert all(ca[k] == v for k, v in cs.items())  # document i depends only on (seed, i)
    assert cs != _contents(other, tmp_path / "o")


def test_sizes_kinds_and_boilerplate(corpus, tmp_path: Path) -> None:
    paths = corpus.generate_corpus(tmp_path, 300, seed=0)
    assert len(paths) == 300 and all(p.exists() for p in paths)
    kinds = {p.name.split(".", 1)[1] for p in paths}
    assert "txt" in kinds and "html" in kinds
    txt = [p.read_text(encoding="utf-8") for p in paths if p.suffix == ".txt"]
    sizes = sorted(len(t.encode()) for t in txt)
    assert 3500 <= sizes[len(sizes) // 2] <= 5500  # ~4-5 KB
    joined = "\n".join(txt)
    for marker in ("Advertisement", "Share", "Source", "cookies"):
        assert marker.lower() in joined.lower()
    records = [json.loads(x) for x in (tmp_path / "corpus.jsonl").read_text().splitlines()]
    assert len(records) == 300 and {"path", "article", "rare", "kind"} <= set(records[0])


def test_seeds_only_pool(corpus, tmp_path: Path) -> None:
    """Without the shared extraction sets the generator still works from the seeds."""
    paths = corpus.generate_corpus(tmp_path / "c", 10, seed=0, extraction=tmp_path / "missing")
    assert len(paths) == 10
    assert any("Korea" in p.read_text(encoding="utf-8", errors="replace") for p in paths if p.suffix == ".txt")
