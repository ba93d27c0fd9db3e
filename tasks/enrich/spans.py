"""Token-span helpers shared by the entity rules: coverage, sentence starts, neighbouring names. No model."""

from __future__ import annotations

from collections.abc import Container

from spacy.tokens import Doc

Ent = list  # [start_token, end_token, label]: mutable while refining
SENT_END = {".", "!", "?", '"', "\u201c", "\u201d", ":", ";", "\n", "\n\n"}


def coverage(ents: list[Ent]) -> dict[int, bool]:
    taken: dict[int, bool] = {}
    for s, e, _ in ents:
        for i in range(s, e):
            taken[i] = True
    return _Default(taken)


class _Default(dict):
    def __missing__(self, key: int) -> bool:
        return False


def sentence_start(doc: Doc, i: int) -> bool:
    return i == 0 or doc[i - 1].text in SENT_END or doc[i - 1].is_space


def part_of_name(doc: Doc, s: int, e: int, besides: Container[int] = ()) -> bool:
    """A capitalised word touching the match makes it part of a longer name ("Paris Hilton"); words at the
    token positions ``besides`` do not count (a demonym entity of its own: "Russian Kursk region")."""
    before = s > 0 and s - 1 not in besides and doc[s - 1].is_title and not sentence_start(doc, s - 1)
    after = e < len(doc) and e not in besides and doc[e].is_title
    return before or after
