"""The place gazetteer (tasks/data/places.tsv, built by bench/build_gazetteer.py). No spaCy import."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from tasks.settings import DATA_DIR

PLACES_FILE = DATA_DIR / "places.tsv"


class Place(NamedTuple):
    kind: str  # country | region | city
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
    return place.kind != "city" or place.population >= 1_000_000
