"""Dates as pages write them (ISO stamps, "Jan 21, 2025", "21.01.2020", URL paths) to ISO days, and the doubt
rule: a date after the reference day or before 1990 is not trusted as a publication date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from newsdex.tasks.clean.lines import parse_date

EARLIEST = date(1990, 1, 1)
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T|\s|$)")
_DOTTED = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")  # 19.01.2020 (day first, as German pages write)
_SLASHED = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\b")
# /2025/09/04/, /2025-09-04/, /20250904/ in a URL path; a year and month alone (/2025/09/) is not a day.
_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?:/|[-_.]|$)")
_URL_COMPACT = re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_.-]|$)")


def _day(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def to_iso(text: str | None) -> str | None:
    """The ISO day a date string names, or None. Bounded: only the first 100 characters are read."""
    if not text:
        return None
    text = text[:100]
    for pat in (_ISO, _SLASHED, _COMPACT):
        m = pat.match(text)
        if m:
            return _day(*m.groups())
    m = _DOTTED.search(text)
    if m:
        return _day(m.group(3), m.group(2), m.group(1))
    return parse_date(text)


def url_date(url: str | None) -> str | None:
    """The day a URL's path names (``/2025/09/04/slug``), or None."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0][:500]
    m = _URL_DAY.search(path) or _URL_COMPACT.search(path)
    return _day(*m.groups()) if m else None


def doubt(iso: str, today: date) -> str | None:
    """Why ``iso`` cannot be trusted as a publication date (in the future, before 1990), or None."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return "not a date"
    if day > today + timedelta(days=1):  # a day's grace: time zones put a fresh page "tomorrow"
        return "in the future"
    if day < EARLIEST:
        return "before 1990"
    return None
