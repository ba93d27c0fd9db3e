"""Cleaning and entities on real text in German, Spanish, French, Russian, Chinese, Japanese and Korean
(tests/data/languages, with their licences): no line of another script removed for being one, invisible
characters gone at decoding, no English model and no function word in any of their entities, transliterated
names resolved through the alias file, and the run report counting documents per recogniser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdex.models import CleanDoc, EnrichedDoc, RawDoc, SegmentedDoc
from newsdex.tasks.decode import strip_controls, strip_invisible
from newsdex.tasks.enrich.guard import holds_function_word, is_function_word_name
from newsdex.tasks.load import decode_input
from newsdex.tasks.segment import segment_document
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "languages"
LANGUAGES = ("de", "es", "fr", "ru", "zh", "ja", "ko")
SPACELESS_OR_HANGUL = ("zh", "ja", "ko")


def _text(lang: str) -> str:
    return (DATA / f"{lang}.txt").read_text(encoding="utf-8")


def _clean(text: str, name: str, kind: str = "text") -> CleanDoc:
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document

    raw = RawDoc(
        id=f"doc-{name}", path=f"{name}.{'html' if kind == 'html' else 'txt'}", kind=kind, text=text, raw_hash=name
    )
    return clean_document(raw, load_rules())


@pytest.fixture(scope="module")
def cleaned() -> dict[str, CleanDoc]:
    return {lang: _clean(_text(lang), lang) for lang in LANGUAGES}


@pytest.fixture(scope="module")
def enriched(cleaned: dict[str, CleanDoc]) -> dict[str, EnrichedDoc]:
    from newsdex.tasks.enrich.stage import enrich_documents

    docs = [segment_document(cleaned[lang]) for lang in LANGUAGES]
    return {d.language or "": d for d in enrich_documents(docs)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_is_detected(cleaned: dict[str, CleanDoc], lang: str) -> None:
    assert segment_document(cleaned[lang]).language == lang


@pytest.mark.parametrize("lang", SPACELESS_OR_HANGUL)
def test_no_chinese_japanese_or_korean_line_is_removed(cleaned: dict[str, CleanDoc], lang: str) -> None:
    doc = cleaned[lang]
    removed = [(d.rule, d.text[:30]) for d in doc.trace if not d.kept and d.role != "title"]
    assert removed == []
    paragraphs = [p for p in _text(lang).split("\n\n")[1:] if p.strip()]
    assert [b.text for b in doc.blocks] == [p.strip() for p in paragraphs]


@pytest.mark.parametrize("lang", ("de", "es", "fr", "ru"))
def test_every_paragraph_of_the_other_languages_is_kept(cleaned: dict[str, CleanDoc], lang: str) -> None:
    paragraphs = [p.strip() for p in _text(lang).split("\n\n")[1:] if p.strip()]
    assert [b.text for b in cleaned[lang].blocks] == paragraphs  # headings and paragraphs


def test_the_issues_chinese_lines_are_no_keyboard_junk() -> None:
    # Regression: both lines were removed as [keyboard-junk] (no Latin vowel), then by the line model.
    doc = _clean("中国经济增长放缓\n\n分析人士认为房地产市场持续低迷\n", "zh-issue")
    assert doc.title == "中国经济增长放缓"
    assert doc.body == "分析人士认为房地产市场持续低迷"
    assert all(d.rule != "keyboard-junk" for d in doc.trace)


def test_latin_keyboard_junk_is_still_removed() -> None:
    text = _text("fr").replace("\n\n", "\n\nfdfddfdffddfdfdf\n\n", 1)
    doc = _clean(text, "fr-junk")
    assert [d.rule for d in doc.trace if d.text == "fdfddfdffddfdfdf"] == ["keyboard-junk"]


def test_soft_hyphens_and_zero_width_spaces_go_at_decoding() -> None:
    assert strip_invisible("réor\u00adgani\u00adsa\u00adtions") == "réorganisations"
    assert strip_invisible("\ufeffSelen\u200bskyj\u2060") == "Selenskyj"
    raw = decode_input("fr.txt", _text("fr").replace("trottinettes", "trot\u00adti\u00adnettes").encode("utf-8"))
    assert isinstance(raw, RawDoc) and "\u00ad" not in raw.text and "trottinettes" in raw.text
    assert strip_controls("a\u00adb") == "ab"


def test_joiners_stay_where_scripts_need_them() -> None:
    persian = "می\u200cخواهم"  # ZWNJ spells the word
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji built with ZWJ
    thai = "\u0e01\u0e34\u0e19\u200b\u0e02\u0e49\u0e32\u0e27"  # ZWSP: Thai's only word boundary
    assert strip_invisible(persian) == persian
    assert strip_invisible(family) == family
    assert strip_invisible(thai) == thai
    assert strip_invisible("Zelen\u200dskyy") == "Zelenskyy"  # between Latin letters it joins nothing


def test_soft_hyphens_written_as_html_entities_are_removed_too() -> None:
    paragraphs = _text("fr").split("\n\n")
    body = "".join(f"<p>{p}</p>" for p in paragraphs[1:])
    body = body.replace("trottinettes", "trot&shy;ti&shy;nettes")
    page = (
        f"<html><head><title>{paragraphs[0]}</title></head><body><article><h1>{paragraphs[0]}</h1>{body}"
        "</article></body></html>"
    )
    doc = _clean(page, "fr-html", kind="html")
    assert "trottinettes" in doc.body and "\u00ad" not in doc.body


@pytest.fixture(scope="module")
def soft_hyphen_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from newsdex.index.store import IndexStore
    from newsdex.tasks.enrich.stage import enrich_documents

    text = _text("fr").replace("Le bilan", "La réor\u00adgani\u00adsa\u00adtion du bilan", 1)
    raw = decode_input("fr-shy.txt", text.encode("utf-8"))
    assert isinstance(raw, RawDoc)
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document

    root = tmp_path_factory.mktemp("shy") / "index"
    store = IndexStore(root)
    with store.writing():
        store.write(enrich_documents([segment_document(clean_document(raw, load_rules()))]))
    return root


def test_a_word_written_with_soft_hyphens_is_found(soft_hyphen_index: Path) -> None:
    proc = run_cli("search", "réorganisation", "--index", str(soft_hyphen_index), "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["hits"]) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_function_word_becomes_an_entity(enriched: dict[str, EnrichedDoc], lang: str) -> None:
    doc = enriched[lang]
    names = [m for e in doc.entities for m in e.mentions]
    assert [m for m in names if holds_function_word(m, lang)] == []


def test_known_names_are_found_in_other_languages_with_their_canonical_names(
    enriched: dict[str, EnrichedDoc],
) -> None:
    de = {(e.type, e.name) for e in enriched["de"].entities}
    es = {(e.type, e.name) for e in enriched["es"].entities}
    # German "Russland" and Spanish "Rusia" are one country, through the alias file; Spanish "Kiev" is Kyiv.
    assert {("PERSON", "Olaf Scholz"), ("LOC", "Russia"), ("LOC", "Ukraine"), ("LOC", "China")} <= de
    assert {("PERSON", "Emmanuel Macron"), ("LOC", "Kyiv"), ("LOC", "Ukraine"), ("LOC", "Russia")} <= es


def test_no_english_model_output_outside_english(enriched: dict[str, EnrichedDoc]) -> None:
    from newsdex.tasks.enrich.known import shipped_names

    known = set(shipped_names())
    for lang in LANGUAGES:
        found = {m for e in enriched[lang].entities for m in e.mentions}
        assert found <= known, (lang, found - known)  # every mention is a name newsdex knows, as written


def test_a_transliterated_alias_resolves_to_one_entity() -> None:
    from newsdex.tasks.enrich.stage import enrich_documents

    # One sentence of each sample's language naming Zelensky its own way: German, Ukrainian, Chinese, English.
    texts = {
        "de": "Der ukrainische Präsident Wolodymyr Selenskyj traf am Dienstag in Berlin ein. Selenskyj sprach "
        "mit Olaf Scholz über die Lage an der Front und über weitere Hilfe für die Ukraine.",
        "uk": "Президент України Володимир Зеленський прибув до Берліна. Зеленський обговорив з канцлером "
        "ситуацію на фронті та подальшу допомогу Україні.",
        "zh": "乌克兰总统泽连斯基周二抵达柏林，与德国总理肖尔茨讨论了前线局势和对乌克兰的进一步援助。",
        "en": "Ukrainian President Volodymyr Zelenskyy arrived in Berlin on Tuesday. Zelensky discussed the "
        "situation at the front and further aid for Ukraine with Chancellor Olaf Scholz.",
    }
    docs = []
    for lang, text in texts.items():
        doc = segment_document(_clean(f"{lang}\n\n{text}\n", f"zel-{lang}"))
        docs.append(SegmentedDoc(**{**doc.model_dump(), "language": lang}))
    names = {d.language: {e.name for e in d.entities if e.type == "PERSON"} for d in enrich_documents(docs)}
    for lang in texts:
        assert "Volodymyr Zelensky" in names[lang], (lang, names[lang])
    german = next(d for d in enrich_documents(docs[:1]))
    zelensky = [e for e in german.entities if e.name == "Volodymyr Zelensky"]
    assert len(zelensky) == 1 and zelensky[0].count == 2  # "Wolodymyr Selenskyj" and "Selenskyj": one entity


def test_the_guard_drops_function_words_and_keeps_names_that_begin_with_articles() -> None:
    assert is_function_word_name("de la", "fr")
    assert is_function_word_name("Reihen kann sie", "de")
    assert is_function_word_name("zum Beispiel", "de")
    assert is_function_word_name("para que", "es")
    assert is_function_word_name("Dans", "fr")
    assert not is_function_word_name("Le Monde", "fr")
    assert not is_function_word_name("Die Linke", "de")
    assert not is_function_word_name("UN", "fr")  # capitals: an abbreviation
    assert not is_function_word_name("Theresa May", "en")


def test_the_run_report_counts_documents_per_recogniser(enriched: dict[str, EnrichedDoc]) -> None:
    from newsdex.flows.report import RunReport

    report = RunReport(kind="ingest", rules_version="x")
    report.count_docs(list(enriched.values()))
    out = report.as_dict()
    assert out["recognisers"] == {"known-names": len(LANGUAGES)}
    assert out["languages"] == {lang: 1 for lang in LANGUAGES}
