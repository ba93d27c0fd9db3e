"""Pages that are not articles, on the read side: kept in the archive, left out of default search, facets, the
date histogram and similar; ``--kind all`` (or one kind) brings them back; stats counts them. Real pages of
tests/data/metadata (see its README), one of them an unrendered template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import enriched_folder, run_cli

DATA = Path(__file__).parent / "data" / "metadata"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsdex.index.store import IndexStore

    work = tmp_path_factory.mktemp("kinds")
    pages = work / "pages"
    pages.mkdir()
    for page in DATA.glob("*.html"):
        shutil.copy(page, pages / page.name)
    root = work / "index"
    store = IndexStore(root)
    with store.writing():
        store.write(enriched_folder(pages))
    return root


def _search(index: Path, kind: str | None = None, query: str = "*") -> dict:
    from newsdex.reading.archive import Archive
    from newsdex.reading.request import Filters, SearchRequest

    with Archive(index) as archive:
        filters = Filters(kind=kind) if kind else Filters()
        return archive.search(SearchRequest(query=query, limit=50, filters=filters))


def _template_id(index: Path) -> str:
    return next(h["id"] for h in _search(index, "all")["hits"] if h["path"].endswith("scrapinghub-template.html"))


def test_template_page_kept_but_out_of_default_search(index: Path) -> None:
    template = _template_id(index)
    every = _search(index, "all")
    default = _search(index)
    assert template not in {h["id"] for h in default["hits"]}
    assert default["total"] == every["total"] - 1
    assert {h["kind"] for h in default["hits"]} == {"article"}
    others = _search(index, "other")
    assert [h["id"] for h in others["hits"]] == [template] and others["hits"][0]["kind"] == "other"
    # facets and the date histogram count what the search returns
    assert sum(c["count"] for c in default["facets"]["language"]) < sum(c["count"] for c in every["facets"]["language"])


def test_kind_on_the_command_line_and_in_show_and_stats(index: Path) -> None:
    template = _template_id(index)
    out = run_cli("search", "--all", "--kind", "all", "--json", "--index", str(index))
    assert out.returncode == 0, out.stderr
    assert template in {h["id"] for h in json.loads(out.stdout)["hits"]}
    out = run_cli("show", template, "--json", "--index", str(index))
    doc = json.loads(out.stdout)
    assert doc["kind"] == "other" and doc["kind_reason"].startswith("template")
    human = run_cli("show", template, "--index", str(index)).stdout
    assert "not an article (other): template" in human
    stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert stats["kinds"] == {"article": stats["documents"] - 1, "listing": 0, "other": 1}
    bad = run_cli("search", "--all", "--kind", "pages", "--index", str(index))
    assert bad.returncode == 1 and "--kind" in bad.stderr


def test_similar_leaves_other_pages_out(index: Path) -> None:
    from newsdex.reading.archive import Archive

    template = _template_id(index)
    articles = [h["id"] for h in _search(index)["hits"]]
    with Archive(index) as archive:
        for doc_id in articles:
            found = archive.similar(doc_id, limit=20)
            assert found is not None and template not in {h["id"] for h in found["hits"]}
