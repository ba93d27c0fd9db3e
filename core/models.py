"""The pydantic models every stage reads and writes: one place for the pipeline's data shapes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field

SegmentKind = Literal["heading", "paragraph", "caption"]
PageKind = Literal["article", "listing", "other"]  # what a page is: only articles are in default search
EntityType = Literal["PERSON", "ORG", "LOC", "DATE", "NORP", "MISC"]


class Provenance(BaseModel):
    """Where a record sits in its input: a feed file's line, or a WARC file's byte offset (of the record)."""

    file: str  # as given to ingest
    line: int | None = None  # JSON Lines: 1-based line number
    offset: int | None = None  # WARC: byte offset of the record in the file (compressed offset for .warc.gz)


class RecordMeta(BaseModel):
    """What a feed record says about its article: it wins over what cleaning extracts."""

    title: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO date
    language: str | None = None
    crawled: str | None = None  # ISO date-time the page was fetched (WARC-Date)
    date_dropped: str | None = None  # a published date that names no day (2024-02-30): not kept, but noted


class RawDoc(BaseModel):
    """One input as loaded: decoded text plus where it came from. The raw bytes live in the raw store."""

    id: str
    path: str  # as given to ingest (relative paths stay relative)
    kind: Literal["text", "html"]
    text: str
    raw_hash: str  # sha256 of the raw bytes (after gunzip)
    url: str | None = None
    source: str | None = None  # site name or domain when known
    encoding: str | None = None  # codec the bytes were read with (utf-8, utf-16-le, cp1252…)
    meta: RecordMeta | None = None  # a feed record's own metadata
    provenance: Provenance | None = None  # a feed record's place in its file; None for a one-document file


class Quarantined(BaseModel):
    path: str
    reason: str
    line: int | None = None  # a bad JSON Lines record: its line
    offset: int | None = None  # a bad WARC record: its byte offset
    detail: str | None = None  # the library's whole message when ``reason`` (one line) is its first line


class LineDecision(BaseModel):
    """What the cleaner decided for one line: the trace behind ``--explain``."""

    text: str
    kept: bool
    rule: str | None = None  # rule (or evidence) that removed it, or that classified a kept line
    role: Literal["title", "byline", "date", "heading", "paragraph", "caption", "removed", "meta"] = "paragraph"


class Removed(BaseModel):
    text: str
    rule: str


class Block(BaseModel):
    kind: SegmentKind
    text: str


class CleanDoc(BaseModel):
    id: str
    path: str
    kind: Literal["text", "html"]
    raw_hash: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO date
    blocks: list[Block] = Field(default_factory=list)
    removed: list[Removed] = Field(default_factory=list)
    trace: list[LineDecision] = Field(default_factory=list)
    rules_version: str = ""
    encoding: str | None = None  # the input's, from RawDoc; None for documents indexed before it was recorded
    provenance: Provenance | None = None  # a feed record's file and line or offset, from RawDoc
    crawled: str | None = None  # when a WARC record was fetched
    language: str | None = None  # ISO 639-1 code: a feed's, else detected from the body (tasks/language.py)
    # Metadata and where each field came from (tasks/clean/metadata): "json-ld", "meta", "dublin-core",
    # "microdata", "time", "trafilatura", "url", "dateline", "byline", "feed", "og:site_name", "domain"…
    authors: list[str] = Field(default_factory=list)  # the byline's names, one each
    modified: str | None = None  # ISO date the page says it was last modified (never taken as published)
    title_source: str | None = None
    byline_source: str | None = None
    published_source: str | None = None
    modified_source: str | None = None
    source_source: str | None = None  # where the source (site) name came from
    doubted: list[str] = Field(default_factory=list)  # dates not trusted, and why ("… (url): in the future")
    page_kind: PageKind = "article"  # article, listing (index, category, tag, search page) or other
    kind_reason: str | None = None  # why the page is not an article; also a cut ("cut at the next story …")

    @property
    def body(self) -> str:
        """Headings and paragraphs, separated by blank lines; captions are not body text."""
        return "\n\n".join(b.text for b in self.blocks if b.kind != "caption")

    @property
    def clean_hash(self) -> str:
        import hashlib

        payload = "\x1f".join(
            [
                self.title or "",
                self.byline or "",
                self.published or "",
                self.source or "",
                self.url or "",
                self.page_kind,
                self.modified or "",
            ]
            + [f"{b.kind}:{b.text}" for b in self.blocks]
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def text_hash(self) -> str:
        """Hash of what enrichment reads (the title and the blocks): documents with the same one have the same
        segments and entities, so an exact copy's entities are taken from its original."""
        import hashlib

        payload = "\x1f".join([self.title or ""] + [f"{b.kind}:{b.text}" for b in self.blocks])
        return hashlib.sha256(payload.encode()).hexdigest()


