"""Copies of one story (syndication, re-publication, re-scrapes): found on the cleaned text, kept as clusters in
the manifest, collapsed in search, kept right by deletes and rule changes; exact copies are not enriched again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsdex.flows.options import IngestOptions, ReindexOptions
from newsdex.index import fingerprint as fp
from newsdex.models import document_id
from newsdex.reading.reader import duplicates, get_document, search
from newsdex.tasks.shipped import DEFAULT_RULES
from tests.conftest import ARTICLES, SEEDS, run_cli
from tests.test_contract import assert_valid

ORIGINAL = "001_0341219522dcbd6c.txt"  # the five seeds are five different stories about one event


def _paragraphs(name: str) -> list[str]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if len(p.strip()) > 200]


# -- the fingerprint (pure) -------------------------------------------------------------------------------------


def test_quotes_dashes_and_line_breaks_do_not_change_a_fingerprint():
    body = "\n\n".join(_paragraphs(ORIGINAL))
    edited = body.replace('"', "\u201c").replace(" - ", " \u2013 ").replace("'", "\u2019").replace(". ", ".\n")
    assert fp.fingerprint(edited) == fp.fingerprint(body)


def test_a_trimmed_copy_is_confirmed_and_another_story_on_the_event_is_not():
    paras = _paragraphs(ORIGINAL)
    original = "\n\n".join(paras)
    trimmed = "\n\n".join(paras[:-2] + ["Reporting by the Seoul bureau; editing by the world desk."])
    # A follow-up: the original's first paragraph as background, then other text with the same names.
    follow_up = "\n\n".join(paras[:1] + _paragraphs("004_c660a855ca50e628.txt"))
    assert fp.best_match(trimmed, [("orig", original)]) is not None
    assert fp.best_match(follow_up, [("orig", original)]) is None
    for other in ("000_f62cfa61a98d079d.txt", "002_5aeb8d7986c9f49e.txt", "003_74e64ee529b26e9e.txt"):
        assert fp.best_match("\n\n".join(_paragraphs(other)), [("orig", original)]) is None


def test_a_short_body_has_no_fingerprint():
    assert fp.fingerprint("Subscribe to read the whole story.") is None
    assert fp.fingerprint(" ".join(["word"] * 200)) is not None


# -- the archive ----------------------------------------------------------------------------------------------


def _write_copies(folder: Path) -> dict[str, Path]:
    """Three syndicated copies of the original: another site's chrome, a new headline, the end cut and an
    editor's line; an HTML page under another headline with dashes changed; the same page scraped again."""
    folder.mkdir()
    paras = _paragraphs(ORIGINAL)
    text = (
        "World News Daily\n\nHome | World | Politics | Sport\n\n"
        "Captured soldiers face a grim choice\n\nAdvertisement\n\n"
        + "\n\n".join(paras[:-1]).replace('"', "\u201c")
        + "\n\nReporting by the wire desk; editing by the world desk.\n\nShare this article\n\nSource link\n"
    )
    html = (
        "<html><head><title>North Koreans in Ukraine: three options | Globe Herald</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>North Koreans in Ukraine: three "
        "options</h1>"
        + "".join(f"<p>{p.replace(' - ', ' – ')}</p>" for p in paras)
        + "</article><footer>© Globe Herald. All rights reserved.</footer></body></html>"
    )
    out = {"wire.txt": text, "globe.html": html}
    for name, data in out.items():
        (folder / name).write_text(data, encoding="utf-8")
    shutil.copy(SEEDS / ORIGINAL, folder / "rescraped.txt")
    return {name: folder / name for name in [*out, "rescraped.txt"]}


