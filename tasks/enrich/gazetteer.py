"""The place gazetteer (tasks/data/places.tsv, built by tools/build_gazetteer.py). No spaCy import."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from newsdex.tasks.shipped import DATA_DIR

PLACES_FILE = DATA_DIR / "places.tsv"


class Place(NamedTuple):
    kind: str  # country | region | city | district
    population: int


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    out: dict[str, Place] = {}
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, kind, pop = line.split("\t")
        out[name] = Place(kind, int(pop))
    return out


def is_major(place: Place) -> bool:
    """Places whose name almost always means the place: countries, regions, big cities."""
    return place.kind in ("country", "region") or place.population >= 1_000_000


ORGS_FILE = DATA_DIR / "organisations.txt"
NAMES_FILE = DATA_DIR / "given_names.txt"
SURNAMES_FILE = DATA_DIR / "surnames.txt"


def _lines(path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def known_entities() -> dict[str, str]:
    """{surface name: type} the entity ruler tags: organisations.txt plus every name in the alias file."""
    from newsdex.tasks.enrich.canonical import load_aliases_raw, type_group

    known = {name: "ORG" for name in _lines(ORGS_FILE)}
    for type_, entries in load_aliases_raw().items():
        for canonical, aliases in entries.items():
            for name in (canonical, *aliases):
                known.setdefault(name, type_group(type_))
    return known


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    return frozenset(_lines(NAMES_FILE))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return frozenset(_lines(SURNAMES_FILE))