def removed_hash(removed: list[Removed]) -> str:
    """Hash of the removed lines and the rules that removed them (what --explain shows)."""
    import hashlib

    return hashlib.sha256("\x1f".join(f"{r.rule}\x1e{r.text}" for r in removed).encode()).hexdigest()


class Segment(BaseModel):
    kind: SegmentKind
    text: str
    sentences: list[str] = Field(default_factory=list)


class SegmentedDoc(CleanDoc):
    segments: list[Segment] = Field(default_factory=list)


class Entity(BaseModel):
    name: str  # canonical name
    type: EntityType
    mentions: list[str] = Field(default_factory=list)  # surface forms as written
    count: int = 0
    # Named only in photo credits ("© KCNA VIA KNS/AFP via Getty Images"): who took the picture, not what the
    # article is about. Kept for `show`; the index's entity fields, facets and rankings leave it out.
    caption_only: bool = False


class EnrichedDoc(SegmentedDoc):
    entities: list[Entity] = Field(default_factory=list)


class LoadResult(BaseModel):
    """What the load stage found in one batch of input files."""

    docs: list[RawDoc] = Field(default_factory=list)  # new or changed: to clean, segment, enrich, index
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: list[Quarantined] = Field(default_factory=list)
    seen_ids: list[str] = Field(default_factory=list)  # every input of the batch, for --prune
    drop_ids: list[str] = Field(default_factory=list)  # indexed before, quarantined now: out of Whoosh
    new_ids: list[str] = Field(default_factory=list)  # which of ``docs`` are new (the others changed)


class Record(NamedTuple):
    """One document's worth of input, as a feed reader yields it and ``IndexStore.admit`` takes it."""

    id: str
    doc: RawDoc | Quarantined
    data: bytes | None  # the bytes the raw store keeps (None when quarantined)
    location: str  # absolute path of the file it came from (what --prune checks)


class StoredInput(NamedTuple):
    """An indexed input as the raw store and the manifest hold it: what re-cleaning starts from."""

    id: str
    path: str
    clean_hash: str | None
    removed_hash: str | None
    data: bytes | None  # None when the raw store lost it: ``missing`` says so
    missing: Quarantined | None = None


def document_json(doc: CleanDoc, explain: bool) -> dict[str, Any]:
    """The `show` shape (docs/contract.md) for an EnrichedDoc (or a SegmentedDoc/CleanDoc: no entities then)."""
    segments = getattr(doc, "segments", None)
    out: dict[str, Any] = {
        "id": doc.id,
        "title": doc.title,
        "path": doc.path,
        "url": doc.url,
        "source": doc.source,
        "byline": doc.byline,
        "published": doc.published,
        "rules_version": doc.rules_version,
        "body": doc.body,
        "segments": [{"kind": s.kind, "text": s.text} for s in (segments if segments is not None else doc.blocks)],
        "entities": [e.model_dump() for e in getattr(doc, "entities", [])],
        "removed": [r.model_dump() for r in doc.removed],
        "encoding": doc.encoding,
        "provenance": doc.provenance.model_dump() if doc.provenance else None,
        "crawled": doc.crawled,
        "language": doc.language,
        "authors": doc.authors,
        "modified": doc.modified,
        "title_source": doc.title_source,
        "byline_source": doc.byline_source,
        "published_source": doc.published_source,
        "modified_source": doc.modified_source,
        "source_source": doc.source_source,
        "doubted": doc.doubted,
        "kind": doc.page_kind,
        "kind_reason": doc.kind_reason,
    }
    if explain:
        out["trace"] = [t.model_dump() for t in doc.trace]
    return out


def show_json(doc: CleanDoc, members: Sequence[str], explain: bool = False) -> dict[str, Any]:
    """The `show --json` object of ``doc``, given the ids of its story's copies, representative first ([] when it
    has none): document_json plus ``copy_of`` (the representative, when it is another document) and ``copies``."""
    copy_of = members[0] if len(members) > 1 and members[0] != doc.id else None
    return {**document_json(doc, explain=explain), "copy_of": copy_of, "copies": [m for m in members if m != doc.id]}


def document_id(path: str) -> str:
    """Stable id of an input: the same file keeps its id when its content changes (so it is updated)."""
    return hashlib.sha1(os.path.abspath(path).encode("utf-8", "surrogateescape")).hexdigest()[:16]
