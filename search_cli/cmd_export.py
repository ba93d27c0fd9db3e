"""``newsdex export [QUERY]``: every matching document (metadata, cleaned body, segments, entities, copies) as
JSON Lines, CSV or Parquet, on stdout or into a file, a chunk of documents at a time. Reads the index only (no
Prefect, no spaCy); pyarrow is imported only for Parquet."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import itertools
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from newsdex.search_cli.options import add_filter_options, filters_of
from newsdex.search_cli.output import UsageError, info

FORMATS = ("jsonl", "csv", "parquet")
EPILOG = """examples:
  newsdex export > all.jsonl                                   # every document, one `show --json` object a line
  newsdex export troops --entity 'PERSON:Kim Jong-un' --since 2025-01-01 --format csv --output troops.csv
  newsdex export --lang de,fr --format parquet --output docs.parquet

QUERY and the filters are search's (newsdex search --help); without QUERY (or with *), every document, in id
order; with one, best ranked first. Every copy of a story is exported (search --all-copies).
  jsonl    one object per line, exactly what `newsdex show ID --json` prints (copy_of and copies included)
  csv      one row per document: id, title, url, path, source, published, language, byline, rules_version,
           copy_of, copies (ids joined by a space), body, person, org, loc, norp, misc, date (canonical names
           joined by "; "), segments (a JSON array)
  parquet  the jsonl fields as typed columns (segments, entities, removed: lists of structs; copies: a list),
           one row group per 200 documents; needs pyarrow (pip install 'newsdex[parquet]') and --output
--json is the same as --format jsonl (the default). --output FILE is written as FILE.partial and renamed
when complete: an interrupted export leaves no FILE. A one-line summary goes to stderr.
"""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export",
        parents=[common],
        help="stream documents (metadata, body, segments, entities, copies) as JSON Lines, CSV or Parquet",
        description="Write every document matching QUERY and the filters (default: every document) as JSON "
        "Lines, CSV or Parquet, to stdout or --output FILE, in bounded memory.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", metavar="QUERY", nargs="?", default="")
    p.add_argument("--format", choices=FORMATS, default=None, help="output format (default jsonl)")
    p.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of stdout (-: stdout); parquet needs a FILE"
    )
    add_filter_options(p)  # the same filters as search, parsed by its helpers


def _format(args: argparse.Namespace) -> str:
    if args.json and args.format not in (None, "jsonl"):
        raise UsageError(f"--json means --format jsonl, not --format {args.format}")
    return args.format or "jsonl"


@contextmanager
def _destination(output: str, binary: bool) -> Iterator[tuple[Path, IO[Any] | None]]:
    """A regular file (or a new one): FILE.partial to write, renamed to FILE only when the export completed
    (removed when it did not); a symlink to a regular file is written through (its target replaced, the link
    kept). Anything else (a device, a FIFO, a symlink to one) is opened and written directly: /dev/null stays
    a device, a FIFO's reader gets the documents."""
    try:
        mode = os.stat(output).st_mode  # follows a symlink: what it points to decides
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"--output {output}: is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            direct = open(output, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
        if binary:
            direct.close()
        try:
            yield Path(output), None if binary else direct
        finally:
            direct.close()
        return
    final = Path(os.path.realpath(output)) if os.path.islink(output) else Path(output)
    partial = final.with_name(final.name + ".partial")
    try:  # opened here, so that a folder that does not exist or is not writable is a usage error
        opened = open(partial, "w", encoding="utf-8", newline="")  # closed below
    except OSError as exc:
        raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
    stream: IO[str] | None = opened
    if binary:  # pyarrow opens the file itself
        opened.close()
        stream = None
    try:
        yield partial, stream
        if stream is not None:
            stream.close()
        os.replace(partial, final)
    except BaseException:
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass  # the error being raised says what went wrong
        partial.unlink(missing_ok=True)
        raise


def _write_failed(where: str, exc: OSError) -> UsageError:
    """A write that failed (a full disk, a reader that went away): one line, exit 1."""
    if exc.errno == errno.EPIPE:
        # Nothing more can reach the reader; keep Python's own flush at exit from printing a traceback.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return UsageError(f"writing to {where}: the reader closed the pipe (broken pipe)")
    return UsageError(f"writing to {where}: {exc.strerror or exc}")


def _write(fmt: str, chunks: Iterator[list[dict[str, Any]]], out: IO[str] | None, path: Path | None) -> int:
    from newsdex.reading import export

    if fmt == "parquet":
        assert path is not None
        return export.write_parquet(chunks, path)
    assert out is not None
    docs = itertools.chain.from_iterable(chunks)
    return export.write_jsonl(docs, out) if fmt == "jsonl" else export.write_csv(docs, out)


def run(args: argparse.Namespace) -> int:
    from newsdex.reading.archive import Archive
    from newsdex.reading.export import PARQUET_HINT
    from newsdex.reading.request import Selection
    from newsdex.settings import index_dir

    fmt = _format(args)
    output = None if args.output in (None, "-") else args.output
    if fmt == "parquet":
        if output is None:
            raise UsageError("--format parquet writes a file: give --output FILE")
        try:
            import pyarrow  # noqa: F401 - optional: say how to install it before reading anything
        except ImportError:
            raise UsageError(PARQUET_HINT) from None
    selection = Selection(query=args.query, filters=filters_of(args))
    with Archive(index_dir(args.index)) as archive:
        chunks = archive.export(selection)
        # The first chunk before any output: a missing index or a bad query leaves no file and no header.
        first = next(chunks, [])
        _deliver(fmt, itertools.chain([first], chunks), output)
    return 0


def _deliver(fmt: str, every: Iterator[list[dict[str, Any]]], output: str | None) -> None:
    """The chunks written in ``fmt`` to stdout or the file ``output``, and the one-line summary on stderr; a
    write that fails (ENOSPC, EPIPE, EIO…: the export did not reach its destination) is one line, exit 1."""
    where = output or "stdout"
    try:
        if output is None:
            if fmt == "csv":
                if isinstance(sys.stdout, io.TextIOWrapper):  # the csv module ends rows itself
                    sys.stdout.reconfigure(newline="")
            n = _write(fmt, every, sys.stdout, None)
            sys.stdout.flush()
        else:
            with _destination(output, binary=fmt == "parquet") as (partial, stream):
                n = _write(fmt, every, stream, partial)
    except OSError as exc:
        raise _write_failed(where, exc) from None
    info(f"newsdex export: {n} document{'s' if n != 1 else ''} as {fmt} to {where}")
