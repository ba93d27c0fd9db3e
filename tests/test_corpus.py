"""The benchmark corpus generator: deterministic by seed, prefix-stable, realistic sizes and a mix of kinds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import corpus as corpus_module

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "tests" / "data" / "articles"  # never the shared data outside the repository


@pytest.fixture(scope="module")
def corpus():
    return corpus_module


def _contents(paths: list[Path], root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in paths}


def test_deterministic_and_prefix_stable(corpus, tmp_path: Path) -> None:
    a = corpus.generate_corpus(tmp_path / "a", 120, seed=3, extraction=ARTICLES)
    b = corpus.generate_corpus(tmp_path / "b", 120, seed=3, extraction=ARTICLES)
    small = corpus.generate_corpus(tmp_path / "s", 40, seed=3, extraction=ARTICLES)
    other = corpus.generate_corpus(tmp_path / "o", 40, seed=4, extraction=ARTICLES)
    ca, cb = _contents(a, tmp_path / "a"), _contents(b, tmp_path / "b")
    assert ca == cb
    cs = _contents(small, tmp_path / "s")
    assert all(ca[k] == v for k, v in cs.items())  # document i depends only on (seed, i)
    assert cs != _contents(other, tmp_path / "o")


def test_sizes_kinds_and_boilerplate(corpus, tmp_path: Path) -> None:
    paths = corpus.generate_corpus(tmp_path, 300, seed=0, extraction=ARTICLES)
    assert len(paths) == 300 and all(p.exists() for p in paths)
    kinds = {p.name.split(".", 1)[1] for p in paths}
    assert "txt" in kinds and "html" in kinds
    txt = [p.read_text(encoding="utf-8") for p in paths if p.suffix == ".txt"]
    sizes = sorted(len(t.encode()) for t in txt)
    assert 3500 <= sizes[len(sizes) // 2] <= 5500  # ~4-5 KB
    joined = "\n".join(txt)
    for marker in ("Advertisement", "Share", "Source", "cookies"):
        assert marker.lower() in joined.lower()
    records = [json.loads(x) for x in (tmp_path / ".corpus.jsonl").read_text().splitlines()]
    assert len(records) == 300 and {"path", "article", "rare", "kind"} <= set(records[0])
    assert {r["article"].split("/")[0] for r in records} == {"scrapinghub", "wcxb-dev", "seeds"}


def test_a_missing_source_folder_is_an_error(corpus, tmp_path: Path) -> None:
    """A source folder that is not there (or holds no articles) is never silently replaced by the seeds alone."""
    with pytest.raises(FileNotFoundError, match="missing"):
        corpus.generate_corpus(tmp_path / "c", 10, seed=0, extraction=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no articles"):
        corpus.generate_corpus(tmp_path / "c", 10, seed=0, extraction=tmp_path / "empty")


def test_seeds_only_pool(corpus, tmp_path: Path) -> None:
    """Asked explicitly (``extraction=None``), the generator works from the seeds alone."""
    paths = corpus.generate_corpus(tmp_path / "c", 10, seed=0, extraction=None)
    assert len(paths) == 10
    assert any("Korea" in p.read_text(encoding="utf-8", errors="replace") for p in paths if p.suffix == ".txt")
