"""Analysis per language in the index (index/analysis.py), on real text in seven languages (tests/data/languages_index):
each document is indexed with its language's analyzer, and one query meets every language the index holds.

A word inside a Chinese or Japanese sentence is found; a German plural finds the singular; a Korean noun is found
with its particle attached; Russian, Spanish and French words whatever their ending; passages, highlights,
did-you-mean, `similar` and `--lang` follow; the fast scoring paths equal Whoosh's on the new fields; and an
English corpus searches exactly as it did when every text went through the English analyzer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsdex.index import analysis
from newsdex.index.store import IndexStore
from newsdex.models import Block, CleanDoc
from newsdex.reading import reader, scoring
from newsdex.reading.archive import Archive
from newsdex.reading.rank import counting_collector
from tests.conftest import ARTICLES, REPO, SEEDS, enriched_folder, run_cli

LANGUAGES = REPO / "tests" / "data" / "languages_index"
# A German essay on another subject (the cleaning tests' sample; licence in its folder's README)
OTHER_GERMAN = REPO / "tests" / "data" / "languages" / "de.txt"


def _article(path: Path) -> CleanDoc:
    """A sample as the cleaner hands it on (title, paragraphs): these tests are about the index, so they do not
    depend on what cleaning keeps."""
    title, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    blocks = [Block(kind="paragraph", text=p.strip()) for p in body.split("\n\n") if p.strip()]
    return CleanDoc(
        id=f"doc-{path.stem}", path=path.name, kind="text", raw_hash=path.stem, title=title.strip(), blocks=blocks
    )


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from newsdex.tasks.enrich.stage import enrich_documents
    from newsdex.tasks.segment import segment_document

    folder = tmp_path_factory.mktemp("langs")
    (folder / "en.txt").write_text(
        "City council approves new cycling lanes\n\nThe city council voted on Tuesday to build twelve kilometres of "
        "protected cycling lanes across the centre, after a year of public consultation.\n",
        encoding="utf-8",
    )
    paths = [*sorted(LANGUAGES.glob("*.txt")), folder / "en.txt"]
    enriched = enrich_documents([segment_document(_article(p)) for p in paths])
    return {Path(d.path).stem: d for d in enriched}


@pytest.fixture(scope="module")
def index(docs: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("langs") / "index"
    store = IndexStore(root)
    with store.writing():
        store.write(list(docs.values()))
    return root


def _ids(index: Path, query: str, **kwargs) -> list[str]:
    return [h["id"] for h in reader.search(index, query, limit=20, all_copies=True, **kwargs)["hits"]]


def test_each_sample_is_detected_in_its_language(docs: dict) -> None:
    assert {name: d.language for name, d in docs.items()} == {
        "de": "de",
        "en": "en",
        "es": "es",
        "fr": "fr",
        "ja": "ja",
        "ko": "ko",
        "ru": "ru",
        "zh": "zh",
    }


def test_each_document_goes_to_its_languages_fields(index: Path, docs: dict) -> None:
    archive = Archive(index)
    searcher = archive.searcher()
    r = searcher.reader()
    for name, field, term in (
        ("de", "body_de", "kalori"),
        ("zh", "body_zh", "疫情"),
        ("ko", "body_ko", "영국"),
        ("ja", "body_ja", "配達"),
        ("ru", "body_ru", "робот"),
        ("en", "body", "council"),
    ):
        docnums = list(r.postings(field, term).all_ids())
        assert [searcher.stored_fields(d)["id"] for d in docnums] == [docs[name].id], (field, term)
    assert analysis.indexed_families(r) == ["", "de", "es", "fr", "ru", "zh", "ja", "ko"]
    assert analysis.indexed_families(r, ["de"]) == ["", "de"]
    archive.close()


def test_a_word_inside_a_chinese_sentence_is_found(index: Path, docs: dict) -> None:
    # 在抗击新冠肺炎疫情的日子里: "epidemic" inside a sentence written without spaces
    assert _ids(index, "疫情") == [docs["zh"].id]
    assert _ids(index, '"新冠肺炎疫情"') == [docs["zh"].id]
    assert _ids(index, "武汉 孩子") == [docs["zh"].id]
    assert _ids(index, "肺炎疫情") == [docs["zh"].id]  # two words typed together: a phrase of them
    assert _ids(index, "抗击疫情") == []  # both words are there, but apart
    assert _ids(index, "疫苗") == []


def test_a_german_plural_finds_the_singular_and_back(index: Path, docs: dict) -> None:
    body = docs["de"].body
    assert "Kalorien" in body and "Kalorie " not in body
    assert _ids(index, "Kalorie") == [docs["de"].id]
    assert _ids(index, "Wunschgewichte") == [docs["de"].id]  # the title holds the singular
    assert _ids(index, '"starken Willens"') == [docs["de"].id]  # "einen starken Willen"


def test_a_korean_noun_is_found_with_its_particle_attached(index: Path, docs: dict) -> None:
    body = docs["ko"].body + docs["ko"].title
    assert "영국의" in body and " 영국 " not in body
    assert _ids(index, "영국") == [docs["ko"].id]  # 영국의: UK + genitive particle
    assert _ids(index, "도시") == [docs["ko"].id]  # 도시입니다: city + copula
    assert _ids(index, "영국이") == [docs["ko"].id]  # another particle typed: the noun is what is searched


def test_a_japanese_word_inside_a_sentence_is_found(index: Path, docs: dict) -> None:
    assert _ids(index, "企業") == [docs["ja"].id]  # イギリスの新興企業を…
    assert _ids(index, "サンフランシスコ") == [docs["ja"].id]
    assert _ids(index, '"自動配達ロボ"') == [docs["ja"].id]
    assert _ids(index, "大都市") == [docs["ja"].id]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("ru", "робот"),  # роботов-курьеров
        ("ru", "Москва"),  # Москвы
        ("es", "camionero"),  # camioneros
        ("es", "movilizaciones"),  # movilización
        ("fr", "trottinette"),  # trottinettes
        ("fr", "véhicule"),  # véhicules
    ],
)
def test_inflected_words_find_their_article(index: Path, docs: dict, name: str, query: str) -> None:
    assert _ids(index, query) == [docs[name].id]


def test_passages_and_highlights_are_read_in_the_documents_language(index: Path, docs: dict) -> None:
    hit = reader.search(index, "疫情")["hits"][0]
    assert hit["passages"] and "<b>疫情</b>" in hit["passages"][0]["text"]
    assert "<b>疫情</b>" in hit["snippet"]
    hit = reader.search(index, "영국")["hits"][0]
    assert "<b>영국</b>의" in hit["passages"][0]["text"] or "<b>영국의</b>" in hit["passages"][0]["text"]
    hit = reader.search(index, "Kalorie")["hits"][0]
    assert "<b>Kalorien</b>" in hit["snippet"] and "<b>Kalorien</b>" in hit["passages"][0]["text"]
    assert reader.search(index, "企業")["hits"][0]["title"] == docs["ja"].title


def test_lang_narrows_the_languages_a_query_meets(index: Path, docs: dict) -> None:
    assert _ids(index, "Montréal", languages=["fr"]) == [docs["fr"].id]
    assert _ids(index, "Montréal", languages=["de", "es"]) == []
    assert _ids(index, "疫情", languages=["zh"]) == [docs["zh"].id]


def test_a_field_typed_in_the_query_is_searched_in_every_language(index: Path, docs: dict) -> None:
    assert _ids(index, "title:Wunschgewicht") == [docs["de"].id]
    assert _ids(index, "title:武汉") == [docs["zh"].id]
    assert _ids(index, "title:council") == [docs["en"].id]


def test_did_you_mean_offers_the_archives_german_word(index: Path) -> None:
    out = reader.search(index, "Schokolde")
    assert out["total"] == 0 and out["suggestion"] == "schokolade"


def test_fast_scoring_equals_whooshs_on_the_language_fields(index: Path) -> None:
    archive = Archive(index)
    searcher = archive.searcher()
    for text in (
        "疫情",
        '"新冠肺炎疫情"',
        "Kalorie OR trottinette",
        "영국 도시",
        "企業",
        "робот NOT Москва",
        "title:武汉",
        "Kalor*",
        "council",
    ):
        q = archive.parse(searcher, text)
        ours = scoring.evaluate(searcher, q)
        assert ours is not None, text
        collector = counting_collector(searcher, 1000, None, {})
        searcher.search_with_collector(q, collector)
        theirs = {d: s for s, d in collector.results().top_n}
        assert set(ours) == set(theirs), text
        for d, s in theirs.items():
            assert ours[d] == pytest.approx(s, rel=1e-9), text
    archive.close()


def _second_german(docs: dict):
    """Another German article on the same subject (the sample's paragraphs, reordered and reworded)."""
    return docs["de"].model_copy(
        update={
            "id": "de-second-article",
            "path": "de2.txt",
            "raw_hash": "5" * 64,  # its own bytes: the same raw hash would make it an exact copy of the first
            "title": "Abnehmen ohne Diät",
            # the body is made of blocks: the first article's words in another order (its subject, none of its
            # sentences: a shared run of text would make it a copy, which similar leaves out), then an essay on
            # another subject
            "blocks": [
                docs["de"].blocks[-1].model_copy(update={"text": " ".join(sorted(set(docs["de"].body.split())))}),
                *(
                    docs["de"].blocks[-1].model_copy(update={"text": para})
                    for para in OTHER_GERMAN.read_text(encoding="utf-8").split("\n\n")
                    if para.strip()
                ),
            ],
            "segments": [s.model_copy(update={"text": s.text.replace("Chips", "Kekse")}) for s in docs["de"].segments][
                ::-1
            ],
        }
    )


def test_similar_shares_no_function_words_of_the_language(tmp_path: Path, docs: dict) -> None:
    second = _second_german(docs)
    root = tmp_path / "index"
    with IndexStore(root).writing() as store:
        store.write([*docs.values(), second])
    out = reader.similar(root, docs["de"].id)
    assert out is not None and [h["id"] for h in out["hits"]][:1] == ["de-second-article"]
    stop = {w.lower() for w in ("und", "die", "der", "ihr", "euch", "eine", "nicht", "auch", "oder", "wenn")}
    assert out["hits"][0]["shared"] and not stop & {w.lower() for w in out["hits"][0]["shared"]}
    assert not stop & {w.lower() for w in out["terms"]}


def test_the_word_table_holds_no_chinese_clauses(index: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(index / "manifest.sqlite")
    words = [r[0] for r in conn.execute("SELECT word FROM words")]
    conn.close()
    assert "schokolade" in words
    assert not [w for w in words if analysis.CJK_TEXT.search(w)]


def test_the_cli_finds_a_chinese_word(index: Path, docs: dict) -> None:
    proc = run_cli("search", "疫情", "--json", "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    assert [h["id"] for h in json.loads(proc.stdout)["hits"]] == [docs["zh"].id]


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> list:
    folder = tmp_path_factory.mktemp("english")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(ARTICLES, folder / "articles")
    # The sample articles hold a Korean and a Portuguese page: the English corpus is the rest.
    return [d for d in enriched_folder(folder) if d.language in (None, "en")]


def test_english_results_are_unchanged(english: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The English test corpus searches exactly as when every text went through the English analyzer: the same
    documents, order, scores, snippets, passages and entities."""
    before, after = tmp_path / "before", tmp_path / "after"
    with monkeypatch.context() as m:
        m.setattr(analysis, "family", lambda language: analysis.BASE)
        with IndexStore(before).writing() as store:
            store.write(english)
    with IndexStore(after).writing() as store:
        store.write(english)
    assert len(english) > 40
    for query in (
        "gulags",
        '"Kursk region"',
        "troops NOT korea",
        "korea",
        "council OR election",
        "kurst",
        "title:troops",
        "sanctions",
        "milit*",
    ):
        a, b = reader.search(before, query, limit=20), reader.search(after, query, limit=20)
        for out in (a, b):
            out.pop("query", None)
        assert a == b, query


def test_stats_counts_documents_per_language(index: Path) -> None:
    out = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert out["languages"] == {code: 1 for code in ("de", "en", "es", "fr", "ja", "ko", "ru", "zh")}
    human = run_cli("stats", "--index", str(index)).stdout
    assert "languages    de 1, en 1, es 1" in human


def test_similar_takes_lang(tmp_path: Path, docs: dict) -> None:
    second = _second_german(docs)
    root = tmp_path / "index"
    with IndexStore(root).writing() as store:
        store.write([*docs.values(), second])
    both = json.loads(run_cli("similar", "doc-de", "--json", "--index", str(root)).stdout)
    assert "de-second-article" in [h["id"] for h in both["hits"]]
    french = json.loads(run_cli("similar", "doc-de", "--lang", "fr", "--json", "--index", str(root)).stdout)
    assert all(h["language"] == "fr" for h in french["hits"])
    bad = run_cli("similar", "doc-de", "--lang", "de;x", "--index", str(root))
    assert bad.returncode == 1 and "--lang" in bad.stderr


def test_words_keep_their_combining_marks() -> None:
    """Python's \\w leaves out combining marks: a Hindi or Bengali word would be cut at each vowel sign."""
    import unicodedata

    marks = analysis._MARKS.encode().decode("unicode_escape").replace("-", "")
    assert marks and all(unicodedata.category(ch) in ("Mn", "Mc", "Me") for ch in marks)
    words = [t.text for t in analysis.analyzer("xx")("বাংলাদেশের রাজধানী ঢাকা", mode="query")]
    assert words == ["বাংলাদেশের", "রাজধানী", "ঢাকা"]
    assert [t.text for t in analysis.analyzer("hi")("दिल्ली", mode="query")] == ["दिल्ल"]


def test_a_query_leaf_without_a_field_has_no_base_field() -> None:
    """Regression: the fuzz test found a parsed leaf whose field is None; did-you-mean raised on it."""
    from newsdex.index.analysis import base_of

    assert base_of(None) == "" and base_of("") == ""
    assert base_of("body_de") == "body" and base_of("title") == "title" and base_of("source") == "source"


def test_entities_and_duplicates_take_lang(tmp_path: Path, docs: dict) -> None:
    """`--lang` on every read command: the names of one language's documents, and the copies among them."""
    copy = docs["es"].model_copy(update={"id": "doc-es-copy", "path": "es-copy.txt", "raw_hash": "es-copy"})
    root = tmp_path / "index"
    with IndexStore(root).writing() as store:
        store.write([*docs.values(), copy])

    def names(*options: str) -> set[str]:
        proc = run_cli("entities", "--json", "--limit", "200", "--index", str(root), *options)
        assert proc.returncode == 0, proc.stderr
        return {e["name"] for e in json.loads(proc.stdout)}

    spanish = {e.name for e in docs["es"].entities if not e.caption_only}
    french = {e.name for e in docs["fr"].entities if not e.caption_only}
    assert spanish and french and names("--lang", "es") == spanish
    assert names("--lang", "es", "--lang", "fr") == spanish | french < names()
    assert names("--lang", "xx") == set()

    def clusters(*options: str) -> list[list[str]]:
        proc = run_cli("duplicates", "--json", "--index", str(root), *options)
        assert proc.returncode == 0, proc.stderr
        return [[m["id"] for m in c["members"]] for c in json.loads(proc.stdout)["clusters"]]

    assert sorted(map(sorted, clusters())) == [["doc-es", "doc-es-copy"]]
    assert clusters("--lang", "ES") == clusters()
    assert clusters("--lang", "fr") == []
    human = run_cli("duplicates", "--lang", "fr", "--index", str(root))
    assert human.stdout.strip() == "no copies in fr"
