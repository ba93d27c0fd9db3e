"""Titles without the site's name: "Headline | DW | 19.01.2020" → "Headline", "BBC News - Headline" → "Headline"."""

from __future__ import annotations

import re

from newsdex.tasks.clean.metadata.dates import to_iso

_SEPARATOR = re.compile(r"\s+[|–—·•»«:-]{1,2}\s+|\s*\|\s*")
_NON_WORD = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return _NON_WORD.sub("", text.lower())


def _is_site(part: str, sites: list[str]) -> bool:
    key = _key(part)
    if not key:
        return True
    for site in sites:
        s = _key(site)
        if s and (key == s or (len(s) >= 3 and (key.startswith(s) or s.startswith(key) and len(key) >= 3))):
            return True
    return False


def _is_date(part: str) -> bool:
    return len(part) <= 40 and to_iso(part) is not None


def strip_site(title: str | None, sites: list[str]) -> str | None:
    """The title without leading or trailing parts that name the site (any of ``sites``: its name, its domain
    without suffix) or a date; a short trailing part goes too when the head reads as a headline (3+ words)."""
    if not title:
        return None
    title = " ".join(title.split())[:1000]
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    seps = _SEPARATOR.findall(title)
    while len(parts) > 1 and (_is_site(parts[-1], sites) or _is_date(parts[-1])):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and (_is_site(parts[0], sites) or _is_date(parts[0])):
        parts.pop(0)
        seps.pop(0)
    # an unnamed short tail ("… - Politics - Site Name" after the name is gone, or an unknown brand)
    if (
        len(parts) > 1
        and len(parts[-1].split()) <= 4
        and len(" ".join(parts[:-1]).split()) >= 3
        and ("|" in seps[-1] or len(parts) > 2)
    ):
        parts.pop()
        seps.pop()
    out = parts[0]
    for sep, part in zip(seps, parts[1:], strict=False):
        out += sep + part
    return out.strip() or title


def is_site_name(title: str, sites: list[str]) -> bool:
    """The whole title is one of the site's names."""
    key = _key(title)
    return any(key == _key(s) for s in sites if s)


def site_keys(site: str | None, domain: str | None) -> list[str]:
    """Names a title may carry for its site: the site name and the domain's first label ('dw' of 'dw.com')."""
    keys = [s for s in (site,) if s]
    if domain:
        keys.append(domain)
        keys.append(domain.split(".")[0])
    return keys
