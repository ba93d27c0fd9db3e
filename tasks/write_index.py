"""Index stage: write a batch of enriched documents to Whoosh, then record them in the manifest.

The order matters for crash safety: the Whoosh commit comes first, the manifest second. A run killed in
between leaves documents the manifest does not know yet, which the next run simply re-indexes (an update,
never a duplicate, since ``id`` is unique).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tasks.models import EnrichedDoc

if TYPE_CHECKING:
    from index.manifest import ManifestRow
    from index.segments import BuiltSegment


def write_batch(
    index_root: str,
    docs: list[EnrichedDoc],
    deletes: list[str] | None = None,
    forget: bool = True,
    segment: BuiltSegment | None = None,
    rows: list[ManifestRow] | None = None,
) -> int:
    """Write ``docs`` and delete ``deletes`` from Whoosh, then record both in the manifest. ``forget=False``
    keeps the deleted documents' manifest rows (a quarantined input stays listed, with its reason).
    ``segment`` and ``rows`` (the Dask path, instead of ``docs``): the batch's Whoosh segment and manifest rows,
    both built by a worker (``tasks.process``); the segment is adopted as is."""
    from index.layout import IndexPaths
    from index.manifest import Manifest, manifest_row
    from index.writer import apply_changes

    paths = IndexPaths(Path(index_root))
    if rows is None:
        rows = [manifest_row(d) for d in docs]
    elif docs:
        raise ValueError("give the batch as documents or as manifest rows, not both")
    if segment is not None:
        if list(segment.ids) != [r.id for r in rows]:
            raise ValueError("the built segment holds other documents than the batch")
        written = apply_changes(paths, [], deletes or [], adopted=[segment])
    else:
        written = apply_changes(paths, docs, deletes or [])
    with Manifest(paths.manifest) as manifest:
        manifest.record_rows(rows)
        if deletes and forget:
            manifest.remove(deletes)
    return written


from tasks.prefect_wrap import lazy_tasks  # noqa: E402 - the lazy task factory goes last, after what it wraps

__getattr__ = lazy_tasks(index_task=(write_batch, {"name": "index", "retries": 0}))
