"""Everything the metadata reads from a page's tree, in one pass before the pre-pass drops scripts (JSON-LD
lives in them): tags, JSON-LD, and how many teaser blocks the page lists (a listing's mark)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from newsdex.tasks.clean.metadata import jsonld, tags
from newsdex.tasks.clean.metadata.fuse import PageMeta, Sources, fuse

MAX_TEASERS = 1_000
# A shop's buy button (its text, value or class): what makes a page a product page when its markup says nothing.
_CART = re.compile(
    r"add[ -_]?to[ -_]?(?:cart|bag|basket)|in den (?:warenkorb|einkaufswagen)|ajouter au panier|"
    r"añadir al carrito|aggiungi al carrello|in winkelwagen|do koszyka|buy now|jetzt kaufen",
    re.I,
)


@dataclass
class PageRead:
    tags: tags.Tags
    ld: jsonld.JsonLd
    teasers: int  # <article> elements, and headings whose text is a link
    cart: int = 0  # buy buttons (add to cart, in den Warenkorb…)
    story_heads: tuple[str, ...] = ()  # the <h1> of each <article> element that holds one, in page order


def read(tree: Any) -> PageRead:
    teasers = len(tree.xpath("//article")[:MAX_TEASERS])
    for h in tree.xpath("//h2|//h3|//h4")[:MAX_TEASERS]:
        text = " ".join(h.text_content().split())
        linked = " ".join(" ".join(a.text_content() for a in h.iter("a")).split())
        if text and len(linked) >= 0.8 * len(text):
            teasers += 1
    cart = 0
    for el in tree.xpath("//button|//input[@type='submit' or @type='button']|//form[@action]")[:MAX_TEASERS]:
        label = " ".join(
            filter(
                None,
                (
                    el.text_content() if el.tag != "input" else "",
                    el.get("value"),
                    el.get("class"),
                    el.get("name"),
                    el.get("action"),
                ),
            )
        )
        if _CART.search(label[:300]):
            cart += 1
    # An infinite scroll appends each story as an <article> with its own <h1>: a boundary the page shows.
    heads = []
    for art in tree.xpath("//article[.//h1]")[:50]:
        if art.xpath("ancestor::article"):
            continue
        h1 = art.xpath(".//h1")[0]
        heads.append(" ".join(h1.text_content().split()))
    return PageRead(tags.from_tree(tree), jsonld.from_tree(tree), teasers, cart, tuple(h for h in heads if h))


def trafilatura_fields(doc: Any) -> dict[str, Any]:
    """trafilatura's metadata (its Document, from ``bare_extraction(with_metadata=True)``) as a dict."""
    if doc is None:
        return {}
    return {k: getattr(doc, k, None) for k in ("title", "author", "date", "sitename", "pagetype")}


def page_meta(read_: PageRead | None, traf: dict[str, Any], url: str | None, today: date) -> PageMeta:
    if read_ is None:
        return fuse(Sources(tags.Tags(), jsonld.JsonLd(), traf, url), today)
    meta = fuse(Sources(read_.tags, read_.ld, traf, url), today)
    meta.story_heads = list(read_.story_heads)
    return meta
