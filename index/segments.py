"""Whoosh segments built away from the index (on a Dask worker) and adopted by the one writer.

Turning documents into a segment (analysis, postings, compression) is most of Whoosh's cost: ~90% of the index
stage, the rest being the commit of the table of contents and the manifest. A worker builds its batch's
segment in memory (``build_segment``) and ships the files back with the documents; the flow's process only
adds them to the live index (``newsdex.index.writer.apply_changes(..., adopted=[...])``), so the single writer stops
being the part of a scaled-out run that does not scale. This is Whoosh's own multi-process recipe
(``whoosh.multiproc.MpWriter`` with ``multisegment=True``), with Dask in place of ``multiprocessing``: the
files travel with the task result, so workers need no shared filesystem.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.util import random_name

from newsdex.index.schema import build_schema, to_fields
from newsdex.index.whoosh_internals import segments_of
from newsdex.models import EnrichedDoc


@dataclass(frozen=True)
class BuiltSegment:
    """One finished Whoosh segment: the object the index's table of contents lists, its files, and the ids
    of its documents (older versions of which the adopting writer deletes)."""

    segment: Any  # whoosh.codec.whoosh3.W3Segment
    files: dict[str, bytes]
    ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


class _PrivateTempRamStorage(RamStorage):
    """A RamStorage whose scratch files go to a folder of its own. Whoosh's RamStorage puts them in
    ``<system temp>/MAIN.tmp``, one folder for every process on the machine, and a writer's commit empties and
    removes that folder: two workers building segments at the same moment deleted each other's column files
    (FileNotFoundError on ``MAIN.tmp/….ctmp``, 36,000 documents into a 50k ingest on 2 workers)."""

    def __init__(self, folder: str) -> None:
        super().__init__()
        self._scratch = folder

    def temp_storage(self, name: str | None = None) -> FileStorage:
        return FileStorage(os.path.join(self._scratch, name or f"{random_name()}.tmp")).create()


def build_segment(docs: list[EnrichedDoc]) -> BuiltSegment | None:
    """The segment the index writer would write for ``docs``, built in memory (scratch files in a private
    temporary folder, removed afterwards)."""
    if not docs:
        return None
    with tempfile.TemporaryDirectory(prefix="newsdex-segment-") as scratch:
        storage = _PrivateTempRamStorage(scratch)
        ix = storage.create_index(build_schema())
        writer = ix.writer()
        for doc in docs:
            writer.add_document(**to_fields(doc))
        writer.commit(merge=False)
        (segment,) = segments_of(ix)  # one commit into an empty index: one segment
        files = {name: bytes(storage.files[name]) for name in segment.list_files(storage)}
    return BuiltSegment(segment=segment, files=files, ids=tuple(d.id for d in docs))
