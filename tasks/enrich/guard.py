"""The function-word guard: no name begins or ends with a function word of its document's language.

English NER run on French or German produced "PERSON de la", "NORP dans", "PERSON Reihen kann sie": names no
reader would call names, which then filled the facets and ``newsdex entities``. Whatever found a name (a model,
the known-name matcher), a mention is dropped when every word of it is a function word of the document's
language ("Dans", "de la"), or, outside English, when its first or last word is one written in lower case
("zum Beispiel", "Reihen kann sie"). Capitalised, such words begin real names ("Le Monde", "Die Linke",
"Theresa May"); English spans that begin with "the" are the model's convention, and canonical names drop it.

The lists are spaCy's per-language stop words (``spacy.lang.XX.stop_words``: function words, shipped inside
spaCy itself, no model). jusText's lists were not used: they are the most frequent words of each Wikipedia and
hold names ("Berlin", "Paris", "Deutschland", "New York"). A word in capitals ("UN", "US", "EU") is an
abbreviation, not the function word it spells.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=64)
def function_words(language: str | None) -> frozenset[str]:
    """The language's function words (lower case); empty when spaCy has no list for it."""
    code = (language or "en").lower()
    if not code.isalpha() or len(code) > 3:
        return frozenset()
    try:
        module = importlib.import_module(f"spacy.lang.{code}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))


def _is_function_word(word: str, words: frozenset[str]) -> bool:
    return word.lower() in words and not (word.isupper() and len(word) > 1)


def is_function_word_name(name: str, language: str | None) -> bool:
    """True when the guard drops a mention ``name`` in a document in ``language`` (see the module's doc)."""
    words = function_words(language)
    tokens = _WORD.findall(name)
    if not tokens or not words:
        return False
    if all(_is_function_word(t, words) for t in tokens):
        return True
    if (language or "en") == "en":
        return False
    return any(t in words for t in (tokens[0], tokens[-1]))  # as written: lower case only


def holds_function_word(name: str, language: str | None) -> bool:
    """The benchmark's wider measure: any word of the name is a function word written in lower case, or every
    word is one ("Bank of England" holds one; "Le Monde" does not)."""
    words = function_words(language)
    tokens = _WORD.findall(name)
    if not tokens or not words:
        return False
    return any(t in words for t in tokens) or all(_is_function_word(t, words) for t in tokens)
