"""One site, one source: a page's source is its site's name (``og:site_name``, JSON-LD's publisher or WebSite),
else its registered domain ("www.rt.com" and "rt.com" are both "rt.com"; "news.bbc.co.uk" is "bbc.co.uk").

The registered domain comes from the public suffix list that the ``tld`` package ships (read from the package,
never fetched)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

_SEPARATORS = " |–—:·•-"


@lru_cache(maxsize=10_000)
def registered_domain(url_or_host: str | None) -> str | None:
    """'https://www.bbc.co.uk/news/x' → 'bbc.co.uk'; an IP address or an unknown suffix: the host itself."""
    if not url_or_host:
        return None
    text = url_or_host.strip()[:2000]
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    from tld import get_fld

    fld = get_fld(host, fix_protocol=True, fail_silently=True)
    return fld if isinstance(fld, str) else host.removeprefix("www.")


def site_name(candidates: list[tuple[str, str | None]], url: str | None) -> tuple[str | None, str | None]:
    """(name, where from): the first named candidate that reads as a name, else the URL's registered domain."""
    for where, name in candidates:
        name = " ".join((name or "").split()).strip(_SEPARATORS)
        if name and len(name) <= 60 and "://" not in name and len(name.split()) <= 6:
            return name, where
    domain = registered_domain(url)
    return (domain, "domain") if domain else (None, None)
