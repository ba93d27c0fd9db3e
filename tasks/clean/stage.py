"""Stage **clean**: raw text or HTML → headline, metadata, body blocks, and a trace of every line's fate.

``clean_document`` is a pure function of (document, rules): no I/O, no batch-wide evidence, so re-cleaning one
document gives the same result as cleaning it within a batch. Repetition across a site's documents is mined
separately (``newsdex rules suggest``) and becomes rules only when a person accepts them.
"""

from __future__ import annotations

import os

from newsdex.models import CleanDoc, RawDoc
from newsdex.tasks.clean.decide import assemble, clean_lines, domain_of
from newsdex.tasks.clean.html import clean_html
from newsdex.tasks.clean.lines import split_lines
from newsdex.tasks.clean.rules import Rules


def clean_document(raw: RawDoc, rules: Rules) -> CleanDoc:
    if raw.kind == "html":
        return clean_html(raw, rules)
    # Plain text has no domain: its folder (as given) keys per-site rules, as `rules suggest` proposes.
    domain = domain_of(raw.url) or raw.source or os.path.dirname(raw.path) or None
    lines, meta = clean_lines(split_lines(raw.text), rules, domain)
    return assemble(raw, lines, meta, rules)


def clean_batch(raws: list[RawDoc], rules: Rules) -> list[CleanDoc]:
    return [clean_document(raw, rules) for raw in raws]
