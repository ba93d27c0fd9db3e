"""Languages: detected offline from the cleaned body (a feed's wins), stored in the index and the manifest,
shown by `show`, counted in `facets.language` and filtered with `search --lang` through the real command; an
index built before the field existed still searches. Cleaning counts the page language's stopwords."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdex.models import CleanDoc, EnrichedDoc, RawDoc
from newsdex.tasks.clean.lines import Line
from newsdex.tasks.clean.stoplists import page_stopwords
from newsdex.tasks.language import detect_language
from newsdex.tasks.segment import segment_document
from tests.conftest import run_cli
from tests.test_contract import assert_valid

ARTICLES = {
    "en": (
        "City council approves new cycling lanes",
        "The city council voted on Tuesday to build twelve kilometres of protected cycling lanes across the "
        "centre, after a year of public consultation in which most residents said they felt unsafe on the roads.\n"
        "Work is expected to begin in the spring and should be finished before the end of next year, the mayor "
        "said, adding that the project would be paid for by the regional transport fund.",
    ),
    "de": (
        "Stadtrat beschließt neue Radwege",
        "Der Stadtrat hat am Dienstag beschlossen, in der Innenstadt zwölf Kilometer geschützte Radwege zu bauen, "
        "nachdem sich bei einer einjährigen Bürgerbefragung die meisten Anwohner auf den Straßen unsicher fühlten.\n"
        "Die Arbeiten sollen im Frühjahr beginnen und bis zum Ende des nächsten Jahres abgeschlossen sein, sagte "
        "die Bürgermeisterin. Bezahlt werde das Vorhaben aus dem regionalen Verkehrsfonds.",
    ),
    "es": (
        "El ayuntamiento aprueba nuevos carriles bici",
        "El ayuntamiento votó el martes a favor de construir doce kilómetros de carriles bici protegidos en el "
        "centro, después de un año de consultas en el que la mayoría de los vecinos dijo sentirse inseguro.\n"
        "Las obras comenzarán en primavera y deberían terminar antes de que acabe el próximo año, según explicó "
        "la alcaldesa, que añadió que el proyecto se pagará con el fondo regional de transporte.",
    ),
    "fr": (
        "Le conseil municipal approuve de nouvelles pistes cyclables",
        "Le conseil municipal a voté mardi la construction de douze kilomètres de pistes cyclables protégées dans "
        "le centre, après une année de concertation au cours de laquelle la plupart des habitants ont dit ne pas "
        "se sentir en sécurité.\nLes travaux devraient commencer au printemps et s'achever avant la fin de l'année "
        "prochaine, a précisé la maire, ajoutant que le projet serait financé par le fonds régional des transports.",
    ),
}


def _clean(lang: str, **extra: object) -> CleanDoc:
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document

    title, body = ARTICLES[lang]
    raw = RawDoc(id=f"doc-{lang}", path=f"{lang}.txt", kind="text", text=f"{title}\n\n{body}\n", raw_hash=lang)
    return clean_document(raw, load_rules()).model_copy(update=extra)


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_language_detected_for_real_paragraphs(lang: str) -> None:
    title, body = ARTICLES[lang]
    assert detect_language(body) == lang
    assert segment_document(_clean(lang)).language == lang


def test_too_little_text_has_no_language() -> None:
    assert detect_language("") is None
    assert detect_language("Q3 2025: 4.5%") is None


def test_a_feed_language_wins_and_keeps_its_language_part() -> None:
    assert segment_document(_clean("en", language="pt-BR")).language == "pt"
    assert segment_document(_clean("en", language="not a code")).language == "en"  # unusable: detected


def test_german_prose_counts_german_stopwords() -> None:
    _, body = ARTICLES["de"]
    lines = body.splitlines()
    stopwords, scale = page_stopwords(lines)
    english = [Line.of(t).stop_ratio for t in lines]
    german = [Line.of(t, stopwords, scale).stop_ratio for t in lines]
    assert all(e < 0.15 for e in english)  # the English list sees no prose here (is_dense needs 0.15)
    assert all(g >= 0.15 for g in german)
    assert page_stopwords(ARTICLES["en"][1].splitlines())[1] == 1.0  # English pages: the English list as before


def test_every_paragraph_of_a_non_english_page_is_kept() -> None:
    for lang in ("de", "es", "fr"):
        doc = _clean(lang)
        assert [b.text for b in doc.blocks if b.kind == "paragraph"] == ARTICLES[lang][1].splitlines()


def _enriched() -> list[EnrichedDoc]:
    from newsdex.tasks.enrich.stage import enrich_documents

    docs = [segment_document(_clean(lang)) for lang in sorted(ARTICLES)]
    docs.append(segment_document(_clean("de").model_copy(update={"id": "doc-de2", "path": "de2.txt"})))
    return enrich_documents(docs)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsdex.index.store import IndexStore

    root = tmp_path_factory.mktemp("lang") / "index"
    store = IndexStore(root)
    with store.writing():
        store.write(_enriched())
    return root


def _cli_json(*args: str) -> dict:
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_language_is_stored_and_shown(index: Path) -> None:
    for lang in ARTICLES:
        doc = _cli_json("show", f"doc-{lang}", "--index", str(index), "--json")
        assert doc["language"] == lang
        assert_valid("show", doc)


def test_language_facet_counts_the_matches(index: Path) -> None:
    # doc-de2 is a copy of doc-de (the same text): a story counts once, unless every copy is asked for.
    out = _cli_json("search", "--all", "--index", str(index), "--json")
    assert_valid("search", out)
    assert out["facets"]["language"] == [{"name": code, "count": 1} for code in ("de", "en", "es", "fr")]
    out = _cli_json("search", "--all", "--all-copies", "--index", str(index), "--json")
    assert out["facets"]["language"] == [{"name": "de", "count": 2}] + [
        {"name": code, "count": 1} for code in ("en", "es", "fr")
    ]
    assert {h["id"]: h["language"] for h in out["hits"]}["doc-es"] == "es"
    out = _cli_json("search", "Radwege", "--all-copies", "--index", str(index), "--json")
    assert out["facets"]["language"] == [{"name": "de", "count": 2}]


def test_lang_filter_through_the_cli(index: Path) -> None:
    def ids(*extra: str) -> set[str]:
        out = _cli_json("search", "--all", "--all-copies", "--index", str(index), "--json", *extra)
        assert out["total"] == len(out["hits"])
        return {h["id"] for h in out["hits"]}

    assert ids("--lang", "de") == {"doc-de", "doc-de2"}
    assert ids("--lang", "DE,fr") == {"doc-de", "doc-de2", "doc-fr"}
    assert ids("--lang", "es", "--lang", "en") == {"doc-es", "doc-en"}
    assert ids("--lang", "it") == set()
    out = _cli_json("search", "council OR Stadtrat", "--lang", "en", "--index", str(index), "--json")
    assert [h["id"] for h in out["hits"]] == ["doc-en"]
    bad = run_cli("search", "--all", "--lang", "de;drop", "--index", str(index))
    assert bad.returncode == 1 and "--lang" in bad.stderr


def test_an_index_built_before_languages_still_searches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdex.index import schema, writer
    from newsdex.index.store import IndexStore

    def old_schema():  # the schema as it was before the language field
        fields = {name: field for name, field in schema.build_schema().items() if not name.startswith("spell_")}
        fields.pop("language")
        return schema.Schema(**fields)

    docs = _enriched()
    root = tmp_path / "index"
    store = IndexStore(root)
    with monkeypatch.context() as m:
        m.setattr(writer, "build_schema", old_schema)
        m.setattr(writer, "to_fields", lambda d: {k: v for k, v in schema.to_fields(d).items() if k != "language"})
        with store.writing():
            store.write(docs[:3])
    out = _cli_json("search", "--all", "--index", str(root), "--json")
    assert out["total"] == 3 and out["facets"]["language"] == []
    assert all(h["language"] is None for h in out["hits"])
    assert _cli_json("search", "--all", "--lang", "de", "--index", str(root), "--json")["total"] == 0
    assert _cli_json("search", "Stadtrat", "--lang", "de", "--index", str(root), "--json")["total"] == 0
    # The next write adds the field: new documents have a language, old ones still none.
    with store.writing():
        store.write(docs[3:])
    out = _cli_json("search", "--all", "--lang", "de,fr", "--index", str(root), "--json")
    assert {h["id"] for h in out["hits"]} == {d.id for d in docs[3:] if d.language in ("de", "fr")}
    assert _cli_json("search", "--all", "--index", str(root), "--json")["total"] == len(docs)


def test_the_ingest_flow_stores_the_language(seed_index: dict) -> None:
    index = str(seed_index["index"])
    out = _cli_json("search", "--all", "--index", index, "--json")
    assert out["facets"]["language"] == [{"name": "en", "count": out["total"]}]  # the seeds are English news
    assert _cli_json("show", out["hits"][0]["id"], "--index", index, "--json")["language"] == "en"
    assert _cli_json("search", "--all", "--lang", "de", "--index", index, "--json")["total"] == 0


def test_clean_json_has_the_language(tmp_path: Path) -> None:
    title, body = ARTICLES["es"]
    (tmp_path / "es.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    proc = run_cli("clean", str(tmp_path / "es.txt"), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["language"] == "es"
