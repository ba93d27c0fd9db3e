"""A cleaned document with nothing to index: never indexed silently, quarantined with the reason."""

from __future__ import annotations

from newsdex.models import CleanDoc, Quarantined, RawDoc

NO_TEXT = "no text extracted"


def no_text(raw: RawDoc, doc: CleanDoc) -> Quarantined | None:
    """Why a non-empty input's cleaned document is empty, or None when it has text.

    Empty means no heading, paragraph or caption, and, for plain text, no title either: a page's title comes
    from its <title> or <meta> even when its body could not be parsed (a page nested deeper than libxml2's
    limit), so it does not make an HTML document worth indexing."""
    if doc.blocks or not raw.text.strip() or (doc.title and raw.kind == "text"):
        return None
    n = len(doc.removed)
    removed = f"{n} line{'s' if n != 1 else ''} removed by the rules; `newsdex clean --explain` shows them"
    if raw.kind == "html":
        detail = "the page yielded no text to keep" + (f" ({removed})" if doc.removed else "")
    else:
        detail = f"every line removed ({removed})" if doc.removed else "nothing left after cleaning"
    return Quarantined(path=raw.path, reason=f"{NO_TEXT}: {detail}")