@pytest.fixture()
def archive(prefect_harness, tmp_path):
    """First ingest: the five seeds and a follow-up story; second ingest: three copies of one seed."""
    from newsdex.flows.ingest import ingest_flow

    first = tmp_path / "first"
    shutil.copytree(SEEDS, first, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    paras = _paragraphs(ORIGINAL)
    (first / "follow-up.txt").write_text(
        "Captured North Korean soldier asks to stay in South Korea\n\n"
        + "\n\n".join(paras[:1] + _paragraphs("004_c660a855ca50e628.txt")[:4]),
        encoding="utf-8",
    )
    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(first)], index=str(index)))
    copies = _write_copies(tmp_path / "second")
    report = ingest_flow(IngestOptions(paths=[str(tmp_path / "second")], index=str(index)))
    return {"index": index, "first": first, "copies": copies, "report": report, "tmp": tmp_path}


def _ids(paths) -> set[str]:
    return {document_id(str(p)) for p in paths}


def test_copies_across_two_ingests_are_one_cluster(archive):
    index, first = archive["index"], archive["first"]
    original = document_id(str(first / ORIGINAL))
    clusters = duplicates(index)["clusters"]
    assert len(clusters) == 1  # the five seeds and the follow-up stay apart: same event, other text
    cluster = clusters[0]
    assert cluster["id"] == original  # the earliest published (the re-scrape has the same date: first seen)
    assert {m["id"] for m in cluster["members"]} == {original} | _ids(archive["copies"].values())
    assert cluster["members"][0]["id"] == original and cluster["members"][0]["similarity"] == 1.0
    assert all(m["similarity"] >= 0.9 for m in cluster["members"])

    shown = get_document(index, str(archive["copies"]["globe.html"]))
    assert shown["copy_of"] == original
    others = [archive["copies"]["wire.txt"], archive["copies"]["rescraped.txt"]]
    assert set(shown["copies"]) == {original} | _ids(others)
    rep = get_document(index, original)
    assert rep["copy_of"] is None and len(rep["copies"]) == 3
    alone = get_document(index, str(first / "follow-up.txt"))
    assert alone["copy_of"] is None and alone["copies"] == []


def test_the_exact_copy_takes_its_entities_from_the_original(archive):
    index, first = archive["index"], archive["first"]
    assert archive["report"]["enrichment_reused"] == 1  # the re-scrape; the others have other titles or text
    original = get_document(index, str(first / ORIGINAL))
    rescraped = get_document(index, str(archive["copies"]["rescraped.txt"]))
    assert rescraped["entities"] == original["entities"] and original["entities"]


def test_search_shows_a_story_once_unless_asked(archive):
    index = archive["index"]
    collapsed = search(index, "North Korean", limit=20)
    every = search(index, "North Korean", limit=20, all_copies=True)
    assert collapsed["total"] == every["total"] == 9  # total counts documents either way: all nine match
    assert collapsed["stories"] == 6 and len(collapsed["hits"]) == 6 and len(every["hits"]) == 9
    story = [h for h in collapsed["hits"] if h["copies"]]
    assert len(story) == 1 and story[0]["copies"] == 3
    assert len(story[0]["copy_sources"]) == 3  # no source in a .txt: its path stands for it
    assert all(h["copies"] == 0 for h in collapsed["hits"] if h is not story[0])
    # Facets count a story once: a name in the four copies and nowhere else counts 1, not 4.
    people = {f["name"]: f["count"] for f in collapsed["facets"]["PERSON"]}
    every_people = {f["name"]: f["count"] for f in every["facets"]["PERSON"]}
    assert every_people["Chung In-beom"] == 4 and people["Chung In-beom"] == 1  # shown as the seed writes it

    human = run_cli("search", "North Korean", "--index", str(index))
    assert human.returncode == 0, human.stderr
    assert "(+3 copies:" in human.stdout
    as_json = json.loads(run_cli("search", "captured", "--all-copies", "--json", "--index", str(index)).stdout)
    assert_valid("search", as_json)
    assert len({h["id"] for h in as_json["hits"]}) == len(as_json["hits"]) == as_json["total"]


