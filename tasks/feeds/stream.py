"""Files and folders → a stream of records, in bounded memory: a .txt/.html file is one record (its usual id,
``document_id(path)``, so existing indexes stay valid); a JSON Lines or WARC file is one record per document.
What was skipped, and which feed files were read to their end (for ``--prune``), is counted on the way."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator, Iterable, Iterator

from newsdex.models import Quarantined, RawDoc, Record, document_id
from newsdex.reasons import escaped_path, one_line, reason_kind
from newsdex.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_QUARANTINED
from newsdex.tasks.feeds.identity import record_document_id
from newsdex.tasks.feeds.jsonl import jsonl_record, read_jsonl
from newsdex.tasks.feeds.warc import read_warc, warc_record
from newsdex.tasks.load import decode_input, is_feed_file, iter_input_files, load_with_bytes


def is_warc(path: str) -> bool:
    return path.lower().removesuffix(".gz").endswith((".warc", ".arc"))


class FeedStream:
    """Iterate once: every record of ``paths``. Afterwards ``records`` counts those read (skipped ones too),
    ``skipped`` holds the WARC records that are no documents by reason, ``read_whole`` the absolute paths of the
    feed files read to their end (a record missing from one has gone from the feed), ``dates_dropped`` the
    records whose published date names no day, and ``summarised`` the quarantined records past
    ``max_quarantined`` of one file, counted in a summary record instead of listed.

    No input stops the stream: whatever a reader raises quarantines that file (one line) and the next is read.
    A file name that is not UTF-8 is shown escaped (``\\xNN``) in every record; it is opened by its real bytes."""

    def __init__(
        self,
        paths: Iterable[str],
        encoding: str | None = None,
        fields: dict[str, str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        follow_symlinks: bool = False,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_quarantined: int = DEFAULT_MAX_QUARANTINED,
    ):
        self.follow_symlinks = follow_symlinks
        self.outside: list[tuple[str, str]] = []  # (link, why) of links not followed
        self.files = iter_input_files(paths, feeds=True, follow_symlinks=follow_symlinks, outside=self.outside)
        self.encoding = encoding
        self.fields = fields or {}
        self.max_bytes = max_bytes  # an input, feed line or WARC payload over it is quarantined
        self.max_file_bytes = max_file_bytes
        self.max_quarantined = max_quarantined
        self.yielded = 0
        self.skipped: Counter[str] = Counter()
        self.read_whole: list[str] = []
        self.dates_dropped: Counter[str] = Counter()
        self.summarised = 0

    @property
    def records(self) -> int:
        return self.yielded + sum(self.skipped.values())

    def __iter__(self) -> Iterator[Record]:
        for link, why in self.outside:
            self.yielded += 1
            shown = escaped_path(link)
            yield Record(document_id(link), Quarantined(path=shown, reason=why), None, os.path.abspath(link))
        for path in self.files:
            location = os.path.abspath(path)
            shown = escaped_path(path)
            if not is_feed_file(path):
                try:
                    doc, data = load_with_bytes(path, self.encoding, self.max_bytes)
                except Exception as exc:  # one bad input never stops the run
                    doc, data = Quarantined(path=path, reason=f"unreadable: {_failure(exc)}"), None
                self.yielded += 1
                yield Record(document_id(path), _shown(doc, shown), data, location)
                continue
            if is_warc(path):
                reader = read_warc(path, location, self.skipped, self.encoding, self.max_bytes, self.max_file_bytes)
            else:
                reader = read_jsonl(path, location, self.fields, self.encoding, self.max_bytes, self.max_file_bytes)
            whole = yield from self._counted(path, shown, location, reader)
            if whole:
                self.read_whole.append(location)

    def _counted(
        self, path: str, shown: str, location: str, reader: Generator[Record, None, bool]
    ) -> Generator[Record, None, bool]:
        limit = self.max_quarantined
        bad = read = 0
        past: Counter[str] = Counter()  # reasons of the quarantined records past the limit
        first_past: Quarantined | None = None
        whole = False
        while True:
            try:
                record = next(reader)
            except StopIteration as stop:
                whole = bool(stop.value)
                break
            except Exception as exc:  # a reader's bug or a library's surprise: this file only
                self.yielded += 1
                why = Quarantined(path=shown, reason=f"reading stopped after {read} records: {_failure(exc)}")
                yield Record(record_document_id(path, -1), why, None, location)
                break
            self.yielded += 1
            read += 1
            doc = record.doc
            if isinstance(doc, Quarantined):
                bad += 1
                if bad > limit:
                    past[reason_kind(doc.reason)] += 1
                    first_past = first_past or doc
                    continue
            elif doc.meta is not None and doc.meta.date_dropped:
                self.dates_dropped[doc.meta.date_dropped] += 1
            yield record._replace(doc=_shown(doc, shown))
        if past:
            assert first_past is not None
            self.summarised += sum(past.values())
            where = f"line {first_past.line}" if first_past.line else f"offset {first_past.offset}"
            reasons = ", ".join(f"{k} {v:,}" for k, v in past.most_common(5))
            summary = Quarantined(
                path=shown,
                line=first_past.line,
                offset=first_past.offset,
                reason=f"{sum(past.values()):,} more bad records from {where} on (past the first {limit}): {reasons}",
            )
            yield Record(summary_id(path), summary, None, location)
        return whole


def summary_id(path: str) -> str:
    """The id of a feed file's summary of bad records past the limit: one per file."""
    return record_document_id(path, -2)


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {one_line(exc, 160)}"


def _shown(doc: RawDoc | Quarantined, shown: str) -> RawDoc | Quarantined:
    """The record with its file named as it can be shown and stored (the same object when the name is UTF-8)."""
    if doc.path == shown:
        return doc
    update: dict[str, object] = {"path": shown}
    if isinstance(doc, RawDoc) and doc.provenance is not None:
        update["provenance"] = doc.provenance.model_copy(update={"file": shown})
    return doc.model_copy(update=update)


def decode_stored(
    path: str, data: bytes, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> RawDoc | Quarantined:
    """A raw input from the raw store decoded again (``reindex``): a feed record's own bytes go through its
    reader again, so its URL and feed metadata come back; any other input through ``decode_input``."""
    if not is_feed_file(path):
        return decode_input(path, data, gzipped=False, encoding=encoding, max_bytes=max_bytes)
    if is_warc(path):
        return warc_record(path, data, encoding, max_bytes).doc
    record = jsonl_record(path, "", 0, data, {}, encoding)
    return record.doc
