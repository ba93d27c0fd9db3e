"""Authors as a list of names: not "By …", not a URL or a handle, not the publisher, not a date or a role."""

from __future__ import annotations

import re

MAX_AUTHORS = 20
_BY = re.compile(
    r"^\s*(?:(?:written|posted|words|story|text|reported|photos?)\s+)?(?:by|von|par|por|di|door)\s*:?\s+", re.I
)
_SPLIT = re.compile(r"\s*(?:;|\|| / |,|\band\b|&|\bund\b|\bet\b|\by\b)\s*", re.I)
_NOT_NAME = re.compile(
    r"https?:|www\.|@|\.(?:com|org|net|de|uk)\b|\d{3,}|^\W+$|\b(?:admin|administrator|updated|published|"
    r"minutes?|read|share|follow|comments?)\b",
    re.I,
)
_TRAIL = re.compile(r"\s*[,|–—-]\s*(?:for|in|at|from)\b.*$|\s+\((?:[^)]{0,60})\)$", re.I)
# Degrees and honorifics that follow a name with a comma ("Dylan Bailey, MS, RD"): part of the name, not others.
_SUFFIX = re.compile(r"^(?:[A-Z]{2,6}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?|I{2,3}|IV|MBA|RDN?|MSc|BSc)$")


def split_names(text: str | None) -> list[str]:
    """'By Jane Doe and John Roe' → ['Jane Doe', 'John Roe']."""
    if not text:
        return []
    text = _BY.sub("", " ".join(text.split())[:500])
    out: list[str] = []
    for part in _SPLIT.split(text):
        part = _TRAIL.sub("", _BY.sub("", part)).strip(" .,:;-–—")
        if not part:
            continue
        if out and _SUFFIX.match(part):
            out[-1] = f"{out[-1]}, {part}"
            continue
        out.append(part)
    return out


def clean_authors(names: list[str], publisher: str | None = None, site: str | None = None) -> list[str]:
    """Names kept, in order, without duplicates: a URL, a handle, a date, the publisher or the site is none."""
    banned = {n.lower() for n in (publisher, site) if n}
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        for name in split_names(raw) if raw else []:
            base = name.split(",")[0]
            words = base.split()
            key = name.lower()
            if (
                not 1 <= len(words) <= 5
                or len(base) > 60
                or key in banned
                or key in seen
                or _NOT_NAME.search(base)
                or not any(c.isalpha() for c in base)
            ):
                continue
            seen.add(key)
            out.append(name)
            if len(out) >= MAX_AUTHORS:
                return out
    return out
