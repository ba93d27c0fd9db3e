"""Which JSON field holds what, for the feed shapes people use: Scrapy-style items, news-please and
trafilatura's JSON, recognised without configuration; ``--field TARGET=NAME`` names any other."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

# Tried in order; an explicit mapping is tried first. trafilatura's ``source`` is the URL, hence url before source.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "canonical_url", "link", "source"),
    "html": ("html", "raw_html", "body_html", "content_html", "page_html"),
    "text": ("text", "maintext", "article_body", "body", "content", "raw_text", "article", "description"),
    "title": ("title", "headline"),
    "published": ("date_publish", "published", "published_at", "publish_date", "datePublished", "pubdate", "date"),
    "byline": ("authors", "author", "byline"),
    "language": ("language", "lang"),
    "source": ("source_domain", "hostname", "sitename", "site_name", "site", "domain", "source"),
}
TARGET_ALIASES = {"date": "published", "author": "byline", "authors": "byline", "body": "text", "sitename": "source"}
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_URLISH = re.compile(r"^https?://", re.I)


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    """``["text=article_body", "date=pub"]`` → ``{"text": "article_body", "published": "pub"}``; ValueError
    names a bad item."""
    out: dict[str, str] = {}
    for item in items or []:
        target, sep, name = item.partition("=")
        target = TARGET_ALIASES.get(target.strip().lower(), target.strip().lower())
        if not sep or not name.strip() or target not in DEFAULT_FIELDS:
            raise ValueError(f"--field {item!r}: expected TARGET=NAME, TARGET one of {', '.join(DEFAULT_FIELDS)}")
        out[target] = name.strip()
    return out


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):  # authors: ["A", "B"] or [{"name": "A"}]
        names = [v.get("name") if isinstance(v, dict) else v for v in value]
        joined = ", ".join(str(n).strip() for n in names if isinstance(n, str | int) and str(n).strip())
        return joined or None
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"].strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def pick(item: dict[str, Any], target: str, mapping: dict[str, str]) -> str | None:
    names = ((mapping[target],) if target in mapping else ()) + DEFAULT_FIELDS[target]
    for name in names:
        value = _as_text(item.get(name))
        if value is None:
            continue
        if target == "url" and name == "source" and not _URLISH.match(value):
            continue  # a site name, not trafilatura's URL
        if target == "source" and name == "source" and _URLISH.match(value):
            continue
        return value
    return None


def real_date(year: str, month: str, day: str) -> str | None:
    """``YYYY-MM-DD`` when it names a day of the calendar (not 2024-02-30, not 9999-99-99), else None."""
    try:
        return datetime(int(year), int(month), int(day)).date().isoformat()  # a calendar day, no time zone
    except ValueError:
        return None


def impossible_date(value: str | None) -> bool:
    """A value shaped like an ISO date that is no day of the calendar: dropped, and noted in the run report."""
    m = _ISO_DATE.search(value[:40]) if isinstance(value, str) else None
    return m is not None and real_date(*m.groups()) is None


def iso_date(value: str | None) -> str | None:
    """The date part of an ISO, RFC 2822 or Unix-time value, as ``YYYY-MM-DD``; None when it is none of them."""
    if not value:
        return None
    m = _ISO_DATE.search(value[:40])
    if m:
        return real_date(*m.groups())
    try:
        if value.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(value), tz=UTC).date().isoformat()
        return parsedate_to_datetime(value).date().isoformat()
    except (ValueError, TypeError, OverflowError, OSError):
        return None
