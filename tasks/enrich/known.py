"""Names the archive already knows, found by exact matching in a text of any language. No spaCy import.

A language without a statistical recogniser here (every one but English) still gets its people, organisations
and places when they are names newsdex knows: every spelling in the alias file (transliterations included:
"Selenskyj", "Зеленський", "ゼレンスキー"), the curated organisations, the gazetteer's major places, and names
passed in as data (those of the archive's English documents). Matching is exact (case and spelling as listed)
and bounded: a dictionary lookup per word of the text, then at most ``MAX_CANDIDATES`` ``startswith`` checks;
names in scripts written without spaces (Chinese, Japanese, Thai) are looked up at every character of those
scripts instead, since no word boundary exists to look them up at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from newsdex.tasks.clean.lines import SPACELESS
from newsdex.tasks.enrich.gazetteer import ORGS_FILE, _lines, is_major, places

_WORD = re.compile(r"\w+")
_SPACELESS = SPACELESS  # scripts written without spaces between words (CJK, kana, Thai, Lao, Khmer, Myanmar)
MAX_CANDIDATES = 32  # names sharing a first word (or first character) that are tried, longest first
MAX_NAME_CHARS = 80
MIN_PLACE_CHARS = 5  # gazetteer alternate names shorter than this are often words ("Bar", "Bay", "Ama")
# The archive's names: those its English articles hold, found there by the model. A name in one article only
# may be the model's slip; the most frequent few thousand cover what the archive is about.
ARCHIVE_LANGUAGE = "en"
ARCHIVE_MIN_DOCUMENTS = 2
ARCHIVE_MAX_NAMES = 5000
MIN_ARCHIVE_NAME_CHARS = 4  # "AP", "UN", "Ali": short names are words or abbreviations in other languages
# People and places: the model's ORGs of two capitalised English words were more often jargon that German text
# borrows ("Social Media", "Augmented Reality") than organisations; those come from organisations.txt.
ARCHIVE_TYPES = ("PERSON", "LOC")


class KnownNames:
    """An exact matcher over {name: type}; ``find`` gives (start, end, type) spans, longest match first."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.by_word: dict[str, list[tuple[str, str]]] = {}
        self.by_char: dict[str, list[tuple[str, str]]] = {}
        for name, type_ in names.items():
            name = name.strip()
            if not name or len(name) > MAX_NAME_CHARS:
                continue
            if _SPACELESS.match(name):
                self.by_char.setdefault(name[0], []).append((name, type_))
            elif (first := _WORD.match(name)) is not None:
                self.by_word.setdefault(first.group(), []).append((name, type_))
        for table in (self.by_word, self.by_char):
            for key, entries in table.items():
                table[key] = sorted(entries, key=lambda e: -len(e[0]))[:MAX_CANDIDATES]

    def __len__(self) -> int:
        return sum(map(len, self.by_word.values())) + sum(map(len, self.by_char.values()))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        end_of_last = 0
        for m in _WORD.finditer(text):
            start = m.start()
            if start < end_of_last:
                continue
            hit = self._at(text, start, self.by_word.get(m.group(), ()), word=True)
            if hit is not None:
                spans.append(hit)
                end_of_last = hit[1]
        if self.by_char:
            taken = [(s, e) for s, e, _ in spans]
            i = 0
            for m in _SPACELESS.finditer(text):
                start = m.start()
                if start < i or any(s <= start < e for s, e in taken):
                    continue
                hit = self._at(text, start, self.by_char.get(text[start], ()), word=False)
                if hit is not None:
                    spans.append(hit)
                    i = hit[1]
        return sorted(spans)

    @staticmethod
    def _at(text: str, start: int, entries: Iterable[tuple[str, str]], word: bool) -> tuple[int, int, str] | None:
        for name, type_ in entries:
            end = start + len(name)
            if text.startswith(name, start) and not (word and end < len(text) and _is_word_char(text[end])):
                return start, end, type_
        return None


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


@lru_cache(maxsize=1)
def shipped_names() -> dict[str, str]:
    """{name: type} that ships with newsdex: the alias file's every spelling, organisations, major places."""
    from newsdex.tasks.enrich.canonical import load_aliases_raw, type_group

    names: dict[str, str] = {}
    for name, place in places().items():
        if is_major(place) and len(name) >= MIN_PLACE_CHARS:
            names[name] = "LOC"
    for name in _lines(ORGS_FILE):
        names[name] = "ORG"
    for type_, entries in load_aliases_raw().items():  # last: the alias file's type wins
        for canonical, aliases in entries.items():
            for name in (canonical, *aliases):
                names[name] = type_group(type_)
    return names


def archive_names(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{name: type} of the archive's names (``IndexStore.known_names``: canonical name and type) that are safe to
    match in any language: people and places (``ARCHIVE_TYPES``) of two words or more, written with a capital
    and at least ``MIN_ARCHIVE_NAME_CHARS`` long (or in a script without capitals, two characters), not an
    English function word. Single words are left to the shipped lists: in German, where every noun has a
    capital, the model's slips ("Euro", "Data", "Label" as names) outnumbered the brands ("Siemens", "Huawei")
    2 to 1 (``bench/archive_names.py --sample``)."""
    from newsdex.tasks.enrich.guard import is_function_word_name

    names: dict[str, str] = {}
    for name, type_ in rows:
        name = name.strip()
        if type_ not in ARCHIVE_TYPES:
            continue
        first = name[0]
        caseless = first.isalpha() and first.lower() == first.upper()  # 習近平: a script without capitals
        if not (2 if caseless else MIN_ARCHIVE_NAME_CHARS) <= len(name) <= MAX_NAME_CHARS:
            continue
        if not (first.isupper() or caseless):
            continue  # "said", "2025 Olympics": a word, or a number first
        if not caseless and len(_WORD.findall(name)) < 2:
            continue  # "Euro", "Data", "Label": an English noun the model took for a name is a German noun
        if is_function_word_name(name, ARCHIVE_LANGUAGE):
            continue
        names.setdefault(name, type_)
    return names


@lru_cache(maxsize=4)
def _matcher(extra: tuple[tuple[str, str], ...]) -> KnownNames:
    return KnownNames({**dict(extra), **shipped_names()})


def matcher(extra: Mapping[str, str] | None = None) -> KnownNames:
    """The matcher over the shipped names plus ``extra`` ({name: type}, e.g. the archive's English names)."""
    return _matcher(tuple(sorted((extra or {}).items())))
