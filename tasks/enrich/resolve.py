"""Group a document's entity mentions into entities with one canonical name each. No spaCy import.

Within a document: an acronym spelled out in the text ("Institute of the Study of War (ISW)") joins its
long form, whatever the alias file says; a bare surname or given name ("Putin", "Kim") joins the person
written in full in the same document, unless a role in front of it says it is someone else ("Minister Kim"
in an article about leader Kim Jong Un), which then holds for the rest of that paragraph. Across
documents: every group is named by :func:`newsdex.tasks.enrich.canonical.canonicalize` of its most frequent
written spelling (:func:`_spelling`): the alias file's name when it lists one, else the spelling as written
(hyphens kept: "Chung In-beom"); documents that write a name differently compare equal by ``canonical_key``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import cast

from newsdex.models import Entity, EntityType
from newsdex.tasks.enrich.canonical import alias_entry, canonical_key, canonicalize
from newsdex.tasks.enrich.lexicon import HEAD_ROLES, HONORIFICS, TITLES

_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Z&]{1,7})s?\s*\)")
_TITLE_BEFORE = re.compile(r"([A-Za-z.\-]+)\s+$")


@dataclass
class Mention:
    text: str
    label: str
    start: int
    end: int
    title: str | None = None  # role word written just before a person's name
    paragraph: int = 0


@dataclass
class Group:
    label: str
    name: str  # the fullest surface form, canonicalized at the end
    mentions: list[Mention] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)


def mentions_of(text: str, spans: list[tuple[int, int, str]]) -> list[Mention]:
    breaks = [m.start() for m in re.finditer(r"\n\s*\n", text)]
    out = []
    for start, end, label in spans:
        before = _TITLE_BEFORE.search(text, max(0, start - 40), start)
        title = before.group(1).lower() if before and before.group(1).lower() in TITLES else None
        out.append(Mention(text[start:end], label, start, end, title, bisect_left(breaks, start)))
    return out


def _compatible(title: str | None, titles: set[str]) -> bool:
    if not title or title in HONORIFICS or not titles:
        return True
    if title in titles:
        return True
    return title in HEAD_ROLES and bool(titles & HEAD_ROLES)


def resolve(text: str, spans: list[tuple[int, int, str]]) -> list[Entity]:
    mentions = mentions_of(text, spans)
    groups: list[Group] = []
    by_key: dict[tuple[str, str], Group] = {}

    def group_for(label: str, name: str) -> Group:
        key = (label, canonical_key(name))
        if key not in by_key:
            by_key[key] = Group(label, name)
            groups.append(by_key[key])
        return by_key[key]

    # Acronyms defined in this document: "Long Name (ACR)".
    acronyms: dict[str, Group] = {}
    for m in mentions:
        after = _ACRONYM_AFTER.match(text, m.end)
        if after and m.label in ("ORG", "LOC", "MISC") and " " in m.text:
            acronyms[after.group(1)] = group_for(m.label, m.text)
    # Full names of people first, so that a surname can find its person wherever it appears.
    people = [group_for("PERSON", m.text) for m in mentions if m.label == "PERSON" and len(m.text.split()) > 1]
    local: dict[tuple[str, int], Group] = {}  # (bare name, paragraph) → group set by a role in front of it
    for m in mentions:
        if m.text in acronyms:
            g = acronyms[m.text]
        elif m.label == "PERSON" and len(m.text.split()) == 1:
            g = _person_for(m, people, local, group_for)
        else:
            g = group_for(m.label, m.text)
        g.mentions.append(m)
        if m.title and m.label == "PERSON":
            g.titles.add(m.title)
    return _entities(groups)


def _person_for(m: Mention, people: list[Group], local: dict, group_for) -> Group:
    if (m.text, m.paragraph) in local and m.title is None:
        return local[(m.text, m.paragraph)]
    last = [g for g in people if g.name.split()[-1] == m.text]
    first = [g for g in people if g.name.split()[0] == m.text]
    candidates = last or first
    # A role in front that the full name never had: someone else with the same surname ("Minister Kim").
    if candidates and not any(_compatible(m.title, _titles_of(g)) for g in candidates):
        g = group_for("PERSON", m.text + "\x00" + (m.title or ""))  # a separate group, named by the bare name
        g.name = m.text
        local[(m.text, m.paragraph)] = g
        return g
    seen = [g for g in candidates if g.mentions]
    if seen:  # the person most recently written about
        return max(seen, key=lambda g: g.mentions[-1].start)
    if candidates:
        return candidates[0]
    return group_for("PERSON", m.text)


def _spelling(g: Group) -> str:
    """The spelling a group is shown under: of the mentions written like its full name (same canonical key:
    "Chung In-beom", "CHUNG IN-BEOM", "Chung In Beom"), the most frequent, mixed case before all capitals,
    the first written on a tie. Always a spelling that occurs in the text, never a respelling."""
    key = canonical_key(g.name)
    written = [m.text for m in g.mentions if canonical_key(m.text) == key] or [g.name]
    order = {t: i for i, t in reversed(list(enumerate(written)))}
    return min(order, key=lambda t: (t.isupper(), -written.count(t), order[t]))


def _titles_of(g: Group) -> set[str]:
    return g.titles | {m.title for m in g.mentions if m.title}


def _entities(groups: list[Group]) -> list[Entity]:
    merged: dict[tuple[str, str], Entity] = {}
    for g in groups:
        if not g.mentions:
            continue
        label, name = g.label, canonicalize(_spelling(g), g.label)
        hit = alias_entry(g.name)
        if hit and hit[0] != label and label not in ("DATE",):
            label, name = hit  # the alias file knows the type better than the model
        ent = merged.setdefault((label, name), Entity(name=name, type=cast(EntityType, label)))
        for m in g.mentions:
            if m.text not in ent.mentions:
                ent.mentions.append(m.text)
        ent.count += len(g.mentions)
    return sorted(merged.values(), key=lambda e: (-e.count, e.type, e.name))
