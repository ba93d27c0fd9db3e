"""Re-clean stage of ``reindex``: stored raw inputs under the current rules, compared with what is indexed.

``diff_lines`` is the pure core (what a rule change removes and restores in one document); ``reclean_batch``
is the thin I/O shell that reads the raw store and the manifest.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from tasks.clean import clean_document
from tasks.load import decode_input
from tasks.models import CleanDoc, Quarantined, RawDoc, removed_hash
from tasks.rules import Rules


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
    removed = [LineChange(text=t, rule=rule) for (t, rule), n in after.items() for _ in range(n) if
               before_text[t] < after_text[t]]
    restored = [LineChange(text=t, rule=rule) for (t, rule), n in before.items() for _ in range(n) if
                after_text[t] < before_text[t]]
    return removed, restored


def reclean_batch(index_root: str, ids: list[str], rules: Rules, full: bool = False) -> RecleanResult:
    """Re-clean the stored raw inputs of ``ids``; a document is changed when its cleaned output differs."""
    from index.layout import IndexPaths
    from index.manifest import Manifest
    from index.rawstore import get_raw

    paths = IndexPaths(Path(index_root))
    result = RecleanResult()
    with Manifest(paths.manifest) as manifest:
        states = manifest.states_for(ids)
        for doc_id in ids:
            row = states.get(doc_id)
            if row is None or row["status"] != "indexed":
                continue
            try:
                data = get_raw(paths.raw, row["raw_hash"])
            except OSError:
                q = Quarantined(path=row["path"], reason="raw input missing from the raw store")
                result.quarantined.append((doc_id, q))
                continue
            raw = decode_input(row["path"], data, gzipped=False)
            if not isinstance(raw, RawDoc):
                result.quarantined.append((doc_id, raw))
                continue
            raw = raw.model_copy(update={"id": doc_id})  # ids are the manifest's, whatever the current folder
            new = clean_document(raw, rules)
            if not full and row["clean_hash"] == new.clean_hash:
                result.unchanged_ids.append(doc_id)
                if row["removed_hash"] != removed_hash(new.removed):
                    result.relabelled.append(new)
                continue
            old = manifest.get(doc_id)  # only for changed documents: the line diff of the report
            result.changed.append(new)
            removed, restored = diff_lines(old, new)
            result.changes.append(
                DocChange(id=doc_id, path=row["path"], source=new.source, removed=removed, restored=restored)
            )
    return result


from tasks.prefect_wrap import lazy_tasks  # noqa: E402 - the lazy task factory goes last, after what it wraps

__getattr__ = lazy_tasks(reclean_task=(reclean_batch, {"name": "reclean"}))
