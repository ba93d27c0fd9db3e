"""Exporting documents: every document matching a query and search's filters, in the `show --json` shape, read
from the manifest a chunk of ids at a time (bounded memory, whatever the archive's size); and the three formats
`newsdex export` writes (JSON Lines, CSV, Parquet). Prints nothing: writers take the stream or file to fill.

Imports no Prefect, trafilatura or spaCy; pyarrow only when Parquet is written (an optional dependency).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from newsdex.index.damage import manifest_guard
from newsdex.index.manifest import Manifest
from newsdex.models import show_json
from newsdex.reading.opening import live_documents, open_manifest
from newsdex.reading.request import Selection

CHUNK = 200  # documents held at once: one manifest read, one Parquet row group
ENTITY_TYPES = ("PERSON", "ORG", "LOC", "NORP", "MISC", "DATE")  # CSV columns, lower-cased
CSV_COLUMNS = (
    "id",
    "title",
    "url",
    "path",
    "source",
    "published",
    "language",
    "byline",
    "rules_version",
    "copy_of",
    "copies",
    "body",
    *(t.lower() for t in ENTITY_TYPES),
    "segments",
)
PARQUET_HINT = "Parquet needs pyarrow: pip install 'newsdex[parquet]'"

T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items, read from ``items`` only as each list is needed."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    part: list[T] = []
    for item in items:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def _read_chunk(manifest: Manifest, ids: list[str]) -> list[dict[str, Any]]:
    """The show objects of ``ids`` in their order; an id gone since it matched (a concurrent ingest) is skipped."""
    keys = manifest.cluster_keys(ids)  # one query for the chunk: most documents have no copies
    clusters: dict[str, list[str]] = {}
    out = []
    for doc_id in ids:
        doc = manifest.get(doc_id)
        if doc is None:
            continue
        key = keys.get(doc_id)
        if key is not None and key not in clusters:
            clusters[key] = [m["id"] for m in manifest.cluster(key)]
        out.append(show_json(doc, clusters.get(key, []) if key else []))
    return out


def export_chunks(archive: Any, selection: Selection, chunk: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """Lists of at most ``chunk`` show objects, for every document ``selection`` matches in ``archive`` (an
    Archive: search's syntax and filters; an empty query or ``*``: every document, in id order), best ranked
    first. Raises what search raises (IndexMissing, IndexDamaged, QueryError, FilterError) before the first
    chunk, as soon as it is asked for."""
    live_documents(archive.root)  # a damaged index says so, whatever the manifest still holds
    ids = archive.matching_ids(selection)  # ids only: 16 characters a document, not documents
    manifest = open_manifest(archive.root)
    with manifest, manifest_guard(manifest.path):
        for part in chunked(ids, chunk):
            yield _read_chunk(manifest, part)


# --- formats -----------------------------------------------------------------------------------------------
def write_jsonl(docs: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """One `show --json` line per document (as emit_json writes it); returns how many."""
    n = 0
    for doc in docs:
        out.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def csv_row(doc: dict[str, Any]) -> dict[str, str]:
    """A document as flat CSV columns: copies joined with a space, each entity type's unique canonical names
    joined with "; " (in the document's order), segments as a JSON string."""
    row = {k: "" if doc.get(k) is None else str(doc[k]) for k in CSV_COLUMNS[:10]}
    row["copies"] = " ".join(doc["copies"])
    row["body"] = doc["body"]
    for etype in ENTITY_TYPES:
        names = dict.fromkeys(e["name"] for e in doc["entities"] if e["type"] == etype and not e.get("caption_only"))
        row[etype.lower()] = "; ".join(names)
    row["segments"] = json.dumps(doc["segments"], ensure_ascii=False)
    return row


def write_csv(docs: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A header and one row per document; ``out`` opened with ``newline=""`` (the csv module quotes newlines,
    quotes and commas in text itself). Returns how many rows."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    n = 0
    for doc in docs:
        writer.writerow(csv_row(doc))
        n += 1
    return n


def parquet_schema() -> Any:  # -> pyarrow.Schema
    """The show shape as an explicit Arrow schema: nested lists and structs where the JSON nests, so pandas and
    DuckDB read segments, entities and copies as columns of lists, not strings. ImportError without pyarrow."""
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            pa.field("id", text, nullable=False),
            ("title", text),
            ("path", text),
            ("url", text),
            ("source", text),
            ("byline", text),
            ("published", text),
            ("rules_version", text),
            ("body", text),
            ("segments", pa.list_(pa.struct([("kind", text), ("text", text)]))),
            (
                "entities",
                pa.list_(
                    pa.struct(
                        [
                            ("name", text),
                            ("type", text),
                            ("mentions", pa.list_(text)),
                            ("count", pa.int64()),
                            ("caption_only", pa.bool_()),
                        ]
                    )
                ),
            ),
            ("removed", pa.list_(pa.struct([("text", text), ("rule", text)]))),
            ("encoding", text),
            ("provenance", pa.struct([("file", text), ("line", pa.int64()), ("offset", pa.int64())])),
            ("crawled", text),
            ("language", text),
            ("copy_of", text),
            ("copies", pa.list_(text)),
        ]
    )


def write_parquet(chunks: Iterable[list[dict[str, Any]]], path: Path) -> int:
    """One row group per chunk of documents into a new Parquet file at ``path``; returns how many rows.
    ImportError without pyarrow (checked before anything is read or written)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    names = schema.names
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for part in chunks:
            if part:  # the schema's fields only: a field added to show later needs a column here first
                writer.write_table(pa.Table.from_pylist([{k: d.get(k) for k in names} for d in part], schema))
                n += len(part)
    return n
