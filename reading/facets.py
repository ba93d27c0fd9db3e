"""The entity and language facets of a search: the most frequent names among the top stories."""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

from newsdex.index.schema import ENTITY_FIELDS, FACET_TYPES, name_key
from newsdex.reading.stored import split_names


def facets(stored: list[dict[str, Any]], size: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The most frequent entity names per type among the hits of the facet window, most frequent first,
    ties by name; and every language among them (``language``), counted the same way."""
    out = {}
    for t in FACET_TYPES:
        field = ENTITY_FIELDS[t]
        names: list[str] = []
        for fields in stored:
            names.extend(split_names(fields.get(field)))
        counts = by_key(Counter(names))
        items = list(counts.items())
        if len(items) > size:  # only names as frequent as the size-th one can place: skip sorting the rest
            floor = heapq.nlargest(size, counts.values())[-1]
            items = [(name, c) for name, c in items if c >= floor]
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        out[t] = [{"name": n, "count": c} for n, c in items[:size]]
    # Documents without a language (indexed before it was detected, or too short to tell) are not counted.
    languages = Counter(fields["language"] for fields in stored if fields.get("language"))
    out["language"] = [{"name": n, "count": c} for n, c in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def by_key(counts: Counter[str]) -> Counter[str]:
    """Counts of names that differ only in hyphens or case ("Chung In-beom", "Chung In Beom") as one, under
    the spelling most counted (then the first in order): a spelling the texts use, never a respelling."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for name, n in counts.items():
        groups.setdefault(name_key(name), []).append((name, n))
    if len(groups) == len(counts):
        return counts
    return Counter({min(g, key=lambda x: (-x[1], x[0]))[0]: sum(n for _, n in g) for g in groups.values()})
