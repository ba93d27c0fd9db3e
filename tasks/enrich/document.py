"""Document-level entity rules: acronyms spelled out in the text, and one type per name in a document.

Part of the ``newsdex_entities`` component (tasks/enrich/pipe.py): these see the whole article, which is
why the pipeline enriches one text per article.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsdex.tasks.enrich.gazetteer import places
from newsdex.tasks.enrich.lexicon import NAME_JOINERS, NOT_ORG_ACRONYMS, ORG_HEADS
from newsdex.tasks.enrich.spans import Ent, coverage, part_of_name

ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}s?$")


def acronyms(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """ "Long Name (ACR)": the long name is an entity and every ACR in the document has its type."""
    defined: dict[str, str] = {}
    for i in range(2, len(doc) - 1):
        if doc[i - 1].text != "(" or doc[i + 1].text != ")" or not ACRONYM.match(doc[i].text):
            continue
        span = _expansion(doc, i - 1, doc[i].text.rstrip("s"))
        if span is None:
            continue
        s, e = span
        inside = [x for x in ents if x[0] < e and s < x[1]]
        label = next((x[2] for x in inside if x[0] == s and x[1] == e), None)
        if label is None:
            label = next((x[2] for x in inside if x[2] in ("ORG", "LOC")), "ORG")
            if label == "LOC" and doc[e - 1].lower_ in ORG_HEADS:
                label = "ORG"
            for x in inside:
                ents.remove(x)
            ents.append([s, e, label])
        defined[doc[i].text] = label
    if not defined:
        return ents
    for ent in ents:
        if ent[1] - ent[0] == 1 and doc[ent[0]].text in defined:
            ent[2] = defined[doc[ent[0]].text]
    taken = coverage(ents)
    for tok in doc:
        if tok.text in defined and not taken[tok.i]:
            ents.append([tok.i, tok.i + 1, defined[tok.text]])
    return ents


def bare_acronyms(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """An untagged abbreviation in capitals ("KCNA", "ISW") in running text names an organisation."""
    taken = coverage(ents)
    upper_run = sum(t.is_upper for t in doc) > len(doc) // 3  # an all-caps headline says nothing
    for tok in doc:
        if taken[tok.i] or upper_run or not ACRONYM.match(tok.text) or not tok.is_alpha or len(tok) > 6:
            continue
        beside = (tok.i > 0 and doc[tok.i - 1].is_upper) or (tok.i + 1 < len(doc) and doc[tok.i + 1].is_upper)
        if not beside and tok.text not in NOT_ORG_ACRONYMS and tok.text.rstrip("s") not in NOT_ORG_ACRONYMS:
            ents.append([tok.i, tok.i + 1, "ORG"])
    return ents


def _expansion(doc: Doc, paren: int, acronym: str) -> tuple[int, int] | None:
    """The words before ``(`` whose initials spell the acronym, allowing "of", "the", "for"… between."""
    letters = acronym.upper()
    j, k = paren - 1, len(letters) - 1
    start = None
    while j >= 0 and k >= 0 and paren - j <= 3 * len(letters):
        tok = doc[j]
        if tok.is_title or tok.is_upper:
            if tok.text[0].upper() != letters[k]:
                return None
            k -= 1
            start = j
        elif tok.lower_ not in NAME_JOINERS and not tok.text == "-":
            return None
        j -= 1
    if k >= 0 or start is None:
        return None
    return start, paren


def consistency(doc: Doc, ents: list[Ent]) -> list[Ent]:
    """One type per name in a document; surnames of people; untagged repeats of known names."""
    text_of = {id(x): doc[x[0] : x[1]].text for x in ents}
    labels: dict[str, list[str]] = {}
    for x in ents:
        labels.setdefault(text_of[id(x)], []).append(x[2])
    people = [text_of[id(x)].split() for x in ents if x[2] == "PERSON" and x[1] - x[0] > 1]
    name_parts = {p[-1] for p in people} | {p[0] for p in people}
    for x in ents:
        text = text_of[id(x)]
        seen = labels[text]
        if "PERSON" in seen and text not in places():
            x[2] = "PERSON"
        elif x[1] - x[0] == 1 and text in name_parts and x[2] != "PERSON" and text not in places():
            x[2] = "PERSON"
        elif len(set(seen)) > 1:
            x[2] = max(set(seen), key=lambda lab: (seen.count(lab), -seen.index(lab)))
    # Later mentions the model missed: exact token sequences of names already found in this document.
    known: dict[str, list[tuple[list[str], str]]] = {}
    for x in ents:
        words = [t.text for t in doc[x[0] : x[1]]]
        if x[2] in ("PERSON", "ORG", "LOC") and (len(words) > 1 or words[0][:1].isupper()):
            known.setdefault(words[0], []).append((words, x[2]))
    for part in name_parts:
        known.setdefault(part, []).append(([part], "PERSON"))
    taken = coverage(ents)
    for tok in doc:
        for words, label in sorted(known.get(tok.text, ()), key=lambda w: -len(w[0])):
            end = tok.i + len(words)
            if (
                end <= len(doc)
                and not any(taken[i] for i in range(tok.i, end))
                and [t.text for t in doc[tok.i : end]] == words
                and not part_of_name(doc, tok.i, end)
            ):
                ents.append([tok.i, end, label])
                for i in range(tok.i, end):
                    taken[i] = True
                break
    return ents
