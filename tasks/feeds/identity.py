"""Document ids of feed records: a record with a URL is its normalised URL (the same article from a later feed
file or a WARC updates one document); without one, its file and record number."""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that say where a click came from, not which page it is.
_TRACKING = re.compile(
    r"(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|ref_src|ocid|"
    r"cmpid|src|sr_share|share|smid|ito|at_medium|at_campaign)",
    re.I,
)


def normalise_url(url: str | None) -> str | None:
    """``https://Example.com:443/a?utm_source=x&id=2#top`` → ``https://example.com/a?id=2``; None when not an
    http(s) URL with a host."""
    if not url or not isinstance(url, str) or len(url) > 8192:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = "&".join(p for p in parts.query.split("&") if p and not _TRACKING.fullmatch(p.split("=", 1)[0]))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def url_document_id(url: str | None) -> str | None:
    normal = normalise_url(url)
    if normal is None:
        return None
    return hashlib.sha1(("url\x00" + normal).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def record_document_id(path: str, number: int) -> str:
    """A record without a URL: its file (absolute, as ``document_id``) and its line or record number."""
    key = f"{os.path.abspath(path)}\x00{number}"
    return hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
