"""Which quarantined input an id or a path names: `show` says why an input is not in the index instead of
"no document". Only read when a lookup among the indexed documents found nothing."""

from __future__ import annotations

import os
from pathlib import Path

from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import open_readonly
from newsdex.models import document_id


def find_quarantined(root: Path, ref: str) -> dict[str, str] | None:
    """``{"path", "reason"}`` of the quarantined input ``ref`` names (its id, a unique id prefix, or its path
    as ingested or spelled otherwise), or None."""
    manifest = open_readonly(IndexPaths(root).manifest)
    if manifest is None or not ref.strip():
        return None
    with manifest:
        rows = [r for r in manifest.all_inputs() if r["status"] == "quarantined"]
        reasons = {q["path"]: q["reason"] for q in manifest.quarantined()}
    absolute, as_id = os.path.abspath(ref), document_id(ref)
    by_path = [r for r in rows if ref in (r["path"], r["id"]) or absolute == r["abspath"] or r["id"] == as_id]
    by_prefix = [r for r in rows if r["id"].startswith(ref)]
    found = by_path or (by_prefix if len(by_prefix) == 1 else [])
    if not found:
        return None
    return {"path": found[0]["path"], "reason": reasons.get(found[0]["path"]) or "no reason recorded"}
