"""Re-clean stage of ``reindex``: stored raw inputs under the current rules, compared with what is indexed.

Plain functions: ``reclean_batch`` takes the stored inputs (raw bytes and manifest state, read by
``newsdex.index.store``) and says which documents the rules change; ``diff_lines`` is what a rule change
removes and restores in one document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

from newsdex.models import CleanDoc, Quarantined, RawDoc, StoredInput, removed_hash
from newsdex.settings import DEFAULT_MAX_BYTES
from newsdex.tasks.clean.rules import Rules
from newsdex.tasks.clean.stage import clean_within
from newsdex.tasks.feeds.stream import decode_stored


class LineChange(BaseModel):
    text: str
    rule: str  # the rule that now removes it, or that used to


class DocChange(BaseModel):
    id: str
    path: str
    source: str | None = None
    removed: list[LineChange] = Field(default_factory=list)  # newly removed lines
    restored: list[LineChange] = Field(default_factory=list)  # lines removed before, kept now


class RecleanResult(BaseModel):
    changed: list[CleanDoc] = Field(default_factory=list)
    changes: list[DocChange] = Field(default_factory=list)
    unchanged_ids: list[str] = Field(default_factory=list)
    # Same cleaned text, but other rules now explain the removed lines: only the stored trace needs updating.
    relabelled: list[CleanDoc] = Field(default_factory=list)
    quarantined: list[tuple[str, Quarantined]] = Field(default_factory=list)


def diff_lines(old: CleanDoc | None, new: CleanDoc) -> tuple[list[LineChange], list[LineChange]]:
    """Lines removed now but not before, and lines removed before but not now (as multisets)."""
    before = Counter((r.text, r.rule) for r in (old.removed if old else []))
    after = Counter((r.text, r.rule) for r in new.removed)
    before_text = Counter(r.text for r in (old.removed if old else []))
    after_text = Counter(r.text for r in new.removed)
    removed = [
        LineChange(text=t, rule=rule)
        for (t, rule), n in after.items()
        for _ in range(n)
        if before_text[t] < after_text[t]
    ]
    restored = [
        LineChange(text=t, rule=rule)
        for (t, rule), n in before.items()
        for _ in range(n)
        if after_text[t] < before_text[t]
    ]
    return removed, restored


def reclean_batch(
    stored: Iterable[StoredInput],
    rules: Rules,
    previous: Callable[[str], CleanDoc | None],
    full: bool = False,
    seconds: float = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RecleanResult:
    """Re-clean stored raw inputs; a document is changed when its cleaned output differs. ``previous`` gives
    what is indexed for a document now (asked only for changed documents: the line diff of the report).
    A document whose cleaning takes over ``seconds`` (0: no limit), or over ``max_bytes``, is quarantined."""
    result = RecleanResult()
    for item in stored:
        if item.data is None:
            result.quarantined.append((item.id, item.missing or Quarantined(path=item.path, reason="no raw input")))
            continue
        # A feed record through its reader: its URL and fields.
        raw = decode_stored(item.path, item.data, max_bytes=max_bytes)
        if not isinstance(raw, RawDoc):
            result.quarantined.append((item.id, raw))
            continue
        raw = raw.model_copy(update={"id": item.id})  # ids are the manifest's, whatever the current folder
        new = clean_within(raw, rules, seconds)
        if isinstance(new, Quarantined):
            result.quarantined.append((item.id, new))
            continue
        if not full and item.clean_hash == new.clean_hash:
            result.unchanged_ids.append(item.id)
            if item.removed_hash != removed_hash(new.removed):
                result.relabelled.append(new)
            continue
        old = previous(item.id)
        if old is not None and new.provenance is None and old.provenance is not None:
            new = new.model_copy(update={"provenance": old.provenance})  # a stored record knows not its line
        result.changed.append(new)
        removed, restored = diff_lines(old, new)
        result.changes.append(
            DocChange(id=item.id, path=item.path, source=new.source, removed=removed, restored=restored)
        )
    return result
