"""Build ``reading/data/function_words.txt``: the words that never explain why two articles are alike (``similar``'s
"shared: …" and its query), one per line.

Function words of the languages newsdex meets most, from spaCy's stop word lists (MIT licence, Explosion AI),
plus the light verbs and reporting words of news prose ("said", "told", "according"), which every article has
and none is about. Run it again after changing EXTRA or spaCy:

    python -m tools.function_words
"""

from __future__ import annotations

import importlib
from pathlib import Path

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
# News prose: reporting verbs and light verbs every article uses (English; the index stems, so one form of each
# is enough for the query, but the reason shows words as written: the usual forms are listed).
EXTRA = """
said says saying tell told tells according reported reports reporting added adding asked asks ask
also get gets got getting gotten make makes making made take takes taking took taken come comes came coming
go goes going went gone like want wants wanted know knows knew known think thinks thought
continue continues continued continuing include includes included including
would could should might must shall may can will
mr mrs ms dr
""".split()

OUT = Path(__file__).resolve().parent.parent / "reading" / "data" / "function_words.txt"


def words() -> list[tuple[str, str]]:
    """(language, word) pairs: a word is a function word of one language ("war" is German's "was", and an
    English subject), so each list applies to the documents of its language."""
    found: set[tuple[str, str]] = {("en", w) for w in EXTRA}
    for lang in LANGUAGES:
        stop = importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
        found.update((lang, w.lower()) for w in stop if w.isalpha())
    return sorted(found)


HEADER = """# Words that never explain why two articles are alike, by language (ISO 639-1 code, a tab, the word):
# spaCy's stop words (MIT licence, Explosion AI) and news prose's reporting and light verbs.
# Built by tools/function_words.py; do not edit by hand.
"""


def main() -> None:
    pairs = words()
    OUT.write_text(HEADER + "".join(f"{lang}\t{word}\n" for lang, word in pairs), encoding="utf-8")
    print(f"{OUT.name}: {len(pairs)} words in {len(LANGUAGES)} languages")


if __name__ == "__main__":
    main()
