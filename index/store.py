"""The one owner of an index folder: its write lock, manifest, raw store, Whoosh generations, run records and
the staging of full rebuilds. Flows ask it to admit, write, quarantine, prune and rebuild; they never open the
manifest or Whoosh themselves.

Crash safety lives here and only here: every write commits Whoosh first and records the manifest second. A run
killed in between leaves documents the manifest does not know yet; the next run re-indexes them (an update,
never a duplicate, since ``id`` is unique in Whoosh). A full rebuild writes a new generation and stages its
manifest rows; both become live only at the swap (``rebuilding``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsdex.index.check import RAW_KINDS, CheckResult, check_index, quick_problem, unfinished_generations
from newsdex.index.damage import IndexDamaged, manifest_guard
from newsdex.index.layout import (
    MANIFEST,
    REPAIR_MANIFEST,
    IndexBusy,
    IndexPaths,
    IndexReadOnly,
    NotAnIndex,
    drop_generations,
    held_or_take,
    live_generation_name,
    reader_lock,
    writer_lock,
)
from newsdex.index.manifest import Manifest, ManifestRow, manifest_row, open_readonly
from newsdex.index.rawstore import get_raw, put_raw
from newsdex.index.repair import Repaired, rebuild_manifest, restore_raw
from newsdex.index.segments import BuiltSegment
from newsdex.index.space import MIN_FREE, free_bytes
from newsdex.index.writer import Rebuild, apply_changes, indexed_ids
from newsdex.models import CleanDoc, EnrichedDoc, LoadResult, Quarantined, RawDoc, Record, StoredInput

__all__ = ["IndexBusy", "IndexDamaged", "IndexReadOnly", "IndexStore", "NotAnIndex", "Rebuilding"]


class IndexStore:
    def __init__(self, root: str | os.PathLike[str], manifest_name: str = MANIFEST, readonly: bool = False) -> None:
        self.paths = IndexPaths(Path(root), manifest_name)
        self.readonly = readonly  # a dry run: the manifest opened read-only, nothing written (a read-only folder)

    @property
    def root(self) -> Path:
        return self.paths.root

    def exists(self) -> bool:
        return self.paths.manifest.exists()

    # -- the writer's session ------------------------------------------------------------------------------

    @contextmanager
    def lock(self, wait: bool = False, shared: bool = False) -> Iterator[None]:
        """Hold the write lock; ``IndexBusy`` at once (or after waiting, with ``wait``) when another process has it.
        A kernel lock: released if the holder dies. ``shared``: only keep writers out (a check that writes
        nothing, also on a read-only folder)."""
        with (reader_lock if shared else writer_lock)(self.paths, wait=wait):
            yield

    @contextmanager
    def writing(self, lock_held: bool = False, verify: bool = True, place_copies: bool = True) -> Iterator[IndexStore]:
        """Hold the write lock (unless the caller already does) and finish any full rebuild that a crash
        interrupted after its swap: the manifest then catches up with the live generation.

        A damaged index raises IndexDamaged (``verify``): writing into a generation that does not open would
        start a new, nearly empty one, and an ingest would report the rest "unchanged". A full rebuild passes
        ``verify=False``: it replaces the generation, which is the repair."""
        with held_or_take(self.paths, lock_held):
            if self.paths.live_generation() is not None and not self.exists():
                self.verify(whoosh=False)  # before Manifest() creates an empty one in its place
            if self.readonly:  # a dry run changes nothing, not even what a crash left to finish
                if verify:
                    self.verify()
                yield self
                return
            with manifest_guard(self.paths.manifest), Manifest(self.paths.manifest) as manifest:
                manifest.recover_staged(live_generation_name(self.paths))
                if place_copies:  # an index made before copies were found gets its clusters, once,
                    manifest.refresh_copies()
                    manifest.fill_vocabulary()  # and one made before did-you-mean kept its words, its words
            if verify:
                self.verify()
            yield self

    def verify(self, whoosh: bool = True) -> None:
        """The cheap check (``newsdex.index.check.quick_problem``): IndexDamaged naming the damage."""
        problem = quick_problem(self.paths, whoosh=whoosh)
        if problem is not None:
            raise IndexDamaged(problem)

    # -- check and repair (`newsdex check`; the caller holds the write lock) ------------------------------

    def check(self) -> CheckResult:
        return check_index(self.paths)

    def repair_in_place(self, found: CheckResult) -> tuple[Repaired, CheckResult, IndexStore]:
        """What a repair does without re-cleaning: a lost or damaged manifest rebuilt from what survives, an
        interrupted rebuild's staged rows applied, raw inputs restored from their original files. Returns what
        it did, the check after it (what is left for a full rebuild is in that check) and the store to finish
        the repair in: this one, or, when the manifest was rebuilt, the same folder with the rebuilt manifest
        beside the live one (``REPAIR_MANIFEST``). Its rows lack documents until the full rebuild fills them, so
        readers must not see it before then: ``finish_repair`` swaps it in after the rebuild's own swap, and
        meanwhile readers find the manifest missing (an error), never a mix of the old index and a half-made
        manifest."""
        done = Repaired()
        work = self
        for side in ("", "-wal", "-shm", "-journal"):  # a repair killed before its swap: start it again
            Path(f"{self.root / REPAIR_MANIFEST}{side}").unlink(missing_ok=True)
        if found.kinds() & {"manifest-missing", "manifest-corrupt"}:
            work = IndexStore(self.root, REPAIR_MANIFEST)
            done = rebuild_manifest(self.paths, into=work.paths)
        return (*work._repair_rest(done), work)

    def _repair_rest(self, done: Repaired) -> tuple[Repaired, CheckResult]:
        with Manifest(self.paths.manifest) as manifest:
            if manifest.recover_staged(live_generation_name(self.paths)):
                done.actions.append("applied the staged rows of an interrupted full rebuild")
        leftovers = unfinished_generations(self.paths)
        if leftovers:
            drop_generations(self.paths, keep=self.paths.live_generation())
            done.actions.append(
                "removed the unfinished generation"
                + ("s " if len(leftovers) > 1 else " ")
                + ", ".join(g.name for g in leftovers)
            )
        after = self.check()
        raw = restore_raw(self.paths, [p for p in after.problems if p.kind in RAW_KINDS])
        done.actions += raw.actions
        done.not_recovered += raw.not_recovered
        return done, (self.check() if raw.actions else after)

    def finish_repair(self, work: IndexStore) -> None:
        """Put the manifest a repair rebuilt beside the live index in its place (one rename, after the rebuild's
        generation swap): from here on readers see the repaired index whole."""
        if work.paths.manifest == self.paths.manifest:
            return
        with Manifest(work.paths.manifest) as manifest:
            manifest.conn.execute("PRAGMA journal_mode=DELETE")  # folds the log into the file before the rename
        fd = os.open(work.paths.manifest, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        for side in ("-wal", "-shm"):
            Path(f"{self.paths.manifest}{side}").unlink(missing_ok=True)
        os.replace(work.paths.manifest, self.paths.manifest)
        for side in ("-wal", "-shm"):
            Path(f"{work.paths.manifest}{side}").unlink(missing_ok=True)

    def start_run(self, kind: str) -> int:
        with Manifest(self.paths.manifest) as manifest:
            return manifest.start_run(kind)

    def finish_run(self, run_id: int, report: dict[str, Any]) -> None:
        with Manifest(self.paths.manifest) as manifest:
            manifest.finish_run(run_id, report)

    def document_count(self) -> int:
        with Manifest(self.paths.manifest) as manifest:
            return int(manifest.counts()["documents"])

    # -- ingest ------------------------------------------------------------------------------------------

    def admit(self, records: Iterable[Record], rules_version: str, force: bool = False) -> LoadResult:
        """Admit one batch of records (a file's only document, or a feed's records): keep the bytes of new and
        changed ones in the raw store, record the quarantined, and skip what the manifest already holds
        unchanged (same bytes, same rules, same path): an unchanged record is skipped by its hash, never
        cleaned. A document met more than once in the batch (re-scraped, or one URL in two feeds) is its last
        record; the earlier ones are superseded, counted as neither new, changed nor unchanged."""
        result = LoadResult()
        quarantined: list[tuple[str, Quarantined]] = []
        records = list(records)
        last = {r.id: i for i, r in enumerate(records) if isinstance(r.doc, RawDoc)}
        with Manifest(self.paths.manifest) as manifest:
            known = manifest.states_for(list(dict.fromkeys(r.id for r in records)))
            for i, (doc_id, doc, data, _) in enumerate(records):
                result.seen_ids.append(doc_id)
                if isinstance(doc, RawDoc) and last[doc_id] != i:
                    continue  # a later record of this batch is the document
                before = known.get(doc_id)
                if isinstance(doc, Quarantined):
                    result.quarantined.append(doc)
                    quarantined.append((doc_id, doc))
                    if before is not None and before["status"] == "indexed":
                        result.drop_ids.append(doc_id)  # was searchable: its Whoosh entry must go
                    continue
                if (
                    not force
                    and before is not None
                    and before["status"] == "indexed"
                    and before["raw_hash"] == doc.raw_hash
                    and before["rules_version"] == rules_version
                    and before["path"] == doc.path
                ):
                    result.unchanged += 1
                    continue
                assert data is not None
                put_raw(self.paths.raw, doc.raw_hash, data)
                if before is None or before["status"] != "indexed":
                    result.new += 1
                    result.new_ids.append(doc_id)
                else:
                    result.changed += 1
                result.docs.append(doc)
            manifest.record_quarantined(quarantined)
            manifest.record_locations([(r.id, r.location) for r in records])
        return result

    def pending(self, inputs: list[tuple[str, str, str | None]], rules_version: str) -> int:
        """How many of ``inputs`` ((document id, path as given, raw hash or None when unreadable)) an ingest
        would process or quarantine: all but those indexed with these bytes, these rules and this path."""
        if not self.exists():
            return len(inputs)
        with Manifest(self.paths.manifest) as manifest:
            known = manifest.states_for(list(dict.fromkeys(i for i, _, _ in inputs)))
        pending = 0
        for doc_id, path, digest in inputs:
            row = known.get(doc_id)
            pending += (
                digest is None
                or row is None
                or row["status"] != "indexed"
                or row["raw_hash"] != digest
                or row["rules_version"] != rules_version
                or row["path"] != path
            )
        return pending

    def unchanged(self, inputs: list[tuple[str, str, str | None]], rules_version: str, prune: bool = False) -> bool:
        """Whether an ingest of ``inputs`` would change nothing: none ``pending``, no repaired manifest waiting for
        its rebuild and, with ``prune``, no indexed input gone from its place. The caller holds the write lock
        (nothing can change in between)."""
        if not self.exists() or self.pending(inputs, rules_version):
            return False
        with Manifest(self.paths.manifest) as manifest:
            if manifest.incomplete():
                return False  # a repaired manifest waits for its full rebuild: not ours to skip
            if prune:
                seen = {i for i, _, _ in inputs}
                if any(
                    r["id"] not in seen and r["abspath"] and not os.path.exists(r["abspath"])
                    for r in manifest.all_inputs()
                ):
                    return False
        return True

    def indexed_since(self, since: float) -> int:
        """Documents written at or after ``since`` (Unix time): what a stopped run has kept."""
        if not self.exists():
            return 0
        with Manifest(self.paths.manifest) as manifest:
            return manifest.indexed_since(since)

    def record_run(self, kind: str, report: dict[str, Any]) -> None:
        """A run that found nothing to do, recorded as the flows record theirs (``stats`` lists it)."""
        with Manifest(self.paths.manifest) as manifest:
            manifest.finish_run(manifest.start_run(kind), report)

    def clear_quarantined(self, read_whole: Iterable[str], before: float) -> int:
        """Quarantined records of the feed files read whole that this run met no more (fixed, or gone)."""
        with Manifest(self.paths.manifest) as manifest:
            return manifest.clear_quarantined(read_whole, before)

    def originals(self, text_hashes: list[str]) -> dict[str, EnrichedDoc]:
        """Indexed documents with these title-and-text hashes (``CleanDoc.text_hash``): an exact copy's
        entities are taken from one of them instead of running the model again."""
        manifest = open_readonly(self.paths.manifest)  # also from a worker, beside the flow's writer
        if manifest is None:
            return {}
        with manifest:
            return manifest.originals(list(dict.fromkeys(text_hashes)))

    def known_names(
        self, language: str, types: tuple[str, ...], min_documents: int, limit: int
    ) -> list[tuple[str, str]]:
        """(canonical name, type) of the names of ``types`` in at least ``min_documents`` indexed articles in
        ``language``, the most documents first (``Manifest.known_names``)."""
        manifest = open_readonly(self.paths.manifest)  # beside the flow's writer
        if manifest is None:
            return []
        with manifest:
            return manifest.known_names(language, types, min_documents, limit)

    # -- writes: Whoosh first, the manifest second ---------------------------------------------------------

    def write(self, docs: list[EnrichedDoc], deletes: Iterable[str] = ()) -> int:
        """Add or replace ``docs`` and delete ``deletes`` (forgotten by the manifest too)."""
        deletes = list(deletes)
        rows = [manifest_row(d) for d in docs]
        self._room_for(sum(len(r.body) for r in rows) * 2, rows)
        written = apply_changes(self.paths, docs, deletes)
        with Manifest(self.paths.manifest) as manifest:
            manifest.record_rows(rows)
            if deletes:
                manifest.remove(deletes)
        return written

    def adopt(self, segment: BuiltSegment | None, rows: list[ManifestRow]) -> int:
        """A batch built elsewhere (a Dask worker): its Whoosh segment as is, then its manifest rows."""
        if segment is None:
            if rows:
                raise ValueError("manifest rows without the segment that holds their documents")
            return 0
        if list(segment.ids) != [r.id for r in rows]:
            raise ValueError("the built segment holds other documents than the batch")
        self._room_for(sum(map(len, segment.files.values())), rows)
        written = apply_changes(self.paths, [], [], adopted=[segment])
        with Manifest(self.paths.manifest) as manifest:
            manifest.record_rows(rows)
        return written

    def _room_for(self, segment_bytes: int, rows: list[ManifestRow]) -> None:
        """OSError(ENOSPC) before anything is written when the disk cannot take the batch: Whoosh's files (a
        merge may copy them once more) and the manifest rows (the log, then the pages). Whoosh first and the
        manifest second would otherwise leave documents the manifest does not know on a full disk."""
        free = free_bytes(self.root)
        need = 2 * segment_bytes + 3 * sum(len(r.doc) + len(r.body) for r in rows) + MIN_FREE
        if free is not None and free < need:
            raise OSError(errno.ENOSPC, f"No space left on device: {free} bytes free, the batch needs about {need}")

    def quarantine(self, items: list[tuple[str, Quarantined]]) -> None:
        """Indexed documents that went bad: out of Whoosh first, then listed with their reason."""
        if not items:
            return
        apply_changes(self.paths, [], [doc_id for doc_id, _ in items])
        with Manifest(self.paths.manifest) as manifest:
            manifest.record_quarantined(items)

    def unlist(self, ids: list[str]) -> None:
        """Out of Whoosh, but kept in the manifest (an input quarantined by ``admit`` stays listed)."""
        if ids:
            apply_changes(self.paths, [], ids)

    def prune(self, seen_ids: Iterable[str], read_whole: Iterable[str] = ()) -> int:
        """Remove documents whose input file no longer exists, or whose feed file this run read to its end
        without meeting them (``read_whole``: absolute paths), unless this run saw them; and Whoosh entries the
        manifest never recorded (a run killed between the two writes, whose input is gone since)."""
        seen = set(seen_ids)
        whole = set(read_whole)
        with Manifest(self.paths.manifest) as manifest:
            # Stored paths are as given (relative ones depend on the folder ingest ran in): test the absolute
            # one, and never prune an input whose location was not recorded.
            rows = manifest.all_inputs()
        where = {r["id"]: os.fsdecode(r["abspath"]) for r in rows if r["abspath"]}  # bytes: a name not UTF-8
        gone = [i for i, loc in where.items() if i not in seen and (loc in whole or not os.path.exists(loc))]
        known = {r["id"] for r in rows}
        gone += sorted(i for i in indexed_ids(self.paths) if i not in known and i not in seen)
        if gone:
            self.write([], deletes=gone)
        return len(gone)

    # -- reindex -----------------------------------------------------------------------------------------

    def indexed_ids(self) -> list[str]:
        """Ids of every indexed input, in the manifest's order."""
        with Manifest(self.paths.manifest, readonly=self.readonly) as manifest:
            return [r["id"] for r in manifest.indexed()]

    @contextmanager
    def stored_inputs(
        self, ids: list[str]
    ) -> Iterator[tuple[Iterator[StoredInput], Callable[[str], EnrichedDoc | None]]]:
        """The indexed inputs among ``ids`` as the raw store and the manifest hold them, read one at a time (a
        batch of raw inputs is never all in memory), and what is indexed for a document now, both from one
        manifest session."""
        with Manifest(self.paths.manifest, readonly=self.readonly) as manifest:
            states = manifest.states_for(ids)

            def items() -> Iterator[StoredInput]:
                for doc_id in ids:
                    row = states.get(doc_id)
                    if row is None or row["status"] != "indexed":
                        continue
                    try:
                        data, missing = get_raw(self.paths.raw, row["raw_hash"]), None
                    except OSError:
                        reason = "raw input missing from the raw store"
                        data, missing = None, Quarantined(path=row["path"], reason=reason)
                    yield StoredInput(doc_id, row["path"], row["clean_hash"], row["removed_hash"], data, missing)

            yield items(), manifest.get

    def keep_unchanged(self, ids: list[str], rules_version: str, relabelled: list[CleanDoc]) -> None:
        """Documents the new rules leave as they are: they only record the new rules version, and the new
        reasons for their removed lines."""
        with Manifest(self.paths.manifest) as manifest:
            manifest.mark_rules_version(ids, rules_version)
            manifest.update_explanations(relabelled)

    def rebuild(self) -> Rebuilding:
        """A full rebuild into a new generation: ``commit()`` swaps it in; ``abort()`` (or a crash) leaves the
        old generation live and removes the half-built one."""
        return Rebuilding(self.paths)


class Rebuilding:
    """The documents of a full rebuild: Whoosh's new generation and the manifest rows staged for it."""

    def __init__(self, paths: IndexPaths) -> None:
        self.paths = paths
        self._rebuild = Rebuild(paths)
        self._quarantined: list[tuple[str, Quarantined]] = []
        self._swapped = False

    def add(self, docs: list[EnrichedDoc]) -> None:
        self._rebuild.add(docs)
        with Manifest(self.paths.manifest) as manifest:
            manifest.stage(docs, self._rebuild.generation.name)  # applied after the swap

    def quarantine(self, items: list[tuple[str, Quarantined]]) -> None:
        """Not added to the new generation; listed as quarantined once it is live."""
        self._quarantined.extend(items)

    def commit(self) -> None:
        self._rebuild.commit()
        self._swapped = True
        with Manifest(self.paths.manifest) as manifest:
            manifest.apply_staged()
            manifest.record_quarantined(self._quarantined)

    def abort(self) -> None:
        """Drop the half-built generation; after the swap it is the live one and stays (the next writer applies
        its staged rows)."""
        if not self._swapped:
            self._rebuild.abort()