def test_deleting_the_representative_promotes_another(archive):
    from newsdex.flows.ingest import ingest_flow

    index, first, copies = archive["index"], archive["first"], archive["copies"]
    (first / ORIGINAL).unlink()
    ingest_flow(IngestOptions(paths=[str(first), str(first.parent / "second")], index=str(index), prune=True))
    clusters = duplicates(index)["clusters"]
    assert len(clusters) == 1
    new_rep = document_id(str(copies["rescraped.txt"]))  # the published date of the original, and its length
    assert clusters[0]["id"] == new_rep
    assert {m["id"] for m in clusters[0]["members"]} == _ids(copies.values())
    assert get_document(index, str(copies["wire.txt"]))["copy_of"] == new_rep

    listed = json.loads(run_cli("duplicates", "--json", "--index", str(index)).stdout)
    assert listed == {"clusters": clusters}
    assert_valid("duplicates", listed)
    shown = json.loads(run_cli("show", str(copies["wire.txt"]), "--json", "--index", str(index)).stdout)
    assert_valid("show", shown)
    assert shown["copy_of"] == new_rep
    assert run_cli("duplicates", "--min-size", "4", "--index", str(index)).stdout.startswith("no copies")


NEW_RULE = """
[[line]]
name = "drop-context-boxes"
action = "remove"
regex = ['^Context: ']

"""


def test_a_rule_change_that_reveals_copies_merges_them_on_reindex(prefect_harness, tmp_path):
    """Two pages of one story, each with a long box of its own that the shipped rules keep: too little in
    common to be copies. A rule removing the boxes makes them the same text, and reindex finds it."""
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.reindex import reindex_flow

    story = _paragraphs("002_5aeb8d7986c9f49e.txt")[:2]
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, box in (("a.txt", "000_f62cfa61a98d079d.txt"), ("b.txt", "004_c660a855ca50e628.txt")):
        boxes = [f"Context: {p}" for p in _paragraphs(box)[:4]]
        (folder / name).write_text("Troops to the front\n\n" + "\n\n".join(story + boxes), encoding="utf-8")
    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(folder)], index=str(index)))
    assert duplicates(index)["clusters"] == []

    text = DEFAULT_RULES.read_text(encoding="utf-8")
    at = text.index("\n[[line]]") + 1
    rules = tmp_path / "rules.toml"
    rules.write_text(text[:at] + NEW_RULE.lstrip() + text[at:], encoding="utf-8")
    report = reindex_flow(ReindexOptions(index=str(index), rules=str(rules)))
    assert report["changed"] == 2
    clusters = duplicates(index)["clusters"]
    assert len(clusters) == 1 and {m["id"] for m in clusters[0]["members"]} == _ids(folder.iterdir())


def _story_corpus(folder: Path) -> dict[str, str]:
    """Every article of tests/data/articles and the five seeds once (29 stories), and 14 copies of them: under
    other chrome, with a new headline, cut, with an editor's line, with quotes and dashes changed. Returns the
    story of each file's document id."""
    import random

    rng = random.Random(7)
    folder.mkdir()
    stories: dict[str, str] = {}
    texts: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(ARTICLES.glob("*/truth/*.txt")) + sorted(SEEDS.glob("*.txt")):
        paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 40]
        if sum(len(p.split()) for p in paras) < 80:
            continue
        texts[path.stem] = (paras[0][:90], paras)
        out = folder / f"{path.stem}.txt"
        out.write_text("\n\n".join([paras[0][:90], *paras]), encoding="utf-8")
        stories[document_id(str(out))] = path.stem
    chrome = ["Home | News | Sport | Weather", "Advertisement", "Share this article", "Sign up for our newsletter"]
    for n, key in enumerate(rng.sample(sorted(texts), 14)):
        title, paras = texts[key]
        body = paras[: max(2, len(paras) - rng.randint(0, 2))] if n % 2 else paras
        if n % 3 == 0:
            body = [p.replace('"', "\u201c").replace(" - ", " \u2014 ") for p in body]
        head = title if n % 2 == 0 else f"UPDATE 1-{title}"
        extra = ["Reporting by the wire desk; editing by the world desk."] if n % 2 else []
        out = folder / f"copy-{n:02d}.txt"
        out.write_text("\n\n".join([chrome[0], head, chrome[1], *body, *extra, *chrome[2:]]), encoding="utf-8")
        stories[document_id(str(out))] = key
    return stories


