"""Each field from the first source that has it, in an order measured on held-out pages (``bench/metadata.py``),
with where it came from. Dates that cannot be a publication date (in the future, before 1990) are doubted:
passed over and listed in ``doubted``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newsdex.tasks.clean.metadata import authors as au
from newsdex.tasks.clean.metadata import dates, jsonld, tags, titles
from newsdex.tasks.clean.metadata.site import registered_domain, site_name

_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "date",
)
_DC_DATE = ("dc.date.issued", "dc.date", "dcterms.date", "dcterms.issued", "dcterms.created", "dc.date.created")
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "lastmod",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "twitter:creator",
)
_TITLE_META = ("og:title", "twitter:title", "dc.title", "parsely-title", "sailthru.title", "title")

# Precedence per field, first wins. Names are the ``*_source`` values shown by ``show --json``.
PUBLISHED_ORDER = ("json-ld", "meta", "microdata", "dublin-core", "time", "trafilatura", "url")
AUTHOR_ORDER = ("json-ld", "meta", "microdata", "trafilatura")
TITLE_ORDER = ("h1", "og", "json-ld", "title", "trafilatura")


@dataclass
class PageMeta:
    title: str | None = None
    title_source: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_source: str | None = None
    published: str | None = None
    published_source: str | None = None
    modified: str | None = None
    modified_source: str | None = None
    site: str | None = None
    site_source: str | None = None
    url: str | None = None
    doubted: list[str] = field(default_factory=list)  # "published 2031-01-01 (json-ld): in the future"
    types: list[str] = field(default_factory=list)  # JSON-LD @types and og:type, lower-cased: what the page says it is
    has_article_node: bool = False
    story_heads: list[str] = field(default_factory=list)  # each top <article>'s <h1>: a second one starts a story


@dataclass
class Sources:
    """Everything read from one page, before the choice."""

    tags: tags.Tags
    ld: jsonld.JsonLd
    traf: dict[str, Any]  # trafilatura's metadata: title, author, date, sitename, pagetype
    url: str | None


def _date_candidates(s: Sources) -> dict[str, str | None]:
    t = s.tags
    hit = t.meta(*_PUBLISHED_META)
    dc = t.meta(*_DC_DATE)
    marked = next((stamp for stamp, pub in t.times if pub), None)
    return {
        "json-ld": s.ld.published,
        "meta": hit[1] if hit else None,
        "microdata": next(iter(t.itemprops.get("datePublished", ())), None),
        "dublin-core": dc[1] if dc else None,
        "time": marked or (t.times[0][0] if t.times else None),
        "trafilatura": s.traf.get("date"),
        "url": dates.url_date(s.url),
    }


def _pick_date(
    cands: dict[str, str | None], order: tuple[str, ...], today: date, what: str, doubted: list[str]
) -> tuple[str | None, str | None]:
    for where in order:
        iso = dates.to_iso(cands.get(where))
        if not iso:
            continue
        why = dates.doubt(iso, today)
        if not why and where == "trafilatura" and iso.endswith("-01-01"):
            why = "a year alone (a copyright line's)"  # htmldate's guess from a year: the 1st of January
        if why:
            note = f"{what} {iso} ({where}): {why}"
            if note not in doubted:
                doubted.append(note)
            continue
        return iso, where
    return None, None


def fuse(
    s: Sources,
    today: date,
    published_order: tuple[str, ...] = PUBLISHED_ORDER,
    author_order: tuple[str, ...] = AUTHOR_ORDER,
    title_order: tuple[str, ...] = TITLE_ORDER,
) -> PageMeta:
    t, ld = s.tags, s.ld
    out = PageMeta(url=s.url or (t.meta("og:url") or ("", None))[1] or t.canonical)
    og_site = t.meta("og:site_name", "application-name", "twitter:site")
    out.site, out.site_source = site_name(
        [
            ("og:site_name", og_site[1] if og_site and og_site[0] == "og:site_name" else None),
            ("json-ld", ld.publisher),
            ("json-ld", ld.site_name),
        ],
        out.url,
    )
    domain = registered_domain(out.url)

    out.published, out.published_source = _pick_date(
        _date_candidates(s), published_order, today, "published", out.doubted
    )
    mod = t.meta(*_MODIFIED_META)
    out.modified, out.modified_source = _pick_date(
        {
            "json-ld": ld.modified,
            "meta": mod[1] if mod else None,
            "microdata": next(iter(t.itemprops.get("dateModified", ())), None),
        },
        ("json-ld", "meta", "microdata"),
        today,
        "modified",
        out.doubted,
    )

    meta_authors: list[str] = []
    for key in _AUTHOR_META:
        meta_authors.extend(v for v in t.metas.get(key, ()) if "://" not in v and not v.startswith("@"))
    author_cands: dict[str, list[str]] = {
        "json-ld": ld.authors + ld.author_orgs,
        "meta": meta_authors[:1],
        "microdata": t.itemprops.get("author", [])[:1],  # later ones are often commenters
        "trafilatura": [s.traf["author"].replace(";", ",")] if s.traf.get("author") else [],
    }
    # "not the publisher": an organisation that publishes the page is no byline (a person running a blog is)
    publisher = ld.publisher if ld.publisher_is_org else None
    for where in author_order:
        names = au.clean_authors(author_cands.get(where) or [], publisher)
        if names:
            out.authors, out.authors_source = names, where
            break

    keys = titles.site_keys(out.site, domain) + [n for n in (ld.publisher, ld.site_name) if n]
    title_meta = t.meta(*_TITLE_META[:2])
    h1 = t.h1[0] if len(t.h1) == 1 else None  # several <h1>: a listing's or a template's, not the headline
    title_cands = {
        "og": title_meta[1] if title_meta else None,
        "json-ld": ld.headline if ld.article is not None else None,
        "h1": h1,
        "title": t.title,
        "trafilatura": s.traf.get("title"),
    }
    for where in title_order:
        title = titles.strip_site(title_cands.get(where), keys)
        if title and len(title) >= 2 and not titles.is_site_name(title, keys):  # a logo's <h1> is no headline
            out.title, out.title_source = title, where
            break

    out.types = list(dict.fromkeys(ld.types + [v.lower() for v in t.metas.get("og:type", [])[:1]]))
    out.has_article_node = ld.article is not None
    return out
