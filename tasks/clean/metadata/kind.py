"""Is this page an article? Listings (category, tag, search and index pages), product pages, unrendered templates,
stubs, error pages and pages whose body is another story than their title are kept, with their kind and why,
and left out of default search. A page whose extracted text runs on into the next story (infinite scroll) is cut
at the next story's headline when the page shows it.

Thresholds are in ``KindRules`` (measured on held-out pages by ``bench/metadata.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TEMPLATE = re.compile(r"\{\{[^{}]{1,200}\}\}|\[\[[a-z_.]{2,60}\]\]|\$\{[a-zA-Z_.]{2,60}\}")
# An error code counts alone or beside "error"/"not found" (a headline may say "after 500 episodes").
_ERROR_TITLE = re.compile(
    r"^\W*(?:error\W*)?(?:404|403|410|500|502|503)\b|\b(?:error|fehler|erreur|http)\W*(?:404|403|410|500|502|503)\b|"
    r"page (?:not found|unavailable)|^not found|cannot be found|does not exist|seite nicht gefunden|"
    r"página no encontrada|page introuvable|^access denied|^forbidden|^just a moment|^attention required|"
    r"are you a robot",
    re.I,
)
_WORD = re.compile(r"\w{4,}", re.UNICODE)
_TITLE_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)
# A course or an event also has Offers: only a Product makes a product page.
PRODUCT_TYPES = frozenset({"product", "productgroup", "og:product", "product.item", "productmodel"})
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage", "blog", "website"})


@dataclass
class KindRules:
    stub_max_words: int = 15  # a body this short (captions aside) is a stub, not an article
    caption_stub_max_words: int = 40  # … or this short beside captions holding more words: a caption is its text
    error_max_words: int = 200  # an error title on a page this short is an error page
    template_min: int = 3  # placeholders in the body that make it an unrendered template (1 in the title) …
    template_min_share: float = 0.25  # … on this share of its lines (an article quoting template code has few)
    product_max_words: int = 600  # a page with a buy button and no more text than this is a product page
    listing_min_teasers: int = 8  # teaser blocks (<article>, linked headings) on the page
    listing_max_prose: float = 0.2  # share of body words in long lines (prose) below which teasers make a listing
    prose_line_words: int = 25
    mismatch_min_title_words: int = 4  # distinctive title words (5+ letters) needed to judge a mismatch
    mismatch_min_body_words: int = 150


@dataclass
class Page:
    """What ``classify`` reads: the page's metadata and its extracted lines."""

    title: str | None
    texts: list[str]
    roles: list[str]  # heading, paragraph, caption
    types: list[str] = field(default_factory=list)  # JSON-LD @types and og:type, lower-cased
    has_article_node: bool = False
    story_heads: list[str] = field(default_factory=list)  # the <h1> of each top <article> element, in page order
    teasers: int = 0  # <article> elements and headings that are links
    cart: int = 0  # buy buttons ("add to cart", "in den Warenkorb")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def next_story(page: Page) -> int | None:
    """Index of the line where another story starts: a heading that is the <h1> of another top-level <article>
    than the title's (an infinite scroll appends the next story as its own <article> with its own <h1>)."""
    if not page.title or len(page.story_heads) < 2:
        return None
    tnorm = _norm(page.title)
    if not any(_norm(h) == tnorm or tnorm.startswith(_norm(h)) for h in page.story_heads if _norm(h)):
        return None  # the title's own story is not among the page's <article>s: no boundary to trust
    others = {_norm(h) for h in page.story_heads if _norm(h) and _norm(h) != tnorm and not tnorm.startswith(_norm(h))}
    # The story starts at its own headline when the lines hold it (a whole page's text: teasers above it may
    # name the next story too); the extractor's lines often start after it.
    start = next((i for i, t in enumerate(page.texts) if _norm(t) == tnorm), 0)
    for i in range(start + 1, len(page.texts)):
        if page.roles[i] == "heading" and _norm(page.texts[i]) in others:
            return i
    return None


def classify(page: Page, rules: KindRules | None = None) -> tuple[str, str | None]:
    """(kind, reason): ``article`` with no reason, else ``listing`` or ``other`` and why."""
    r = rules or KindRules()
    body = [t for t, role in zip(page.texts, page.roles, strict=False) if role != "caption"]
    words = sum(len(t.split()) for t in body)
    title = page.title or ""
    joined = "\n".join(body)
    templated = sum(1 for t in body if _TEMPLATE.search(t))
    if _TEMPLATE.search(title) or (
        len(_TEMPLATE.findall(joined[:200_000])) >= r.template_min
        and templated >= r.template_min_share * max(1, len(body))
    ):
        return "other", "template: unrendered {{…}} placeholders"
    if _ERROR_TITLE.search(title) and words <= r.error_max_words:
        return "other", f"error page: title {title[:60]!r}"
    types = set(page.types)
    if types & PRODUCT_TYPES and not page.has_article_node:
        return "other", "product page (" + ", ".join(sorted(types & PRODUCT_TYPES)) + ")"
    if page.cart and not page.has_article_node and words <= r.product_max_words:
        return "other", "product page (a buy button)"
    captions = [t for t, role in zip(page.texts, page.roles, strict=False) if role == "caption"]
    caption_words = sum(len(t.split()) for t in captions)
    if words <= r.stub_max_words or (words <= r.caption_stub_max_words and caption_words >= words):
        return "other", f"stub: {words} words of text" + (f" and {len(captions)} captions" if captions else "")
    prose = sum(len(t.split()) for t in body if len(t.split()) >= r.prose_line_words)
    listed = types & (LISTING_TYPES - {"website", "blog"})
    if listed and not page.has_article_node and prose < r.listing_max_prose * words * 2:
        return "listing", "listing page (" + ", ".join(sorted(listed)) + ")"
    if page.teasers >= r.listing_min_teasers and not page.has_article_node and prose < r.listing_max_prose * words:
        return "listing", f"listing: {page.teasers} teasers, {prose} of {words} words in prose"
    # Not one distinctive title word (its first five letters: inflections, compounds) anywhere in a long body:
    # the body is another story (an infinite scroll's next article) or another page's.
    tw = {w[:5] for w in _TITLE_WORD.findall(title.lower())}
    if len(tw) >= r.mismatch_min_title_words and words >= r.mismatch_min_body_words:
        low = joined.lower()
        if not any(w in low for w in tw):
            return "other", "body does not match its title"
    return "article", None
