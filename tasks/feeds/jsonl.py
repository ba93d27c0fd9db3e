"""JSON Lines feeds (.jsonl, .ndjson, and their .gz): one document per line. A bad line (not JSON, no text, too
large) is quarantined with its line number; the other lines are read. Each line read is bounded."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Generator
from typing import Any, BinaryIO

from newsdex.models import Provenance, Quarantined, Record, RecordMeta
from newsdex.reasons import one_line
from newsdex.settings import DEFAULT_MAX_BYTES, DEFAULT_MAX_FILE_BYTES
from newsdex.tasks import decode
from newsdex.tasks.feeds.fields import impossible_date, iso_date, pick
from newsdex.tasks.feeds.identity import record_document_id
from newsdex.tasks.feeds.records import record_doc
from newsdex.tasks.load import open_failure, open_regular, starts_like_html


def read_jsonl(
    path: str,
    location: str,
    mapping: dict[str, str],
    encoding: str | None = None,
    limit: int = DEFAULT_MAX_BYTES,
    file_limit: int = DEFAULT_MAX_FILE_BYTES,
) -> Generator[Record, None, bool]:
    """Records of one JSON Lines file (a line over ``limit`` bytes is quarantined; a .gz stops at ``file_limit``
    bytes inflated); returns True when the file was read to its end (so a record missing from it has gone from
    the feed)."""
    try:
        raw = open_regular(path)
    except OSError as exc:
        yield Record(record_document_id(path, 0), open_failure(path, exc), None, location)
        return False
    gz = path.lower().endswith(".gz")
    inflated_limit = file_limit if gz else None  # what a small .gz may inflate to in all
    total = 0
    with raw:
        stream: BinaryIO | gzip.GzipFile = gzip.GzipFile(fileobj=raw) if gz else raw
        number = 0
        while True:
            number += 1
            try:
                line = stream.readline(limit + 1)
                total += len(line)
                too_long = len(line) > limit
                while too_long and line and not line.endswith(b"\n"):  # skip the rest, a bounded read at a time
                    line = stream.readline(1 << 20)
                    total += len(line)
                    if inflated_limit is not None and total > inflated_limit:
                        break
            except (OSError, EOFError, zlib.error) as exc:
                bad = Quarantined(path=path, reason=f"line {number}: corrupt gzip stream: {one_line(exc)}", line=number)
                yield Record(record_document_id(path, number), bad, None, location)
                return False
            if inflated_limit is not None and total > inflated_limit:
                why = (
                    f"line {number}: file too large: over {inflated_limit} bytes once decompressed; the rest is "
                    "not read"
                )
                yield Record(
                    record_document_id(path, number), Quarantined(path=path, reason=why, line=number), None, location
                )
                return False
            if not line and not too_long:  # the end (a too-long last line without its newline is reported first)
                return True
            if too_long:
                bad = Quarantined(path=path, reason=f"line {number}: too large: over {limit} bytes", line=number)
                yield Record(record_document_id(path, number), bad, None, location)
                continue
            line = line.rstrip(b"\r\n")
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue  # a blank line is no record
            yield jsonl_record(path, location, number, line, mapping, encoding)


def jsonl_record(
    path: str, location: str, number: int, line: bytes, mapping: dict[str, str], encoding: str | None = None
) -> Record:
    """One line → a Record (a RawDoc, or Quarantined with the line number). Also what re-cleaning calls on a
    stored line (``number`` 0: not known there)."""
    fallback = record_document_id(path, number)

    def bad(why: str) -> Record:
        return Record(fallback, Quarantined(path=path, reason=f"line {number}: {why}", line=number), None, location)

    try:
        text = line.decode(encoding or "utf-8")  # JSON is UTF-8 (RFC 8259) unless --encoding says otherwise
        item: Any = json.loads(text)
    except UnicodeDecodeError as exc:
        return bad(f"not UTF-8: invalid byte 0x{line[exc.start]:02x} at offset {exc.start}")
    except (ValueError, RecursionError) as exc:
        return bad(f"not JSON: {one_line(exc, 120)}")
    if not isinstance(item, dict):
        return bad(f"not a JSON object but {type(item).__name__}")
    html = pick(item, "html", mapping)
    body = pick(item, "text", mapping)
    if html is None and body is not None and starts_like_html(body):
        html, body = body, None  # a Scrapy item whose "body" is the page
    if html is None and body is None:
        return bad(
            "no text: none of its fields holds the article ("
            + ", ".join(sorted(item)[:12])
            + "); name it with --field text=NAME"
        )
    if decode.looks_binary(html or body or ""):
        return bad("binary content, not text or HTML")
    given_date = pick(item, "published", mapping)
    meta = RecordMeta(
        title=pick(item, "title", mapping),
        byline=pick(item, "byline", mapping),
        published=iso_date(given_date),
        date_dropped=given_date[:40] if given_date is not None and impossible_date(given_date) else None,
        language=pick(item, "language", mapping),
    )
    doc = record_doc(
        path=path,
        fallback_id=fallback,
        data=line,
        html=html,
        text=body,
        url=pick(item, "url", mapping),
        meta=meta,
        source=pick(item, "source", mapping),
        provenance=Provenance(file=path, line=number) if number else None,
        encoding=encoding or "utf-8",
    )
    return Record(doc.id, doc, line, location)
