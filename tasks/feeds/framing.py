"""WARC and ARC files cut into records by newsdex itself, each read bounded, before warcio parses one record at a
time from memory. warcio's own iterator reads a header line or a gzip member with no limit: a 2 MB member that
inflates to 2 GB took 22 GB of memory. Here a gzip member is inflated at most ``limit`` bytes at a time (past
that it is inflated to its end and dropped, to find the next member), an uncompressed record is read only when
its Content-Length is under the limit, and the whole file stops at ``file_limit`` decompressed bytes.

A ``Piece`` is what one step found: a member's or record's bytes, or why there are none (too large, truncated,
damaged), with its offset in the file and the first bytes of it (enough for its WARC and HTTP headers, so a
too-large image is still counted as skipped, not quarantined).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

HEAD_BYTES = 64 * 1024  # kept of a record too large to read: its WARC and HTTP headers
_LINE = 64 * 1024  # longest header line read
_HEADERS = 1024 * 1024  # largest header block
_CHUNK = 1 << 16
_INFLATE = 1 << 20  # inflated at a time while a too-large member is read to its end
_GZIP_MAGIC = b"\x1f\x8b"
_CONTENT_LENGTH = re.compile(rb"^content-length\s*:\s*(\d{1,18})\s*$", re.I | re.M)
_NEXT_WARC = re.compile(rb"(?:^|\n)(WARC/1\.[0-9])\r?\n")


@dataclass
class Piece:
    offset: int  # where it starts in the file (compressed offset for a gzip member)
    data: bytes | None  # the member's or record's bytes (decompressed); None: see ``problem``
    head: bytes = b""  # its first bytes, also when ``data`` is None
    problem: str | None = None  # "too large", "truncated", "damaged: …", "file too large"
    end: bool = False  # the last piece: the file is not read further


def is_gzip(fh: BinaryIO) -> bool:
    at = fh.tell()
    magic = fh.read(2)
    fh.seek(at)
    return magic == _GZIP_MAGIC


def gzip_members(fh: BinaryIO, limit: int, file_limit: int) -> Iterator[Piece]:
    """Each gzip member of ``fh`` inflated, at most ``limit`` bytes kept of one; ``file_limit`` bytes inflated in
    all end the file with a last piece saying so."""
    pending, pending_at = b"", fh.tell()  # compressed bytes not fed yet, and where they start in the file
    total = 0
    while True:
        if not pending:
            pending = fh.read(_CHUNK)
            if not pending:
                return
        if not pending.startswith(_GZIP_MAGIC[: len(pending)]):
            rest = pending.strip(b"\x00\r\n\t ")  # padding after the last member is no damage
            if rest or fh.read(1).strip(b"\x00\r\n\t "):
                yield Piece(pending_at, None, problem="damaged: bytes after a gzip member are not gzip", end=True)
            return
        start = pending_at
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        kept: list[bytes] = []
        size = 0
        head = b""
        over = False
        while not d.eof:
            if not pending:
                pending = fh.read(_CHUNK)
                if not pending:
                    yield Piece(start, None, head, "truncated", end=True)
                    return
            room = _INFLATE if over else limit + 1 - size
            try:
                out = d.decompress(pending, room)
            except zlib.error as exc:
                yield Piece(start, None, head, f"damaged: corrupt gzip member ({exc})", end=True)
                return
            if d.eof:
                used = len(pending) - len(d.unused_data)
                pending_at += used
                pending = d.unused_data
            else:
                used = len(pending) - len(d.unconsumed_tail)
                pending_at += used
                pending = d.unconsumed_tail
            size += len(out)
            total += len(out)
            if len(head) < HEAD_BYTES:
                head += out[: HEAD_BYTES - len(head)]
            if not over:
                kept.append(out)
                if size > limit:
                    over, kept = True, []
            if total > file_limit:
                yield Piece(start, None, head, "file too large", end=True)
                return
        yield Piece(start, None if over else b"".join(kept), head, "too large" if over else None)


def plain_records(fh: BinaryIO, limit: int, arc: bool) -> Iterator[Piece]:
    """Each record of an uncompressed WARC (or ARC) file, framed by its Content-Length (an ARC header line's
    last field). A record whose length does not end at the next record is reported damaged, and reading goes
    on from the next WARC header found after it."""
    while True:
        start = fh.tell()
        line = fh.readline(_LINE)
        while line and not line.strip():  # the blank lines between records
            start = fh.tell()
            line = fh.readline(_LINE)
        if not line:
            return
        if arc:
            header = line
            try:
                length = int(line.split()[-1])
            except (ValueError, IndexError):
                yield Piece(start, None, line[:HEAD_BYTES], "damaged: not an ARC record header", end=True)
                return
        else:
            if not line.startswith(b"WARC/"):
                yield Piece(start, None, line[:HEAD_BYTES], "damaged: not a WARC record header", end=True)
                return
            lines = [line]
            while line.strip() and sum(map(len, lines)) <= _HEADERS:
                line = fh.readline(_LINE)
                if not line:
                    yield Piece(start, None, b"".join(lines)[:HEAD_BYTES], "truncated", end=True)
                    return
                lines.append(line)
            header = b"".join(lines)
            found = _CONTENT_LENGTH.search(header)
            if found is None or line.strip():
                yield Piece(start, None, header[:HEAD_BYTES], "damaged: no Content-Length in its header", end=True)
                return
            length = int(found.group(1))
        body_at = fh.tell()
        if len(header) + length > limit:
            head = header + fh.read(max(0, HEAD_BYTES - len(header)))
            fh.seek(body_at + length)
            if fh.tell() > _size(fh):
                yield Piece(start, None, head[:HEAD_BYTES], "truncated", end=True)
                return
            yield Piece(start, None, head[:HEAD_BYTES], "too large")
            continue
        body = fh.read(length)
        if len(body) < length:
            yield Piece(start, None, (header + body)[:HEAD_BYTES], "truncated", end=True)
            return
        end = fh.tell()
        after = fh.read(4)
        rest = after.lstrip(b"\r\n")
        if rest and not (b"WARC/".startswith(rest[:5]) if not arc else True):
            # the next record does not start where this one's length says it ends: blame this one
            yield Piece(
                start,
                None,
                (header + body)[:HEAD_BYTES],
                "damaged: its Content-Length does not end at a record boundary",
            )
            if arc or not _seek_next_warc(fh, body_at):
                return
            continue
        fh.seek(end + len(after) - len(rest))
        yield Piece(start, header + body)


def _size(fh: BinaryIO) -> int:
    at = fh.tell()
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(at)
    return size


def _seek_next_warc(fh: BinaryIO, start: int) -> bool:
    """Move to the next line that starts a WARC record after ``start``; False when there is none."""
    fh.seek(start)
    carry = b""
    at = start
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return False
        window = carry + chunk
        found = _NEXT_WARC.search(window)
        if found is not None:
            fh.seek(at - len(carry) + found.start(1))
            return True
        carry = window[-16:]
        at += len(chunk)
