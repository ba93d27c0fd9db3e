"""WARC files (.warc, .warc.gz) read with warcio: every ``response`` record with an HTML or text payload becomes
a document (WARC-Target-URI its URL, WARC-Date its crawl date). Other records are skipped and counted by reason;
a truncated or damaged record is quarantined with its offset and ends the file (what follows it cannot be
found). warcio decodes HTTP chunked transfer and gzip/deflate content encoding; the HTTP charset is honoured.
"""

from __future__ import annotations

import io
import re
import zlib
from collections import Counter
from collections.abc import Generator
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsdex.models import Provenance, Quarantined, Record, RecordMeta
from newsdex.settings import DEFAULT_MAX_BYTES
from newsdex.tasks import decode
from newsdex.tasks.feeds.identity import record_document_id
from newsdex.tasks.feeds.records import record_doc
from newsdex.tasks.load import _BINARY, _decode, _gunzip, open_failure, open_regular

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:\-]+)""", re.I)
_DAMAGE = (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError, IndexError)


class _Truncated(Exception):
    """A record shorter than its Content-Length: the file ends inside it."""


def read_warc(
    path: str, location: str, skipped: Counter[str], encoding: str | None = None, limit: int = DEFAULT_MAX_BYTES
) -> Generator[Record, None, bool]:
    """Records of one WARC file (a payload over ``limit`` bytes is quarantined); skipped records counted in
    ``skipped`` by reason. Returns True when the file was read to its end."""
    try:
        raw, again = open_regular(path), open_regular(path)  # ``again`` reads each record's own bytes back
    except OSError as exc:
        yield Record(record_document_id(path, 0), open_failure(path, exc), None, location)
        return False
    gz = path.lower().endswith(".gz")
    number, start = 0, 0
    with raw, again:
        records = ArchiveIterator(raw)
        try:
            for rec in records:
                number += 1
                start = records.offset
                why = _skip_reason(rec)
                if why:
                    records.read_to_end()
                    _check_complete(rec)
                    skipped[why] += 1
                    continue
                payload = rec.content_stream().read(limit + 1)
                records.read_to_end()
                _check_complete(rec)
                data = _own_bytes(again, start, records.get_record_length(), gz, limit)
                yield _make(path, location, number, start, rec, payload, data, encoding, limit)
        except (_Truncated, *_DAMAGE) as exc:
            reason = "truncated record" if isinstance(exc, _Truncated | EOFError) else f"damaged record: {exc}"
            bad = Quarantined(path=path, reason=f"record {number} at offset {start}: {reason}", offset=start)
            yield Record(record_document_id(path, number), bad, None, location)
            return False
    return True


def _skip_reason(rec: Any) -> str | None:
    if rec.rec_type != "response":
        return f"{rec.rec_type} record"
    if rec.http_headers is None:
        return "response without HTTP headers"
    status = rec.http_headers.get_statuscode()
    if status != "200":
        return f"HTTP {status}"
    mime = (rec.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if mime not in HTML_TYPES + TEXT_TYPES:
        return f"not HTML or text: {mime or 'no content type'}"
    return None


def _check_complete(rec: Any) -> None:
    if getattr(rec.raw_stream, "limit", 0) > 0:  # bytes its Content-Length promised that the file lacks
        raise _Truncated


def _own_bytes(fh: Any, start: int, length: int, gz: bool, limit: int) -> bytes | None:
    """The record as it is in the file (a .warc.gz member unpacked): what the raw store keeps. Bounded."""
    if length > 4 * limit:
        return None
    fh.seek(start)
    chunk = fh.read(length)
    try:
        return _gunzip(chunk, limit) if gz else chunk
    except (OverflowError, OSError, EOFError, zlib.error):
        return None


def _make(
    path: str, location: str, number: int, start: int | None, rec: Any, payload: bytes, data: bytes | None,
    encoding: str | None, limit: int,
) -> Record:
    fallback = record_document_id(path, number)
    where = f"record {number} at offset {start}" if start is not None else "stored record"

    def bad(why: str) -> Record:
        return Record(fallback, Quarantined(path=path, reason=f"{where}: {why}", offset=start), None, location)

    if len(payload) > limit:
        return bad(f"too large: over {limit} bytes")
    if not payload.strip():
        return bad("empty payload")
    if data is None:
        return bad("record too large to keep")
    content_type = rec.http_headers.get_header("Content-Type") or ""
    html = content_type.split(";")[0].strip().lower() in HTML_TYPES
    m = _CHARSET.search(content_type)
    found = decode.forced(payload, encoding) if encoding else decode.with_bom(payload)
    if found is None and m:
        found = decode.declared(payload, m.group(1))
    if found is None or found.text is None and not encoding:
        found = _decode(payload, html, None)
    if found.text is None:
        return bad(found.reason or _BINARY)
    text = found.text.removeprefix("\ufeff")
    if not text.strip():
        return bad("empty payload")
    url = rec.rec_headers.get_header("WARC-Target-URI")
    doc = record_doc(
        path=path, fallback_id=fallback, data=data, html=text if html else None, text=None if html else text,
        url=url, meta=RecordMeta(crawled=rec.rec_headers.get_header("WARC-Date")), source=None,
        provenance=Provenance(file=path, offset=start) if start is not None else None, encoding=found.encoding,
    )
    return Record(doc.id, doc, data, location)


def warc_record(path: str, data: bytes, encoding: str | None = None, limit: int = DEFAULT_MAX_BYTES) -> Record:
    """A stored WARC record (its own bytes, from the raw store) → a Record again: what re-cleaning reads."""
    records = ArchiveIterator(io.BytesIO(data))
    try:
        rec = next(iter(records))
        why = _skip_reason(rec)
        if why:
            raise ValueError(why)
        payload = rec.content_stream().read(limit + 1)
    except (StopIteration, *_DAMAGE) as exc:
        return Record(record_document_id(path, 0), Quarantined(path=path, reason=f"stored record: {exc}"), None, "")
    return _make(path, "", 0, None, rec, payload, data, encoding, limit)