def test_top_hits_of_a_corpus_with_copies_are_different_stories(prefect_harness, tmp_path):
    """29 stories and 14 copies: no two of the top 10 hits of common queries are one story, no cluster joins
    two stories, and every copy is found."""
    from newsdex.flows.ingest import ingest_flow

    story = _story_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(tmp_path / "corpus")], index=str(index)))
    for query in ("the", "said OR says", "new"):
        hits = search(index, query, limit=10)["hits"]
        assert len(hits) == 10
        assert len({story[h["id"]] for h in hits}) == 10, query
        every = search(index, query, limit=10, all_copies=True)["hits"]
        assert len({story[h["id"]] for h in every}) < 10, query  # without collapsing, copies take places
    clusters = duplicates(index)["clusters"]
    for c in clusters:
        assert len({story[m["id"]] for m in c["members"]}) == 1, c
    assert sum(len(c["members"]) - 1 for c in clusters) == 14


# -- clusters under deletes, changes, rebuilds (the manifest alone, no flow) ----------------------------------


def _doc(doc_id: str, *parts: list[str]):
    from newsdex.models import Block, EnrichedDoc

    paras = [p for part in parts for p in part]
    return EnrichedDoc(
        id=doc_id,
        path=f"{doc_id}.txt",
        kind="text",
        raw_hash=doc_id,
        title=doc_id,
        blocks=[Block(kind="paragraph", text=p) for p in paras],
    )


def _clusters(manifest) -> dict[str, set[str]]:
    from newsdex.index import copies

    out: dict[str, set[str]] = {}
    for doc_id, key in manifest.conn.execute("SELECT doc_id, cluster FROM copies"):
        out.setdefault(key, set()).add(doc_id)
    assert all(key in members for key, members in out.items())  # a key always names a member
    assert copies.available(manifest.conn)
    return {k: v for k, v in out.items() if len(v) > 1}


def test_a_cluster_held_by_one_document_splits_when_it_goes(tmp_path):
    """A = P+Q and C = Q+R are not copies of each other; B = P+Q+R holds both. Without B they part."""
    from newsdex.index.manifest import Manifest

    p, q, r = (
        _paragraphs(n)[:3] for n in ("000_f62cfa61a98d079d.txt", "002_5aeb8d7986c9f49e.txt", "003_74e64ee529b26e9e.txt")
    )
    with Manifest(tmp_path / "manifest.sqlite") as manifest:
        manifest.record_indexed([_doc("a", p, q), _doc("b", p, q, r), _doc("c", q, r)])
        assert list(_clusters(manifest).values()) == [{"a", "b", "c"}]
        manifest.remove(["b"])
        assert _clusters(manifest) == {}
        # B back: it joins its best match (A). C, placed before, is not pulled in: clusters are never merged
        # wholesale (a digest holding two whole stories would otherwise join them). B changed to another story:
        # A is alone again.
        manifest.record_indexed([_doc("b", p, q, r)])
        assert list(_clusters(manifest).values()) == [{"a", "b"}]
        manifest.record_indexed([_doc("b", _paragraphs("004_c660a855ca50e628.txt"))])
        assert _clusters(manifest) == {}
        # A copy of A joins it; quarantining A leaves the copy alone, not in a cluster keyed by a missing id.
        manifest.record_indexed([_doc("a2", p, q)])
        assert list(_clusters(manifest).values()) == [{"a", "a2"}]
        from newsdex.models import Quarantined

        manifest.record_quarantined([("a", Quarantined(path="a.txt", reason="test"))])
        assert _clusters(manifest) == {}
        assert manifest.cluster_of("a2") == "a2"


