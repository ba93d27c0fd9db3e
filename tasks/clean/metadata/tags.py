"""What a page's markup says outside JSON-LD: ``<meta>`` (OpenGraph, ``article:*``, Dublin Core, Twitter, Parse.ly,
Sailthru…), microdata (``itemprop``), ``<time>``, the canonical URL, ``<title>`` and ``<h1>``. Bounded: the first
``MAX_ELEMENTS`` of each kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_ELEMENTS = 500


@dataclass
class Tags:
    metas: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property -> contents in order
    itemprops: dict[str, list[str]] = field(default_factory=dict)  # microdata: datePublished, author, headline…
    times: list[tuple[str, bool]] = field(default_factory=list)  # (<time datetime>, marked as published)
    title: str | None = None  # <title>
    h1: list[str] = field(default_factory=list)
    canonical: str | None = None

    def meta(self, *keys: str) -> tuple[str, str] | None:
        """The first (key, value) among ``keys`` the page has."""
        for k in keys:
            for v in self.metas.get(k, ()):
                if v:
                    return k, v
        return None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())[:2000]


def from_tree(tree: Any) -> Tags:
    tags = Tags()
    for m in tree.iter("meta"):
        if len(tags.metas) >= MAX_ELEMENTS:
            break
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        content = _clean(m.get("content"))
        if key and content:
            tags.metas.setdefault(key, []).append(content)
    for el in tree.xpath("//*[@itemprop]")[:MAX_ELEMENTS]:
        if el.tag == "meta":
            continue
        prop = el.get("itemprop", "").strip()
        if el.tag in ("time",) or el.get("datetime") or el.get("content"):
            value = el.get("datetime") or el.get("content")
        elif prop in ("author", "creator", "publisher"):
            names = el.xpath(".//*[@itemprop='name']")
            value = (names[0].get("content") or names[0].text_content()) if names else el.text_content()
        else:
            value = el.text_content()
        value = _clean(value)
        if value:
            tags.itemprops.setdefault(prop, []).append(value)
    for t in tree.iter("time"):
        if len(tags.times) >= MAX_ELEMENTS:
            break
        stamp = _clean(t.get("datetime") or t.text_content())
        if stamp:
            pub = "pub" if t.get("pubdate") is not None else None
            marks = " ".join(m for m in (t.get("class"), t.get("itemprop"), pub) if m)
            tags.times.append((stamp, any(w in marks.lower() for w in ("publish", "pub", "posted", "entry-date"))))
    title = tree.find(".//title")
    tags.title = _clean(title.text_content()) if title is not None else None
    tags.h1 = [h for h in (_clean(h.text_content()) for h in tree.xpath("//h1")[:10]) if h]
    links = tree.xpath("//link[@rel='canonical']/@href")
    tags.canonical = _clean(links[0]) if links else None
    return tags
