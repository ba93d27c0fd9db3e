"""The enrich stage on the seeds and on text of our own: recognition, one name per entity, aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdex.models import EnrichedDoc, Segment, SegmentedDoc
from newsdex.tasks.enrich import canonical
from newsdex.tasks.enrich.stage import enrich_documents, recognise

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def make_doc(text: str, ident: str = "t") -> SegmentedDoc:
    """A SegmentedDoc from plain text: first block is the title, blank lines separate paragraphs."""
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    segments = [Segment(kind="paragraph", text=b, sentences=[b]) for b in blocks[1:]]
    return SegmentedDoc(id=ident, path=f"{ident}.txt", kind="text", raw_hash="", title=blocks[0], segments=segments)


def by_name(doc: EnrichedDoc) -> dict[str, tuple[str, list[str], int]]:
    return {e.name: (e.type, e.mentions, e.count) for e in doc.entities}


@pytest.fixture(scope="module")
def seeds() -> dict[str, EnrichedDoc]:
    paths = sorted(SEEDS.glob("*.txt"))
    docs = [make_doc(p.read_text(encoding="utf-8"), p.stem[:3]) for p in paths]
    return {d.id: d for d in enrich_documents(docs)}


def test_kim_jong_un_has_one_name_in_every_seed_whatever_the_spelling(seeds) -> None:
    for doc in seeds.values():
        names = by_name(doc)
        assert names["Kim Jong Un"][0] == "PERSON", doc.id
        assert not [n for n in names if "Jong" in n and n != "Kim Jong Un"], doc.id
    assert {"Kim Jong-un", "Kim Jong Un", "Kim"} <= set(by_name(seeds["002"])["Kim Jong Un"][1])
    assert "Kim Jong-un" in by_name(seeds["001"])["Kim Jong Un"][1]


def test_putin_zelensky_and_nis_are_one_entity_across_seeds(seeds) -> None:
    for doc in seeds.values():
        for e in doc.entities:
            if any("Putin" in m for m in e.mentions):
                assert (e.type, e.name) == ("PERSON", "Vladimir Putin"), doc.id
            if any("Zelensk" in m for m in e.mentions):
                assert (e.type, e.name) == ("PERSON", "Volodymyr Zelensky"), doc.id
            if "NIS" in e.mentions:
                assert (e.type, e.name) == ("ORG", "National Intelligence Service"), doc.id
    assert sum("Vladimir Putin" in by_name(d) for d in seeds.values()) == 5
    assert "Zelensky" in by_name(seeds["001"])["Volodymyr Zelensky"][1]  # "President Zelensky": title stripped
    for ident in ("001", "004"):
        kind, mentions, _ = by_name(seeds[ident])["National Intelligence Service"]
        assert {"NIS", "National Intelligence Service"} <= set(mentions)


def test_isw_is_the_institute_it_abbreviates(seeds) -> None:
    kind, mentions, count = by_name(seeds["003"])["Institute for the Study of War"]
    assert kind == "ORG" and set(mentions) == {"Institute of the Study of War", "ISW"} and count == 4


def test_isw_joins_its_expansion_even_without_an_alias(tmp_path) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text("[ORG]\n")
    canonical.use_aliases(path)  # what a run does with Settings.aliases ($NEWSDEX_ALIASES)
    try:
        doc = enrich_documents([make_doc((SEEDS / "003_74e64ee529b26e9e.txt").read_text(encoding="utf-8"))])[0]
    finally:
        canonical.use_aliases(None)
    isw = [e for e in doc.entities if "ISW" in e.mentions]
    assert len(isw) == 1 and isw[0].name == "Institute of the Study of War" and isw[0].count == 4


def test_a_batch_job_canonicalizes_with_the_alias_file_it_carries(tmp_path, monkeypatch) -> None:
    """Regression: a worker read the alias file from its own environment; now the job brings the flow's."""
    from newsdex.flows.batch import BatchJob, run_job
    from newsdex.models import RawDoc
    from newsdex.settings import Settings
    from newsdex.tasks.clean.rules import load_rules

    path = tmp_path / "aliases.toml"
    path.write_text("[ORG]\n")
    monkeypatch.delenv("NEWSDEX_ALIASES", raising=False)  # this process's environment names the packaged file
    seed = SEEDS / "003_74e64ee529b26e9e.txt"
    raw = RawDoc(id="003", path=str(seed), kind="text", text=seed.read_text(encoding="utf-8"), raw_hash="h")
    job = BatchJob(load_rules(), Settings(index=tmp_path, aliases=path), raws=[raw], build_segment=False)
    try:
        (doc,) = run_job(job).docs
    finally:
        canonical.use_aliases(None)
    names = {e.name for e in doc.entities if "ISW" in e.mentions}
    assert names == {"Institute of the Study of War"}  # the packaged file would say "for the Study of War"