def test_placement_is_redone_under_other_settings_and_once_only(tmp_path):
    from newsdex.index import copies
    from newsdex.index.manifest import Manifest

    p, q, r = (
        _paragraphs(n)[:3] for n in ("000_f62cfa61a98d079d.txt", "002_5aeb8d7986c9f49e.txt", "003_74e64ee529b26e9e.txt")
    )
    with Manifest(tmp_path / "manifest.sqlite") as manifest:
        manifest.record_indexed([_doc("a", p, q), _doc("b", p, q), _doc("c", r)], place=False)  # as before copies
        assert manifest.refresh_copies() == 3
        assert list(_clusters(manifest).values()) == [{"a", "b"}]
        assert manifest.refresh_copies() == 0  # settled: an O(1) check from now on
        manifest.conn.execute("UPDATE copies SET version = 'older'")
        manifest.conn.execute("DELETE FROM copies_meta")
        assert manifest.refresh_copies() == 3 and copies.settled(manifest.conn)


def test_copies_crowding_the_top_hits_do_not_hide_other_stories(tmp_path, monkeypatch):
    """Thirty copies of one story rank above the others: search still finds --limit stories."""
    from newsdex.index.store import IndexStore
    from newsdex.reading import collapse

    monkeypatch.setattr(collapse, "FACET_WINDOW", 10)  # the window the copies fill (500 in use)
    wire = _paragraphs(ORIGINAL)
    docs = [_doc(f"wire{i:02d}", [f"Kursk Kursk Kursk {p}" for p in wire]) for i in range(30)]
    docs += [
        _doc(f"other{i}", [f"Kursk once. {p}" for p in _paragraphs(n)])
        for i, n in enumerate(["000_f62cfa61a98d079d.txt", "002_5aeb8d7986c9f49e.txt", "003_74e64ee529b26e9e.txt"])
    ]
    store = IndexStore(tmp_path / "index")
    with store.writing():
        store.write(docs)
    found = search(tmp_path / "index", "kursk", limit=4)
    assert found["total"] == 33 and len(found["hits"]) == 4
    assert found["hits"][0]["copies"] == 29 and len(found["hits"][0]["copy_sources"]) == 10
    assert found["stories"] == 4
    every = search(tmp_path / "index", "kursk", limit=4, all_copies=True)
    assert {h["id"][:4] for h in every["hits"]} == {"wire"} and every["stories"] is None


def test_a_full_rebuild_keeps_the_clusters_and_a_dry_run_writes_none(archive):
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.reindex import reindex_flow
    from newsdex.index.layout import IndexPaths
    from newsdex.index.manifest import Manifest

    index = archive["index"]
    before = duplicates(index)
    reindex_flow(ReindexOptions(index=str(index), full=True))
    assert duplicates(index) == before
    # An index made before copies were found: a dry run leaves it so, the next ingest places every document.
    with Manifest(IndexPaths(index).manifest) as manifest, manifest.conn:
        manifest.conn.execute("DELETE FROM copies")
        manifest.conn.execute("DELETE FROM bands")
        manifest.conn.execute("DELETE FROM copies_meta")
    reindex_flow(ReindexOptions(index=str(index), dry_run=True))
    assert duplicates(index) == {"clusters": []}
    report = ingest_flow(IngestOptions(paths=[str(archive["first"]), str(archive["tmp"] / "second")], index=str(index)))
    assert report["new"] == report["changed"] == 0
    assert duplicates(index) == before


def test_a_manifest_with_the_first_copies_layout_opens_and_is_placed_again(tmp_path):
    """Regression: the first copies table had no ``via`` column, and opening such a manifest failed
    ("no such column: via") when the new index on it was created."""
    import sqlite3

    from newsdex.index.manifest import Manifest

    path = tmp_path / "manifest.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE copies (doc_id TEXT PRIMARY KEY, cluster TEXT NOT NULL, body_hash TEXT, "
            "text_hash TEXT, title TEXT, published TEXT, words INTEGER NOT NULL DEFAULT 0, "
            "first_seen REAL NOT NULL, version TEXT, similarity REAL)"
        )
    p, q = (_paragraphs(n)[:3] for n in ("000_f62cfa61a98d079d.txt", "002_5aeb8d7986c9f49e.txt"))
    with Manifest(path) as manifest:
        manifest.record_indexed([_doc("a", p, q), _doc("b", p, q)])
        assert list(_clusters(manifest).values()) == [{"a", "b"}]
