"""Stage **clean**: raw text or HTML → headline, metadata, body blocks, and a trace of every line's fate.

``clean_document`` is a pure function of (document, rules): no I/O, no batch-wide evidence, so re-cleaning one
document gives the same result as cleaning it within a batch. Repetition across a site's documents is mined
separately (``newsdex rules suggest``) and becomes rules only when a person accepts them.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from tasks.clean_lines import Line, split_lines
from tasks.clean_model import line_scorer
from tasks.clean_text import TextMeta, decide_lines
from tasks.models import CleanDoc, RawDoc
from tasks.rules import Rules

_TRACE_ROLES = ("title", "byline", "date", "heading", "paragraph", "caption", "meta")
_ROLE_TO_BLOCK = {"heading": "heading", "paragraph": "paragraph", "caption": "caption"}


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else "//" + url).hostname
    return host.removeprefix("www.") if host else None


def clean_lines(
    texts: list[str],
    rules: Rules,
    domain: str | None = None,
    title_hint: str | None = None,
    roles: list[str] | None = None,
    statistical: bool = True,
) -> tuple[list[Line], TextMeta]:
    """Decide a list of lines. ``roles`` pre-assigns structure known from HTML (heading/paragraph/caption)."""
    lines = [Line.of(t) for t in texts]
    scorer = line_scorer(rules) if statistical else None
    meta = decide_lines(lines, rules, domain, title_hint, scorer=scorer, known_roles=roles)
    return lines, meta


def assemble(raw: RawDoc, lines: list[Line], meta: TextMeta, rules: Rules, **extra: str | None) -> CleanDoc:
    blocks: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    trace: list[dict[str, Any]] = []
    # Plain dicts, validated by CleanDoc in one call: a model per line was a tenth of the text path's time.
    for ln in lines:
        role = ln.role if ln.role in _TRACE_ROLES else "removed"
        trace.append({"text": ln.text, "kept": bool(ln.kept), "rule": ln.rule, "role": role})
        if ln.kept and role in _ROLE_TO_BLOCK:
            blocks.append({"kind": _ROLE_TO_BLOCK[role], "text": ln.text})
        elif not ln.kept and role != "title":
            removed.append({"text": ln.text, "rule": ln.rule or "removed"})
    url = raw.url or extra.get("url")
    source = raw.source or extra.get("sitename") or domain_of(url)
    return CleanDoc.model_validate({
        "id": raw.id,
        "path": raw.path,
        "kind": raw.kind,
        "raw_hash": raw.raw_hash,
        "url": url,
        "source": source,
        "title": meta.title,
        "byline": meta.byline or extra.get("author"),
        "published": meta.published or extra.get("date"),
        "blocks": blocks,
        "removed": removed,
        "trace": trace,
        "rules_version": rules.version,
    })


def clean_document(raw: RawDoc, rules: Rules) -> CleanDoc:
    if raw.kind == "html":
        from tasks.html_extract import clean_html

        return clean_html(raw, rules)
    # Plain text has no domain: its folder (as given) keys per-site rules, as `rules suggest` proposes.
    domain = domain_of(raw.url) or raw.source or os.path.dirname(raw.path) or None
    lines, meta = clean_lines(split_lines(raw.text), rules, domain)
    return assemble(raw, lines, meta, rules)


def clean_batch(raws: list[RawDoc], rules: Rules) -> list[CleanDoc]:
    return [clean_document(raw, rules) for raw in raws]


from tasks.prefect_wrap import lazy_tasks  # noqa: E402 - the lazy Prefect task is defined after the functions

__getattr__ = lazy_tasks(clean_task=(clean_batch, {"name": "clean", "retries": 1}))