def test_places_people_and_organisations_of_the_seeds(seeds) -> None:
    assert by_name(seeds["001"])["Kyiv"][:2] == ("LOC", ["Kiev"])  # "Kiev's readiness"
    assert by_name(seeds["001"])["Waseda University"][0] == "ORG"
    assert by_name(seeds["001"])["Toshimitsu Shigemura"][2] == 3  # full name, then "Shigemura" twice
    assert by_name(seeds["001"])["Chung In-beom"][0] == "PERSON"  # shown as written, not "Chung In Beom"
    assert by_name(seeds["000"])["Keir Giles"][1] == ["Keir Giles", "Giles"]  # "Mr Giles"
    for ident, place in [("000", "Sochi"), ("003", "Donetsk"), ("004", "Brussels"), ("002", "Pyongyang")]:
        assert by_name(seeds[ident])[place][0] == "LOC"
    # "Minister Kim" is South Korea's defence minister, not the leader written in full before.
    assert by_name(seeds["002"])["Kim"] == ("PERSON", ["Kim"], 2)


def test_entities_are_sorted_and_counted(seeds) -> None:
    for doc in seeds.values():
        counts = [e.count for e in doc.entities]
        assert counts == sorted(counts, reverse=True)
        assert all(e.count >= len(e.mentions) >= 1 for e in doc.entities)
        assert {e.type for e in doc.entities} <= {"PERSON", "ORG", "LOC", "NORP", "DATE", "MISC"}
        assert len({(e.type, e.name) for e in doc.entities}) == len(doc.entities)


OWN = """Clinton and Merkel meet in Berlin

Former US Secretary of State Hillary Clinton met Chancellor Angela Merkel in Berlin on Monday, \
the chancellery said.

Clinton later flew to Paris. Merkel stayed in the German capital.

The World Health Organization (WHO) warned of a new outbreak. WHO officials in Geneva said more \
tests were needed, and the Committee to Protect Journalists (CPJ) asked for access. CPJ staff said so.

Officials in Kiev, which Ukrainians spell Kyiv, welcomed the visit. Prime Minister Keir Starmer \
called it useful; Starmer spoke from London."""


def test_own_text_written_differently() -> None:
    names = by_name(enrich_documents([make_doc(OWN)])[0])
    assert names["Hillary Clinton"][0] == "PERSON" and names["Hillary Clinton"][2] == 3
    assert names["Angela Merkel"][0] == "PERSON" and "Merkel" in names["Angela Merkel"][1]
    assert names["Keir Starmer"] == ("PERSON", ["Keir Starmer", "Starmer"], 2)
    assert names["Kyiv"][0] == "LOC" and set(names["Kyiv"][1]) == {"Kiev", "Kyiv"}
    assert names["World Health Organization"][0] == "ORG" and "WHO" in names["World Health Organization"][1]
    # The long form, "(CPJ)" right after it, and "CPJ staff".
    assert names["Committee to Protect Journalists"] == ("ORG", ["Committee to Protect Journalists", "CPJ"], 3)
    for place in ("Berlin", "Paris", "Geneva", "London"):
        assert names[place][0] == "LOC"
    assert "Chancellor Angela Merkel" not in names and "Prime Minister Keir Starmer" not in names


