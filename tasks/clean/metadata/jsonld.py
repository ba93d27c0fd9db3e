"""JSON-LD blocks (``<script type="application/ld+json">``): the article node's headline, dates, authors and
publisher, and every node's ``@type`` (a Product or an ItemList says what kind of page this is).

Bounded: at most ``MAX_SCRIPTS`` blocks of ``MAX_CHARS`` characters each, nodes walked to ``MAX_DEPTH`` and at
most ``MAX_NODES`` of them; a block that is not JSON is skipped (pages often ship broken JSON-LD).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

MAX_SCRIPTS = 20
MAX_CHARS = 300_000
MAX_DEPTH = 8
MAX_NODES = 2_000

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "satiricalarticle",
        "advertisercontentarticle",
        "medicalscholarlyarticle",
        "posting",
        "discussionforumposting",
        "howto",
        "recipe",
        "review",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class JsonLd:
    """What the page's JSON-LD says, from its first article-typed node (``article``)."""

    types: list[str] = field(default_factory=list)  # every node's @type, lower-cased, in page order
    article: dict[str, Any] | None = None
    headline: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    author_orgs: list[str] = field(default_factory=list)  # authors that are organisations only
    publisher: str | None = None
    publisher_is_org: bool = False  # an Organization, not (also) a Person: a personal blog's owner is its author
    site_name: str | None = None  # a WebSite node's name


def _types(node: dict[str, Any]) -> list[str]:
    t = node.get("@type")
    items = t if isinstance(t, list) else [t]
    return [str(x).lower().rsplit("/", 1)[-1] for x in items if isinstance(x, str)]


def _nodes(data: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    """Every dict with an @type, depth first, in document order (``@graph`` and lists included)."""
    if depth > MAX_DEPTH or len(out) >= MAX_NODES:
        return
    if isinstance(data, list):
        for item in data[:MAX_NODES]:
            _nodes(item, out, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            out.append(data)
        for key, value in data.items():
            if isinstance(value, (dict, list)) and key not in ("@context",):
                _nodes(value, out, depth + 1)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = " ".join(html.unescape(str(value)).split())  # pages escape JSON-LD strings as HTML ("&amp;")
        return text or None
    return None


def _people(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Names of ``author`` values: persons, and organisations apart."""
    persons: list[str] = []
    orgs: list[str] = []
    for item in (value if isinstance(value, list) else [value])[:50]:
        if isinstance(item, dict) and "@id" in item and len(item) <= 2:
            item = by_id.get(item["@id"], item)  # a reference into @graph
        if isinstance(item, str):
            persons.append(item)
        elif isinstance(item, dict):
            name = _text(item.get("name"))
            if not name:
                continue
            types = _types(item)
            is_org = "person" not in types and any("organization" in t for t in types)
            (orgs if is_org else persons).append(name)
    return persons, orgs


def parse_blocks(blocks: list[str]) -> JsonLd:
    """The JSON-LD a page holds, from the texts of its ld+json scripts."""
    nodes: list[dict[str, Any]] = []
    for raw in blocks[:MAX_SCRIPTS]:
        if len(raw) > MAX_CHARS:
            continue
        try:
            data = json.loads(_CONTROL.sub(" ", raw.strip().removeprefix("<!--").removesuffix("-->")))
        except (ValueError, RecursionError):
            continue
        _nodes(data, nodes)
    found = JsonLd()
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        types = _types(node)
        found.types.extend(types)
        if found.article is None and ARTICLE_TYPES.intersection(types):
            found.article = node
        if "website" in types and found.site_name is None:
            found.site_name = _text(node.get("name"))
    # A page without an article node may still date itself on its WebPage node.
    main = found.article or next((n for n in nodes if {"webpage", "itempage"} & set(_types(n))), None)
    if main is None:
        return found
    node = main
    found.headline = _text(node.get("headline")) or _text(node.get("name"))
    found.published = _text(node.get("datePublished")) or _text(node.get("dateCreated"))
    found.modified = _text(node.get("dateModified"))
    found.authors, found.author_orgs = _people(node.get("author") or node.get("creator"), by_id)
    pub = node.get("publisher")
    if isinstance(pub, dict) and "@id" in pub and len(pub) <= 2:
        pub = by_id.get(pub["@id"], pub)
    found.publisher = _text(pub)
    if isinstance(pub, dict):
        types = _types(pub)
        found.publisher_is_org = "person" not in types
    return found


def from_tree(tree: Any) -> JsonLd:
    scripts = tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]")
    return parse_blocks([s.text or "" for s in scripts[:MAX_SCRIPTS]])
