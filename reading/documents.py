"""What the manifest answers: one document by id, prefix or input path (``show``), the clusters of copies
(``duplicates``), the entity ranking and the archive's statistics. Each first checks that the live generation
opens, so a damaged index says so whatever the manifest still holds."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from newsdex.errors import AmbiguousId, IndexDamaged
from newsdex.index import analysis
from newsdex.index import fingerprint as fp
from newsdex.index.damage import manifest_guard
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import Manifest
from newsdex.reading.opening import live_documents, open_index, open_manifest
from newsdex.reasons import reason_kind

NO_REF = "an id (or a unique prefix of one, or an input path) is required"


def resolve_id(manifest: Manifest, ref: str) -> str | None:
    """The indexed document ``ref`` names: an id, a unique id prefix or an input path (AmbiguousId when empty or
    ambiguous; a URL is turned into its id by the caller, as ``show`` does); None when none."""
    if not ref.strip():
        raise AmbiguousId(NO_REF)
    state = manifest.states_for([ref]).get(ref)
    if state is not None and state["status"] == "indexed":
        return ref  # a whole id: one primary-key lookup (an id prefix or a path scans the table)
    ids = manifest.find_ids(ref)
    if not ids and os.path.exists(ref):  # an input path, spelled differently from when it was ingested
        from newsdex.models import document_id  # the model layer (pydantic) only for a path

        ids = manifest.find_ids(document_id(ref))
    if len(ids) > 1 and ref not in ids:
        raise AmbiguousId(f"id {ref!r} is ambiguous: {', '.join(ids)}")
    if not ids:
        return None
    return ref if ref in ids else ids[0]


def get_document(root: Path, ref: str) -> dict[str, Any] | None:
    """The `show` JSON of one document (by id, unique id prefix, or input path); None when not found."""
    from newsdex.models import show_json

    if not ref.strip():
        raise AmbiguousId(NO_REF)
    live_documents(root)
    manifest = open_manifest(root)
    with manifest, manifest_guard(manifest.path):
        found = resolve_id(manifest, ref)
        if found is None:
            return None
        doc = manifest.get(found)
        members = [m["id"] for m in manifest.cluster(key)] if doc and (key := manifest.cluster_of(doc.id)) else []
    if doc is None:
        return None
    return show_json(doc, members, explain=True)


def _member(m: dict[str, Any], similarity: float) -> dict[str, Any]:
    return {
        "id": m["id"],
        "path": m["path"],
        "url": m["url"],
        "title": m["title"],
        "source": m["source"],
        "published": m["published"],
        "similarity": similarity,
    }


def duplicates(root: Path, min_size: int = 2, ids: list[str] | None = None) -> dict[str, Any]:
    """Every cluster of copies with at least ``min_size`` members (among the documents ``ids`` when given), the
    largest first: its representative's id and its members, representative first, each with its similarity to
    the representative (the share of the smaller body's word shingles found in the other; 1.0 for the
    representative). Among ``ids``, a cluster's representative is its first member there."""
    live_documents(root)
    manifest = open_manifest(root)
    wanted = set(ids) if ids is not None else None
    out = []
    with manifest, manifest_guard(manifest.path):
        for key in manifest.cluster_keys_all(max(1, min_size)):
            members = manifest.cluster(key)
            if wanted is not None:
                members = [m for m in members if m["id"] in wanted]
            if len(members) < min_size or not members:
                continue  # a member quarantined but not yet re-placed
            bodies = manifest.bodies([m["id"] for m in members])
            rep = fp.shingles(fp.words(bodies.get(members[0]["id"], "")), fp.DEFAULT.shingle)
            listed = []
            for i, m in enumerate(members):
                mine = fp.shingles(fp.words(bodies.get(m["id"], "")), fp.DEFAULT.shingle)
                listed.append(_member(m, 1.0 if i == 0 else fp.similarity(fp.resemblance(rep, mine))))
            out.append({"id": members[0]["id"], "members": listed})
    return {"clusters": out}


def top_entities(
    root: Path, type_: str | None = None, limit: int = 20, ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """The most mentioned entities (of one type), in every document or in the documents ``ids``."""
    live_documents(root)
    manifest = open_manifest(root)
    with manifest, manifest_guard(manifest.path):
        return manifest.top_entities(type_.upper() if type_ else None, limit, ids)


def _languages(root: Path) -> dict[str, int]:
    """Documents per language in the live generation (index/analysis.py)."""
    with open_index(root).searcher() as searcher:
        return analysis.language_counts(searcher.reader())


def stats(root: Path) -> dict[str, Any]:
    from newsdex.index.writer import index_size_bytes

    paths = IndexPaths(root)
    manifest = open_manifest(root)
    with manifest, manifest_guard(manifest.path):
        counts = manifest.counts()
        runs = manifest.runs(5)
        quarantined = manifest.quarantined()
    versions = counts.pop("rules_versions")
    indexed_docs = live_documents(root)
    if indexed_docs < counts["documents"]:  # the manifest never claims more than Whoosh holds (index/store.py)
        raise IndexDamaged(
            f"the manifest lists {counts['documents']} documents, the live generation holds {indexed_docs}"
        )
    return {
        **counts,
        "index_documents": indexed_docs,
        "languages": _languages(root) if indexed_docs else {},
        "rules_version": max(versions, key=versions.get) if versions else None,
        "rules_versions": versions,
        "index_bytes": index_size_bytes(paths),
        "index": str(root),
        "quarantined": quarantined,
        "quarantined_by_reason": dict(Counter(reason_kind(q["reason"]) for q in quarantined).most_common()),
        "last_run": runs[0] if runs else None,
        "runs": runs,
    }
