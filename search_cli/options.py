"""Search's options, parsed once for every caller: the CLI's ``search`` and ``export`` and the web page turn what
a user typed (``--entity TYPE:NAME``, ``--lang de,fr``, dates, a source) into the read side's typed request
(newsdex.reading.request), the entity names mapped to their canonical names and query words to the entities
they are another spelling of (the alias file is the caller's, not the index's)."""

from __future__ import annotations

import argparse

from newsdex.reading.request import Filters
from newsdex.search_cli.output import UsageError, add_lang_option, parse_languages

ALIAS_MIN_CHARS = 4  # shorter words of a query are not taken for an entity's other spelling


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """The filters a search takes (search, export): entity, source, language, dates."""
    p.add_argument(
        "--entity",
        action="append",
        default=[],
        metavar="TYPE:NAME",
        help="only documents mentioning this entity, any spelling (repeatable)",
    )
    p.add_argument("--source", metavar="SITE", help="only documents from this source")
    add_lang_option(p, "documents")
    p.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD, YYYY-MM or YYYY)")
    p.add_argument("--until", metavar="DATE", help="published on or before")
    add_kind_option(p)


def add_kind_option(p: argparse.ArgumentParser) -> None:
    """--kind: which kind of page a read shows (search, export, similar)."""
    p.add_argument(
        "--kind",
        default="article",
        choices=("article", "listing", "other", "all"),
        help="only pages of this kind (default article: listings, product pages, templates, stubs, error pages "
        "are left out; all: every document)",
    )


def filters(
    entity: list[str],
    source: str | None,
    lang: list[str],
    since: str | None,
    until: str | None,
    kind: str | None = None,
) -> Filters:
    """The Filters of a search from the options as typed (empty strings: no such filter; no kind: articles)."""
    return Filters(
        entities=tuple(parse_entity_filters(entity)),
        source=source or None,
        languages=tuple(parse_languages(lang)),
        since=since or None,
        until=until or None,
        kind=parse_kind(kind),
    )


def parse_kind(value: str | None) -> str:
    """A kind of page as typed: article (also for none), listing, other or all."""
    kind = (value or "article").strip().lower()
    if kind not in ("article", "listing", "other", "all"):
        raise UsageError(f"--kind takes article, listing, other or all, got {value!r}")
    return kind


def filters_of(args: argparse.Namespace) -> Filters:
    """The Filters of the options ``add_filter_options`` added."""
    return filters(args.entity, args.source, args.lang, args.since, args.until, args.kind)


def parse_entity_filters(values: list[str]) -> list[tuple[str, str]]:
    """TYPE:NAME pairs, each NAME mapped to its canonical name so that any alias matches."""
    from newsdex.tasks.enrich.canonical import canonicalize

    out = []
    for value in values:
        etype, sep, name = value.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--entity takes TYPE:NAME, got {value!r}")
        etype = etype.strip().upper()
        out.append((etype, canonicalize(name.strip(), etype)))
    return out


def alias_names(words: str) -> list[tuple[str, str]]:
    """[(type, canonical name)] for query words that are another spelling of an entity in the alias file
    (``zelenskiy`` -> PERSON Volodymyr Zelensky); nothing for the canonical spelling itself."""
    from newsdex.tasks.enrich.canonical import alias_entry, canonical_key

    key = canonical_key(words)
    if len(key) < ALIAS_MIN_CHARS or not (words[:1].isalnum() and words[-1:].isalnum()):
        return []  # "us", "un" are words before they are names; "-zelenskiy" is an operator and a word
    found = []
    for etype in ("PERSON", "ORG", "LOC", "NORP"):
        hit = alias_entry(words, etype)
        if hit and canonical_key(hit[1]) != key:
            found.append((etype, hit[1]))
    return found
