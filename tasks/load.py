"""Load stage: find input files, read them, decode them, and quarantine what is not text or HTML.

``decode_input`` is the pure core (bytes in, RawDoc or Quarantined out); ``read_input``/``load_path`` are
the thin I/O shell around it. Bad input never raises: it becomes a Quarantined record with a readable reason.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import stat
import zlib
from collections.abc import Iterable
from typing import BinaryIO

from newsdex.models import Quarantined, RawDoc, document_id
from newsdex.settings import DEFAULT_MAX_BYTES
from newsdex.tasks import decode

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
INPUT_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
FEED_SUFFIXES = (".jsonl", ".ndjson", ".warc", ".arc")  # many documents per file (tasks/feeds/)

# A page starts like HTML: checked on the bytes (to know whether a <meta charset> may say how to decode them) and
# on the decoded text (UTF-16 HTML only shows after decoding; a feed's text field may hold a page).
_HTML_START_PATTERN = r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b"
_HTML_START = re.compile(_HTML_START_PATTERN.encode(), re.I | re.S)
_HTML_START_TEXT = re.compile(_HTML_START_PATTERN, re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.I)


def is_input_file(path: str | os.PathLike[str], feeds: bool = False) -> bool:
    name = os.fspath(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(INPUT_SUFFIXES + FEED_SUFFIXES if feeds else INPUT_SUFFIXES)


def is_feed_file(path: str) -> bool:
    name = path.lower()
    return name.removesuffix(".gz").endswith(FEED_SUFFIXES)


def iter_input_files(
    paths: Iterable[str],
    feeds: bool = False,
    follow_symlinks: bool = False,
    outside: list[tuple[str, str]] | None = None,
) -> list[str]:
    """Expand files and folders (recursively, hidden entries skipped) into input files, in a stable order.

    A file named explicitly is always returned (so a bad one is quarantined, not silently skipped); inside
    folders only .txt/.html/.htm files and their .gz are picked (with ``feeds``, also .jsonl/.ndjson/.warc/.arc
    and their .gz: the ingest flow's feed files). Paths keep the form they were given in.

    Inputs stay inside what the user named: inside a folder, a symlink whose target lies outside it is not
    followed (``/etc/passwd`` linked as ``notes.txt`` is never read) unless ``follow_symlinks``; each such link is
    added to ``outside`` with the reason, to be quarantined. A link to a folder inside is not walked twice."""
    found: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            top = os.path.realpath(given)
            seen_dirs = {top}
            for root, dirs, files in os.walk(given, followlinks=follow_symlinks):
                kept_dirs = []
                for d in sorted(d for d in dirs if not d.startswith(".")):
                    full = os.path.join(root, d)
                    real = os.path.realpath(full)
                    if os.path.islink(full) and not follow_symlinks:
                        if not _inside(real, top) and outside is not None:
                            outside.append((full, _outside_reason(real)))
                        continue  # inside: its files are met under their own folder
                    if real in seen_dirs:
                        continue  # a link loop, or a folder met already
                    seen_dirs.add(real)
                    kept_dirs.append(d)
                dirs[:] = kept_dirs
                for f in sorted(files):
                    if f.startswith(".") or not is_input_file(f, feeds):
                        continue
                    full = os.path.join(root, f)
                    if not follow_symlinks and os.path.islink(full):
                        real = os.path.realpath(full)
                        if not _inside(real, top):
                            if outside is not None:
                                outside.append((full, _outside_reason(real)))
                            continue
                    found.append(full)
        else:
            found.append(given)
    seen: set[str] = set()
    unique = []
    for f in found:
        key = os.path.abspath(f)  # "a.txt" and "./a.txt" are one input (one document id)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _outside_reason(target: str) -> str:
    from newsdex.reasons import escaped_path

    return f"symlink to {escaped_path(target)}, outside the folder named: not followed (--follow-symlinks reads it)"


def raw_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class NotRegularFile(OSError):
    """A FIFO, socket, device or directory: reading one could block forever or never end."""


_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "not a regular file: a FIFO (named pipe)"),
    (stat.S_ISSOCK, "not a regular file: a socket"),
    (stat.S_ISCHR, "not a regular file: a character device"),
    (stat.S_ISBLK, "not a regular file: a block device"),
)


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFile(next((why for test, why in _KINDS if test(mode)), "not a regular file"))


def open_regular(path: str) -> BinaryIO:
    """A regular file opened for reading, as ``read_input`` opens it (a FIFO or device never is): for feed files,
    which are read a record at a time, each read bounded by the reader."""
    _check_regular(os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        _check_regular(os.fstat(fd).st_mode)
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def open_failure(path: str, exc: OSError) -> Quarantined:
    """Why a file could not be opened, as ``load_with_bytes`` words it."""
    if isinstance(exc, FileNotFoundError):
        return Quarantined(path=path, reason="no such file")
    if isinstance(exc, IsADirectoryError):
        return Quarantined(path=path, reason="is a directory")
    if isinstance(exc, NotRegularFile):
        return Quarantined(path=path, reason=str(exc))
    return Quarantined(path=path, reason=f"unreadable: {exc.strerror or exc}")


def read_input(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """At most ``max_bytes + 1`` bytes of a regular file; NotRegularFile for anything else.

    stat first, so a FIFO or device is never opened; O_NONBLOCK as a second guard, so one swapped in between
    the stat and the open cannot block the open or the read, and fstat checks what was really opened."""
    _check_regular(os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        _check_regular(os.fstat(fd).st_mode)
        limit = max_bytes + 1
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, min(limit - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _gunzip(data: bytes, limit: int) -> bytes:
    # Bounded decompression: a small .gz must not expand into gigabytes.
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        raise OverflowError
    if not d.eof:
        raise gzip.BadGzipFile("truncated gzip stream")
    return out


def _gunzip_or_quarantine(path: str, data: bytes, limit: int) -> bytes | Quarantined:
    try:
        return _gunzip(data, limit)
    except OverflowError:
        return Quarantined(path=path, reason=f"too large: over {limit} bytes once decompressed")
    except (OSError, EOFError, zlib.error) as exc:
        return Quarantined(path=path, reason=f"corrupt gzip file: {exc}")


_BINARY = "binary content, not UTF-8 text or HTML"


def starts_like_html(text: str) -> bool:
    return bool(_HTML_START_TEXT.match(text[:2048]))


def _decode(data: bytes, html: bool, encoding: str | None) -> decode.Decoded:
    """A forced encoding; else a byte-order mark; else UTF-8; else (HTML) its declared charset; else a confident
    detection. The binary test comes after the mark: UTF-16 text is full of NUL bytes."""
    found = decode.forced(data, encoding) if encoding else decode.with_bom(data)
    if found is not None:
        if found.text is not None and decode.looks_binary(found.text):
            return decode.Decoded(None, None, _BINARY)
        return found
    if decode.looks_binary(data[:8192].decode("latin-1")):  # Latin-1: each byte its own character, none fails
        return decode.Decoded(None, None, _BINARY)
    found = decode.utf8(data)
    if found.text is not None:
        return found
    m = _META_CHARSET.search(data[:4096]) if html else None
    declared = decode.declared(data, m.group(1).decode("ascii")) if m else None
    return declared or decode.detect(data)


def decode_input(
    path: str,
    data: bytes,
    gzipped: bool | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawDoc | Quarantined:
    """Turn an input's bytes into a RawDoc, or say why it cannot be one. Pure: no file system access.

    ``gzipped`` defaults to the path's suffix; the raw store keeps decompressed bytes, so re-decoding a
    stored ``.gz`` input passes ``gzipped=False``. ``encoding`` (a codec name) forces how the bytes are read;
    an input over ``max_bytes`` (once decompressed) is quarantined.
    """
    name = path.lower()
    if gzipped is None:
        gzipped = name.endswith(".gz")
    if name.endswith(".gz"):
        name = name[:-3]
    if gzipped:
        unpacked = _gunzip_or_quarantine(path, data, max_bytes)
        if isinstance(unpacked, Quarantined):
            return unpacked
        data = unpacked
    if len(data) > max_bytes:
        return Quarantined(path=path, reason=f"too large: over {max_bytes} bytes")
    if not data.strip():
        return Quarantined(path=path, reason="empty file")
    html_name = name.endswith(HTML_SUFFIXES)
    found = _decode(data, html_name or bool(_HTML_START.match(data[:2048])), encoding)
    if found.text is None:
        return Quarantined(path=path, reason=found.reason or "undecodable")
    text = found.text.removeprefix("\ufeff")  # a mark a forced codec kept
    text = decode.strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        return Quarantined(path=path, reason="empty file")
    is_html = html_name or starts_like_html(text)
    return RawDoc(
        id=document_id(path),
        path=path,
        kind="html" if is_html else "text",
        text=text,
        raw_hash=raw_hash(data),
        encoding=found.encoding,
    )


def input_hash(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """The ``raw_hash`` that loading ``path`` would give its document (of the decompressed bytes for a .gz), read
    with the same bounds; None when loading would quarantine it (unreadable, not a regular file, too large,
    corrupt gzip). Reads and hashes only: no decoding, so a caller can tell cheaply that nothing changed."""
    try:
        data = read_input(path, max_bytes)
    except OSError:
        return None
    if len(data) > max_bytes:
        return None
    if path.lower().endswith(".gz"):
        unpacked = _gunzip_or_quarantine(path, data, max_bytes)
        if isinstance(unpacked, Quarantined):
            return None
        data = unpacked
    return raw_hash(data)


def load_path(path: str, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDoc | Quarantined:
    """Read and decode one input file; unreadable files are quarantined, never raised."""
    return load_with_bytes(path, encoding, max_bytes)[0]


def load_with_bytes(
    path: str, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[RawDoc | Quarantined, bytes | None]:
    """Like load_path, but also returns the bytes the raw store keeps: decompressed for a .gz input (what
    raw_hash names), so that it is gunzipped once."""
    try:
        data = read_input(path, max_bytes)
    except FileNotFoundError:
        return Quarantined(path=path, reason="no such file"), None
    except IsADirectoryError:
        return Quarantined(path=path, reason="is a directory"), None
    except NotRegularFile as exc:
        return Quarantined(path=path, reason=str(exc)), None
    except OSError as exc:
        return Quarantined(path=path, reason=f"unreadable: {exc.strerror or exc}"), None
    if path.lower().endswith(".gz"):
        if len(data) > max_bytes:  # the read stopped at the limit: gunzip would call it truncated
            return Quarantined(path=path, reason=f"too large: over {max_bytes} bytes"), None
        unpacked = _gunzip_or_quarantine(path, data, max_bytes)
        if isinstance(unpacked, Quarantined):
            return unpacked, None
        data = unpacked
    return decode_input(path, data, gzipped=False, encoding=encoding, max_bytes=max_bytes), data
