"""Canonical entity names, shared by the enrich stage, the index and the search CLI.

No spaCy here: ``newsdex search --entity TYPE:NAME`` calls :func:`canonicalize` and must start fast.

- :func:`canonical_key` folds the spelling differences that never make two entities different
  (case, diacritics, hyphens vs spaces, apostrophes, dots, a leading "the", a possessive "'s").
- :func:`canonicalize` maps any alias or variant to the one display name the index stores: the curated
  alias file (``tasks/data/aliases.toml``) first, then a deterministic tidy-up of the name itself (spaces,
  quotes, a leading "the", a possessive) that never respells it: hyphens stay as written ("Chung In-beom").
  Which of a document's spellings is shown is chosen in tasks/enrich/resolve.py (the most frequent one).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from newsdex.tasks.shipped import DEFAULT_ALIASES

# spaCy's place labels and ours are one type for alias purposes.
_TYPE_GROUP = {"GPE": "LOC", "FAC": "LOC", "LOC": "LOC"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})
_DASHES = re.compile(r"[-\u2010-\u2015_/]+")
_POSSESSIVE = re.compile(r"'s$")
_SPACES = re.compile(r"\s+")
# Slavic surname endings transliterated several ways (Zelensky / Zelenskyy / Zelenskiy).
_SKY = re.compile(r"sk(?:yy|iy|yi|ii)\b")


def type_group(type_: str | None) -> str:
    """Our type for a label: spaCy's place labels (GPE, FAC) count as LOC."""
    return _TYPE_GROUP.get((type_ or "").upper(), (type_ or "").upper())


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def canonical_key(name: str) -> str:
    """The comparison key of a name: equal keys mean the same spelling up to trivial differences."""
    key = strip_diacritics(name).translate(_APOSTROPHES).lower().strip()
    key = _POSSESSIVE.sub("", key)
    key = key.replace("'", "").replace(".", "")
    key = _DASHES.sub(" ", key)
    key = re.sub(r"[^\w\s&+]", " ", key)
    key = _SPACES.sub(" ", key).strip()
    if key.startswith("the "):
        key = key[4:]
    return _SKY.sub("sky", key)


def tidy_name(name: str, type_: str | None = None) -> str:
    """Deterministic display form of a name that has no alias entry."""
    text = _SPACES.sub(" ", name.translate(_APOSTROPHES)).strip(" \t\n,;:\"'()[]")
    text = _POSSESSIVE.sub("", text).rstrip("'")
    if re.match(r"(?i)the\s", text) and len(text) > 4:
        text = text[4:]
    if type_group(type_) == "PERSON" and text.isupper() and len(text) > 4:
        # A name seen only in capitals ("KEIR GILES") is shown title-cased. Hyphens and spaces stay as written:
        # "Chung In-beom" is not respelt "Chung In Beom" (canonical_key folds them for comparison).
        text = text.title()
    if type_group(type_) == "NORP" and re.search(r"[ie]ans$", text):
        text = text[:-1]  # "North Koreans" and "North Korean" are one group of people
    return text


# The alias file in use: the packaged one until a run's edge names another (``use_aliases`` with
# ``Settings.aliases``): the CLI at its start, and every batch job on the worker that runs it, so a worker
# canonicalizes with the flow's file, never with whatever its own environment says.
_ALIASES: Path = DEFAULT_ALIASES


def use_aliases(path: Path | None) -> None:
    """Canonicalize with the alias file ``path`` (None: the packaged one) from now on in this process."""
    global _ALIASES
    chosen = Path(path) if path else DEFAULT_ALIASES
    if chosen != _ALIASES:
        _ALIASES = chosen
        reload_aliases()


def _alias_path() -> Path:
    return _ALIASES


@lru_cache(maxsize=4)
def load_aliases_raw(path: str | None = None) -> dict[str, dict[str, list[str]]]:
    """The alias file as written: {type: {canonical: [aliases]}}."""
    return tomllib.loads(Path(path or _alias_path()).read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def load_aliases(path: str | None = None) -> dict[tuple[str, str], str]:
    """{(type, key): canonical display name} from the alias file (canonical names map to themselves)."""
    data = load_aliases_raw(path)
    table: dict[tuple[str, str], str] = {}
    for type_, entries in data.items():
        group = type_group(type_)
        for canonical, aliases in entries.items():
            for variant in [canonical, *aliases]:
                table.setdefault((group, canonical_key(variant)), canonical)
    return table


@lru_cache(maxsize=1)
def _by_key() -> dict[str, tuple[str, str]]:
    """{key: (type, canonical)} for keys that belong to exactly one type in the alias file."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for (group, key), canonical in load_aliases().items():
        seen.setdefault(key, set()).add((group, canonical))
    return {key: next(iter(v)) for key, v in seen.items() if len(v) == 1}


def reload_aliases() -> None:
    """Forget the cached alias file (after editing it)."""
    load_aliases_raw.cache_clear()
    load_aliases.cache_clear()
    _by_key.cache_clear()


def alias_entry(name: str, type_: str | None = None) -> tuple[str, str] | None:
    """(type, canonical) of a curated alias; with a type, only that type's entries are considered."""
    key = canonical_key(name)
    if type_:
        hit = load_aliases().get((type_group(type_), key))
        return (type_group(type_), hit) if hit else None
    return _by_key().get(key)


def canonicalize(name: str, type: str | None = None) -> str:  # the contract's name
    """The canonical display name of ``name``: the alias file's name if listed, else its tidy form."""
    hit = alias_entry(name, type) if type else None
    if hit is None and not type:
        hit = alias_entry(name)
    return hit[1] if hit else tidy_name(name, type)


def resolver(type_: str | None = None):
    """A one-argument canonicalizer for the index (e.g. to map an ``--entity`` value)."""
    return lambda name: canonicalize(name, type_)
