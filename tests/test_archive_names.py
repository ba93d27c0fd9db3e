"""Names the archive knows (tasks/enrich/known.py): a page in a language without a model gets the people,
organisations and places of the archive's English articles, found by exact matching, and not its words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdex.flows.options import IngestOptions
from newsdex.reading.reader import search
from newsdex.tasks.enrich.known import archive_names
from tests.conftest import ARTICLES

# One English article in two forms (a scraper's text and the cleaned truth): its names are in two documents.
ARTICLE = "04a6711caa7c687592777718866e781e976e0fe684faebe8b3cedcef8cd0ea34.txt"
SPANISH = """El Senado de Kentucky aprueba una nueva ley electoral

El líder republicano Mitch McConnell y el gobernador Andy Beshear discutieron el martes la reforma electoral del
estado. Según los analistas, la votación será muy reñida en las próximas semanas.

Los ciudadanos de Kentucky podrán votar por correo si la propuesta sale adelante, dijeron fuentes del gobierno.
"""


def test_archive_names_keeps_names_not_words() -> None:
    rows = [
        ("Mitch McConnell", "PERSON"),
        ("said", "ORG"),  # a word
        ("AP", "ORG"),  # too short: a word or an abbreviation elsewhere
        ("The", "ORG"),  # an English function word
        ("2025 Olympics", "MISC"),
        ("習近平", "PERSON"),  # a script without case
        ("Euro", "PERSON"),  # one word: in German, every noun has a capital
        ("New Orleans", "LOC"),
        ("Social Media", "ORG"),  # organisations come from the curated list: the model's are often jargon
    ]
    assert archive_names(rows) == {"Mitch McConnell": "PERSON", "習近平": "PERSON", "New Orleans": "LOC"}


@pytest.mark.prefect
def test_a_spanish_page_gets_the_names_of_the_archives_english_articles(prefect_harness, tmp_path: Path) -> None:
    from newsdex.flows.ingest import ingest_flow

    english, spanish = tmp_path / "en", tmp_path / "es"
    english.mkdir()
    for form in ("scraped", "truth"):
        shutil.copy(ARTICLES / "scrapinghub" / form / ARTICLE, english / f"{form}.txt")
    spanish.mkdir()
    (spanish / "kentucky.txt").write_text(SPANISH, encoding="utf-8")
    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(english)], index=str(index)))
    ingest_flow(IngestOptions(paths=[str(spanish)], index=str(index)))
    hit = search(index, "votación", limit=1)["hits"][0]
    assert hit["language"] == "es"
    assert {"Mitch McConnell", "Andy Beshear"} <= set(hit["entities"]["PERSON"])
    found = search(index, "*", entities=[("PERSON", "Andy Beshear")], languages=("es",))  # the entity filter finds it
    assert [h["id"] for h in found["hits"]] == [hit["id"]]


def test_a_batch_reads_the_archives_names_only_when_a_page_needs_them() -> None:
    """The names are a query of the whole entity table: an English batch never asks for them; a batch with a
    Spanish page does, once."""
    from newsdex.flows.batch import BatchJob, _run
    from newsdex.models import RawDoc
    from newsdex.settings import Settings
    from newsdex.tasks.clean.rules import load_rules
    from tests.conftest import SEEDS

    asked: list[int] = []

    def names() -> dict[str, str]:
        asked.append(1)
        return {"Mitch McConnell": "PERSON"}

    def job(*texts: str) -> BatchJob:
        raws = [RawDoc(id=f"d{i}", path=f"d{i}.txt", kind="text", text=t, raw_hash=str(i)) for i, t in enumerate(texts)]
        return BatchJob(load_rules(), Settings(index=Path("unused")), raws=raws, build_segment=False)

    english = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    _run(job(english), None, names)
    assert asked == []
    result = _run(job(english, SPANISH), None, names)
    assert asked == [1]
    spanish = next(d for d in result.docs if d.language == "es")
    assert "Mitch McConnell" in {e.name for e in spanish.entities}
