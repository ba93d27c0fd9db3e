"""The document's metadata fields from a feed record's own, the page's (``fuse``) and the lines the text holds
(dateline, byline, headline), each with where it came from. A feed's fields win; then the page's structured
metadata; then the text's lines; a date read from the URL alone yields to a dateline in the text."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from newsdex.models import RawDoc
from newsdex.tasks.clean.metadata import authors as au
from newsdex.tasks.clean.metadata.dates import doubt, to_iso, url_date
from newsdex.tasks.clean.metadata.fuse import PageMeta
from newsdex.tasks.clean.metadata.site import registered_domain

_HOSTLIKE = re.compile(r"^(?:https?://)?[\w.-]+\.[a-z]{2,}\.?(?::\d+)?/?$", re.I)


def reference_day(raw: RawDoc, today: date) -> date:
    """The day a page's dates are judged against: when it was fetched (a WARC record's), else today."""
    crawled = raw.meta.crawled if raw.meta else None
    iso = to_iso(crawled)
    return date.fromisoformat(iso) if iso else today


def _source(raw: RawDoc, page: PageMeta | None, url: str | None) -> tuple[str | None, str | None]:
    feed = " ".join((raw.source or "").split())
    if feed and not _HOSTLIKE.match(feed):
        return feed, "feed"  # a feed record's site name
    if page is not None and page.site and page.site_source != "domain":
        return page.site, page.site_source
    domain = registered_domain(url) or (registered_domain(feed) if feed else None)
    if domain:
        return domain, "domain"
    return (feed or None), ("feed" if feed else None)


def fields(
    raw: RawDoc,
    text_title: str | None,
    text_byline: str | None,
    text_date: str | None,
    page: PageMeta | None,
    url: str | None,
    today: date,
) -> dict[str, Any]:
    """title, byline, authors, published, modified, source and their ``*_source``, and ``doubted``."""
    feed = raw.meta
    out: dict[str, Any] = {"doubted": list(page.doubted) if page else []}

    if feed and feed.title:
        out["title"], out["title_source"] = feed.title, "feed"
    elif page is not None and page.title and text_title == page.title:
        out["title"], out["title_source"] = page.title, page.title_source
    else:
        out["title"], out["title_source"] = text_title, "headline" if text_title else None

    names = au.clean_authors([feed.byline]) if feed and feed.byline else []
    if names:
        out["authors"], out["byline_source"] = names, "feed"
    elif page is not None and page.authors:
        out["authors"], out["byline_source"] = page.authors, page.authors_source
    else:
        out["authors"] = au.clean_authors([text_byline]) if text_byline else []
        out["byline_source"] = "byline" if out["authors"] else None
    out["byline"] = ", ".join(out["authors"]) or (feed.byline if feed and feed.byline else None)
    if out["byline"] and not out["authors"]:
        out["byline_source"] = "feed"

    day = reference_day(raw, today)
    dateline = to_iso(text_date)
    if dateline and (why := doubt(dateline, day)):
        out["doubted"].append(f"published {dateline} (dateline): {why}")
        dateline = None
    if feed and feed.published:
        out["published"], out["published_source"] = feed.published, "feed"
    elif page is not None and page.published and not (page.published_source == "url" and dateline):
        out["published"], out["published_source"] = page.published, page.published_source
    else:
        out["published"], out["published_source"] = dateline, "dateline" if dateline else None
    if out["published"] is None and page is None and (by_url := url_date(url)) and not doubt(by_url, day):
        out["published"], out["published_source"] = by_url, "url"  # the text path: the URL's date, last
    out["modified"] = page.modified if page else None
    out["modified_source"] = page.modified_source if page else None
    out["source"], out["source_source"] = _source(raw, page, url)
    return out
