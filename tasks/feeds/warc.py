"""WARC and ARC files (.warc, .arc and their .gz) read with warcio: every ``response`` record with an HTML or
text payload becomes a document (WARC-Target-URI its URL, WARC-Date its crawl date). Other records are skipped
and counted by reason. newsdex cuts the file into records itself, each read bounded (``framing``), and warcio
parses one record at a time from memory: a gzip bomb is one quarantined record, never gigabytes of memory. A
truncated record is quarantined with its offset and ends the file; a record too large, or whose Content-Length
does not match it, is quarantined and reading goes on. warcio decodes HTTP chunked transfer and gzip/deflate
content encoding; the HTTP charset is honoured. Quarantine reasons are one line (warcio's own message, which
may be many, is the ``detail``), and warcio's warnings never reach stderr.
"""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from collections import Counter
from collections.abc import Generator
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsdex.models import Provenance, Quarantined, Record, RecordMeta
from newsdex.reasons import one_line
from newsdex.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILE_BYTES
from newsdex.tasks import decode
from newsdex.tasks.feeds.framing import Piece, gzip_members, is_gzip, plain_records
from newsdex.tasks.feeds.identity import record_document_id
from newsdex.tasks.feeds.records import record_doc
from newsdex.tasks.load import _BINARY, _decode, open_failure, open_regular

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:\-]+)""", re.I)
_DAMAGE = (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError, IndexError, KeyError, TypeError)


class _Truncated(Exception):
    """A record shorter than its Content-Length."""


class _QuietIterator(ArchiveIterator):
    """warcio's iterator without its warning on stderr when a record is not followed by a blank line (a wrong
    Content-Length): that record is quarantined here instead."""

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        first_line = True
        while True:
            line = self.reader.readline()
            if len(line) == 0:
                return None, empty_size
            if len(line.rstrip()) == 0 or first_line:
                empty_size += len(line)
                if line.rstrip():
                    self.err_count += 1
                first_line = False
                continue
            return line, empty_size


def is_arc(path: str) -> bool:
    return path.lower().removesuffix(".gz").endswith(".arc")


def read_warc(
    path: str,
    location: str,
    skipped: Counter[str],
    encoding: str | None = None,
    limit: int = DEFAULT_MAX_BYTES,
    file_limit: int = DEFAULT_MAX_FILE_BYTES,
) -> Generator[Record, None, bool]:
    """Records of one WARC or ARC file (a payload over ``limit`` bytes, or a record over 4 × ``limit``, is
    quarantined; a .gz stops at ``file_limit`` bytes inflated); skipped records counted in ``skipped`` by reason.
    Returns True when the file was read to its end."""
    try:
        raw = open_regular(path)
    except OSError as exc:
        yield Record(record_document_id(path, 0), open_failure(path, exc), None, location)
        return False
    record_limit = 4 * limit  # one record's bytes, headers and all (its payload is held to ``limit``)
    arc = is_arc(path)
    number = 0
    with raw:
        try:
            gz = is_gzip(raw)
            pieces = gzip_members(raw, record_limit, file_limit) if gz else plain_records(raw, record_limit, arc)
            for piece in pieces:
                if piece.problem is not None:
                    number += 1
                    why = _skip_reason_of(piece.head, arc) if piece.problem == "too large" else None
                    if why:
                        skipped[why] += 1
                        continue
                    yield _bad_piece(path, location, number, piece, (record_limit, file_limit), gz)
                    if piece.end:
                        return False
                    continue
                for item in _records_of(path, location, (number, limit), piece, arc, skipped, encoding):
                    number += 1
                    yield item
        except OSError as exc:  # the file itself went unreadable part way
            bad = Quarantined(path=path, reason=f"record {number + 1}: unreadable: {one_line(exc)}")
            yield Record(record_document_id(path, number + 1), bad, None, location)
            return False
    return True


def _bad_piece(path: str, location: str, number: int, piece: Piece, limits: tuple[int, int], gz: bool) -> Record:
    limit, file_limit = limits
    problem = piece.problem or "damaged"
    if problem == "too large":
        problem = f"too large: over {limit} bytes" + (" once decompressed" if gz else "")
    elif problem == "truncated":
        problem = "truncated record"
    elif problem == "file too large":
        problem = f"file too large: over {file_limit} bytes once decompressed; the rest is not read"
    reason = f"record {number} at offset {piece.offset}: {problem}"
    return Record(
        record_document_id(path, number), Quarantined(path=path, reason=reason, offset=piece.offset), None, location
    )


def _skip_reason_of(head: bytes, arc: bool) -> str | None:
    """The skip reason of a record known only by its first bytes (too large to read): a large image or video
    is skipped as any image is, not quarantined."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            rec = next(iter(_QuietIterator(io.BytesIO(head), arc2warc=arc)))
            return _skip_reason(rec)
    except (StopIteration, *_DAMAGE):
        return None


