"""The benchmark corpus generator: deterministic by seed, prefix-stable, realistic sizes and a mix of kinds."""

from __future__ import annotations

import gzip
import html
import json
import re
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


# Syndicated copies (--copies): documents that re-publish an earlier document of the same corpus.


def _records(root: Path) -> list[dict]:
    return [json.loads(x) for x in (root / ".corpus.jsonl").read_text(encoding="utf-8").splitlines()]


def _article_text(path: Path, pool_paragraphs: set[str]) -> list[str]:
    """The article paragraphs of a document, in order: HTML's <p>/<h2>; in a text file, the lines that are
    paragraphs of a pool article (boilerplate lines are not)."""
    if path.suffix == ".gz" or path.suffix == ".html":
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        article = raw.decode("utf-8").split("<article>", 1)[1].split("</article>", 1)[0]  # not the footer's <p>
        return [html.unescape(t) for _, t in re.findall(r"<(p|h2)>(.*?)</\1>", article)]
    return [x for x in path.read_text(encoding="utf-8").split("\n") if x in pool_paragraphs]


def _unmark(text: str) -> str:
    """Text with one kind of quotes and dashes and single spaces: what a near copy's re-punctuation keeps."""
    text = re.sub(r"[“”„]", '"', re.sub(r"[‘’]", "'", text))
    return re.sub(r"\s*[-–—]\s*", "-", " ".join(text.split()))


@pytest.fixture(scope="module")
def copied(corpus, tmp_path_factory) -> tuple[Path, list[Path], list[dict]]:
    root = tmp_path_factory.mktemp("copies")
    paths = corpus.generate_corpus(root, 400, seed=1, extraction=ARTICLES, copies=0.3)
    return root, paths, _records(root)


def test_copies_share_and_pointers(copied) -> None:
    _, paths, records = copied
    assert len(paths) == len(records) == 400
    copies = [r for r in records if r["copy_of"] is not None]
    assert 0.22 <= len(copies) / len(records) <= 0.38  # about 30%
    kinds = [r["copy_kind"] for r in copies]
    assert set(kinds) == {"exact", "near"} and 0.35 <= kinds.count("exact") / len(kinds) <= 0.65  # about half
    assert all(r["copy_kind"] is None for r in records if r["copy_of"] is None)
    for r in copies:
        original = records[r["copy_of"]]
        assert r["copy_of"] < r["i"] and original["i"] == r["copy_of"]
        assert original["copy_of"] is None  # always names an original, never a copy of a copy
        assert r["article"] == original["article"]  # the same story...
        assert r["site"] != original["site"]  # ...re-published by another site
        assert r["path"] != original["path"]


def test_exact_copies_carry_the_original_text_and_near_ones_are_edited(corpus, copied) -> None:
    root, _, records = copied
    pool = corpus.load_pool(ARTICLES)
    # a line that is one site's chrome and another article's paragraph is ambiguous in a text file: leave it out
    pool_paragraphs = {p for a in pool for p in a.paragraphs} - {x for a in pool for x in a.chrome}
    exact = near = 0
    for r in records:
        if r["copy_of"] is None:
            continue
        original = records[r["copy_of"]]
        mine = _article_text(root / r["path"], pool_paragraphs)
        theirs = _article_text(root / original["path"], pool_paragraphs)
        assert len(theirs) >= 5
        if r["copy_kind"] == "exact":
            exact += 1
            assert mine == theirs  # after cleaning, the same text...
            slug = [Path(x).name.split(".")[0].split("-", 1)[1] for x in (r["path"], original["path"])]
            assert slug[0] == slug[1]  # the same title
        else:
            near += 1
            assert mine != theirs
            page = " ".join(mine) if r["kind"] != "txt" else (root / r["path"]).read_text(encoding="utf-8")
            assert "diting by" in page  # the editor's line
            text = _unmark(page)
            kept = [p for p in theirs if _unmark(p) in text]
            assert len(kept) >= len(theirs) / 2  # the same story, re-punctuated...
            assert _unmark(theirs[-1]) not in text  # ...its end cut
    assert exact >= 20 and near >= 20


def test_prefix_property_holds_with_copies(corpus, tmp_path: Path) -> None:
    big = corpus.generate_corpus(tmp_path / "big", 150, seed=5, extraction=ARTICLES, copies=0.3)
    small = corpus.generate_corpus(tmp_path / "small", 60, seed=5, extraction=ARTICLES, copies=0.3)
    cb, cs = _contents(big, tmp_path / "big"), _contents(small, tmp_path / "small")
    assert all(cb[k] == v for k, v in cs.items())
    assert _records(tmp_path / "big")[:60] == _records(tmp_path / "small")
    assert any(r["copy_of"] is not None for r in _records(tmp_path / "small"))


def test_without_copies_the_corpus_is_unchanged(corpus, tmp_path: Path) -> None:
    """copies=0 (the default) is the corpus as it was before copies existed: no copies, no new sidecar fields;
    and with copies on, the documents that are originals are byte for byte those of the corpus without."""
    plain = corpus.generate_corpus(tmp_path / "plain", 120, seed=2, extraction=ARTICLES)
    zero = corpus.generate_corpus(tmp_path / "zero", 120, seed=2, extraction=ARTICLES, copies=0.0)
    with_copies = corpus.generate_corpus(tmp_path / "copies", 120, seed=2, extraction=ARTICLES, copies=0.3)
    cp = _contents(plain, tmp_path / "plain")
    assert cp == _contents(zero, tmp_path / "zero")
    assert (tmp_path / "plain" / ".corpus.jsonl").read_bytes() == (tmp_path / "zero" / ".corpus.jsonl").read_bytes()
    records = _records(tmp_path / "plain")
    assert set(records[0]) == {"path", "i", "article", "site", "rare", "kind"}
    cc, copy_records = _contents(with_copies, tmp_path / "copies"), _records(tmp_path / "copies")
    originals = [r for r in copy_records if r["copy_of"] is None]
    assert 60 < len(originals) < 120
    for r in originals:
        assert cc[r["path"]] == cp[r["path"]]
        assert {k: v for k, v in r.items() if not k.startswith("copy_")} == records[r["i"]]


def test_copies_must_be_a_fraction(corpus, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fraction"):
        corpus.generate_corpus(tmp_path / "c", 5, seed=0, extraction=ARTICLES, copies=1.5)
    with pytest.raises(SystemExit):
        corpus.main([str(tmp_path / "c"), "--n", "5", "--extraction", str(ARTICLES), "--copies", "-0.1"])