def test_recognise_returns_character_spans() -> None:
    texts = ["Angela Merkel visited Paris with officials of Siemens AG.", "", "Nothing to see here."]
    spans = recognise(texts)
    assert len(spans) == 3 and spans[1] == [] and spans[2] == []
    found = {(texts[0][s:e], t) for s, e, t in spans[0]}
    assert {("Angela Merkel", "PERSON"), ("Paris", "LOC")} <= found


def test_parallel_path_gives_the_same_entities(seeds, monkeypatch) -> None:
    import newsdex.tasks.enrich.stage as enrich

    docs = [make_doc(p.read_text(encoding="utf-8"), p.stem[:3]) for p in sorted(SEEDS.glob("*.txt"))]
    monkeypatch.setattr(enrich, "PARALLEL_MIN_WORDS", 1)
    parallel = {d.id: d.entities for d in enrich_documents(docs)}
    assert parallel == {i: d.entities for i, d in seeds.items()}


def test_empty_input() -> None:
    assert enrich_documents([]) == []
    doc = enrich_documents([SegmentedDoc(id="e", path="e.txt", kind="text", raw_hash="")])[0]
    assert doc.entities == []


def test_importing_enrich_is_light_and_its_task_lives_in_the_flows() -> None:
    import subprocess
    import sys

    code = (
        "import sys, newsdex.tasks.enrich.stage as e; "
        "print(sorted(m for m in ('spacy', 'prefect') if m in sys.modules)); "
        "from newsdex.flows import steps; print(type(steps.process_task).__name__)"
    )  # enriches each batch
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "Task"]


def test_a_long_document_goes_through_in_pieces(monkeypatch) -> None:
    import newsdex.tasks.enrich.stage as enrich

    monkeypatch.setattr(enrich, "CHUNK_CHARS", 2_000)
    para = "Officials in Kyiv met Angela Merkel again.\n\n" * 200  # 9,000 characters: five pieces
    assert len(enrich._chunks(para)) == 5
    long, own = enrich_documents([make_doc("Long\n\n" + para, "long"), make_doc(OWN, "own")])
    assert by_name(long)["Kyiv"][2] == 200 and by_name(long)["Angela Merkel"][2] == 200
    assert "Keir Starmer" in by_name(own)


def test_names_in_transliteration_and_no_bare_compass_places() -> None:
    text = (
        "Talks\n\nSouth Korean President Yoon Suk Yeol met Lieutenant General Kyrylo Budanov in Seoul. "
        "Officials said Osama bin Laden and Abu Bakr al-Baghdadi were dead. Defense Minister Kim Yong-hyun "
        "spoke. The North's constitution was changed, and the West was warned; the shelling of Donetsk last "
        "week went on."
    )
    names = by_name(enrich_documents([make_doc(text)])[0])
    for person in ("Yoon Suk Yeol", "Kyrylo Budanov", "Osama bin Laden", "Kim Yong-hyun"):
        assert names[person][0] == "PERSON", (person, names)
    assert names["Donetsk"][0] == "LOC"
    assert "North" not in names and "West" not in names


def test_display_name_is_the_most_frequent_spelling_written() -> None:
    text = "Visit\n\nChung In-beom spoke. Later CHUNG IN-BEOM and Chung In-beom spoke again, and Chung In Beom left."
    names = by_name(enrich_documents([make_doc(text)])[0])
    assert "Chung In-beom" in names and "Chung In Beom" not in names


def test_photo_credit_agencies_are_caption_entities_not_the_article_s(seeds) -> None:
    # Seed 000's photos are credited "© KCNA VIA KNS/AFP via Getty Images": who took the pictures.
    credited = {e.name for e in seeds["000"].entities if e.caption_only}
    assert {"Getty Images", "Agence France-Presse"} <= credited
    article = {e.name for e in seeds["000"].entities if not e.caption_only}
    assert "Kim Jong Un" in article and not credited & article
    from newsdex.index.schema import to_fields

    fields = to_fields(seeds["000"])  # the index's entity fields (facets, --entity) leave them out
    assert "getty" not in str(fields.get("org", "")).lower() and "Kim Jong Un" in str(fields.get("person"))
