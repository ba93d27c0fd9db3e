"""Stage **clean**: raw text or HTML → headline, metadata, body blocks, and a trace of every line's fate.

``clean_document`` is a pure function of (document, rules): no I/O, no batch-wide evidence, so re-cleaning one
document gives the same result as cleaning it within a batch. Repetition across a site's documents is mined
separately (``newsdex rules suggest``) and becomes rules only when a person accepts them.

The flows clean under a time budget per document (``clean_within``, ``clean_budgeted``): a document past it
is quarantined with the reason and the batch goes on (``tasks/clean/budget.py``).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from newsdex.models import CleanDoc, Quarantined, RawDoc
from newsdex.settings import DEFAULT_CLEAN_SECONDS
from newsdex.tasks.clean import budget
from newsdex.tasks.clean.decide import assemble, clean_lines, domain_of
from newsdex.tasks.clean.empty import no_text
from newsdex.tasks.clean.html import clean_html
from newsdex.tasks.clean.lines import split_lines
from newsdex.tasks.clean.metadata.kind import Page, classify
from newsdex.tasks.clean.rules import Rules
from newsdex.tasks.language import warm


class CleanBatch(NamedTuple):
    docs: list[CleanDoc]
    quarantined: list[tuple[str, Quarantined]]  # (document id, why): over the cleaning budget


def clean_document(raw: RawDoc, rules: Rules) -> CleanDoc:
    if raw.kind == "html":
        return clean_html(raw, rules)
    # Plain text has no domain: its folder (as given) keys per-site rules, as `rules suggest` proposes.
    domain = domain_of(raw.url) or raw.source or os.path.dirname(raw.path) or None
    hint = raw.meta.title if raw.meta else None  # a feed's title: its line is the headline, not body text
    lines, meta = clean_lines(split_lines(raw.text), rules, domain, title_hint=hint)
    doc = assemble(raw, lines, meta, rules)
    doc.page_kind, doc.kind_reason = classify(  # type: ignore[assignment]
        Page(doc.title, [b.text for b in doc.blocks], [b.kind for b in doc.blocks])
    )
    return doc


def clean_within(raw: RawDoc, rules: Rules, seconds: float) -> CleanDoc | Quarantined:
    """``clean_document`` within ``seconds`` (0: no limit), else why not (over budget, or no text extracted)."""
    if seconds <= 0:
        doc = clean_document(raw, rules)
    else:
        # The language identifier's model loads once per process (a second or more on a busy machine): never
        # inside one document's budget, which would quarantine the first page of a worker for it.
        warm()
        try:
            with budget.within(seconds):
                doc = clean_document(raw, rules)
        except budget.OverBudget:
            return Quarantined(path=raw.path, reason=f"cleaning took over {seconds:g} s")
    return no_text(raw, doc) or doc  # never index an empty document silently


def failed(path: str, stage: str, exc: BaseException) -> Quarantined:
    """The one-line reason a stage failed on one document (its error's first line; the rest in ``detail``)."""
    from newsdex.reasons import one_line

    return Quarantined(
        path=path, reason=f"{stage} failed: {type(exc).__name__}: {one_line(exc, 160)}", detail=str(exc)[:2000] or None
    )


def clean_batch(raws: list[RawDoc], rules: Rules) -> list[CleanDoc]:
    return [clean_document(raw, rules) for raw in raws]


def clean_budgeted(raws: list[RawDoc], rules: Rules, seconds: float = DEFAULT_CLEAN_SECONDS) -> CleanBatch:
    """Each document within ``seconds`` (the run's ``Settings.clean_seconds``; 0: no limit): the cleaned, and the
    quarantined."""
    out = CleanBatch([], [])
    for raw in raws:
        try:
            doc = clean_within(raw, rules, seconds)
        except Exception as exc:  # one document's failure never stops its batch
            doc = failed(raw.path, "cleaning", exc)
        if isinstance(doc, Quarantined):
            out.quarantined.append((raw.id, doc))
        else:
            out.docs.append(doc)
    return out
