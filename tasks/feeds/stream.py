"""Files and folders → a stream of records, in bounded memory: a .txt/.html file is one record (its usual id,
``document_id(path)``, so existing indexes stay valid); a JSON Lines or WARC file is one record per document.
What was skipped, and which feed files were read to their end (for ``--prune``), is counted on the way."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator, Iterable, Iterator

from newsdex.models import Quarantined, RawDoc, Record, document_id
from newsdex.settings import DEFAULT_MAX_BYTES
from newsdex.tasks.feeds.jsonl import jsonl_record, read_jsonl
from newsdex.tasks.feeds.warc import read_warc, warc_record
from newsdex.tasks.load import decode_input, is_feed_file, iter_input_files, load_with_bytes


def is_warc(path: str) -> bool:
    return path.lower().removesuffix(".gz").endswith(".warc")


class FeedStream:
    """Iterate once: every record of ``paths``. Afterwards ``records`` counts those read (skipped ones too),
    ``skipped`` holds the WARC records that are no documents by reason, and ``read_whole`` the absolute paths
    of the feed files read to their end (a record missing from one has gone from the feed). An input, feed line or
    WARC payload over ``max_bytes`` is quarantined."""

    def __init__(self, paths: Iterable[str], encoding: str | None = None, fields: dict[str, str] | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES):
        self.files = iter_input_files(paths, feeds=True)
        self.encoding = encoding
        self.fields = fields or {}
        self.max_bytes = max_bytes
        self.yielded = 0
        self.skipped: Counter[str] = Counter()
        self.read_whole: list[str] = []

    @property
    def records(self) -> int:
        return self.yielded + sum(self.skipped.values())

    def __iter__(self) -> Iterator[Record]:
        for path in self.files:
            location = os.path.abspath(path)
            if not is_feed_file(path):
                doc, data = load_with_bytes(path, self.encoding, self.max_bytes)
                self.yielded += 1
                yield Record(document_id(path), doc, data, location)
                continue
            if is_warc(path):
                reader = read_warc(path, location, self.skipped, self.encoding, self.max_bytes)
            else:
                reader = read_jsonl(path, location, self.fields, self.encoding, self.max_bytes)
            whole = yield from self._counted(reader)
            if whole:
                self.read_whole.append(location)

    def _counted(self, reader: Generator[Record, None, bool]) -> Generator[Record, None, bool]:
        while True:
            try:
                record = next(reader)
            except StopIteration as stop:
                return bool(stop.value)
            self.yielded += 1
            yield record


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