def _records_of(
    path: str, location: str, at: tuple[int, int], piece: Piece, arc: bool, skipped: Counter[str], encoding: str | None
) -> Generator[Record, None, None]:
    """The records of one member (one, unless the file is a single gzip stream) or one uncompressed record;
    ``at``: the number of the record before them, and the payload limit."""
    number, limit = at
    assert piece.data is not None
    records = _QuietIterator(io.BytesIO(piece.data), arc2warc=arc)
    start = 0
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
            with contextlib.redirect_stderr(io.StringIO()) as said:
                payload = rec.content_stream().read(limit + 1)
            records.read_to_end()
            _check_complete(rec)
            data = piece.data[start : start + records.get_record_length()]
            item = _make(path, location, number, piece.offset, rec, payload, data, encoding, limit)
            if isinstance(item.doc, Quarantined) and said.getvalue().strip():
                item.doc.detail = one_line(said.getvalue(), 2000)
            yield item
    except (_Truncated, *_DAMAGE) as exc:
        offset = piece.offset  # one record each, but in a file that is a single gzip stream
        if isinstance(exc, _Truncated | EOFError):
            why = "its Content-Length runs past the end of the record"
        else:
            why = f"damaged record: {one_line(exc)}"
        bad = Quarantined(
            path=path,
            reason=f"record {number} at offset {offset}: {why}",
            offset=offset,
            detail=str(exc)[:2000] or None,
        )
        yield Record(record_document_id(path, number), bad, None, location)


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


def _make(
    path: str,
    location: str,
    number: int,
    start: int | None,
    rec: Any,
    payload: bytes,
    data: bytes | None,
    encoding: str | None,
    limit: int,
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
        path=path,
        fallback_id=fallback,
        data=data,
        html=text if html else None,
        text=None if html else text,
        url=url,
        meta=RecordMeta(crawled=rec.rec_headers.get_header("WARC-Date")),
        source=None,
        provenance=Provenance(file=path, offset=start) if start is not None else None,
        encoding=found.encoding,
    )
    return Record(doc.id, doc, data, location)


def warc_record(path: str, data: bytes, encoding: str | None = None, limit: int = DEFAULT_MAX_BYTES) -> Record:
    """A stored WARC or ARC record (its own bytes, from the raw store) → a Record again: what re-cleaning reads."""
    records = _QuietIterator(io.BytesIO(data), arc2warc=is_arc(path))
    try:
        rec = next(iter(records))
        why = _skip_reason(rec)
        if why:
            raise ValueError(why)
        with contextlib.redirect_stderr(io.StringIO()):
            payload = rec.content_stream().read(limit + 1)
    except (StopIteration, *_DAMAGE) as exc:
        bad = Quarantined(path=path, reason=f"stored record: {one_line(exc)}")
        return Record(record_document_id(path, 0), bad, None, "")
    return _make(path, "", 0, None, rec, payload, data, encoding, limit)
