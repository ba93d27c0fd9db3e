"""The Whoosh schema and the mapping from an enriched document to index fields.

Stored fields are kept lean: what a search hit prints (id, title, path, url, source, published, language, entity
names). Facets read them for hundreds of hits per search, so the body is not among them: snippets highlight the body
kept in the manifest, which also holds everything ``show`` prints (segments, mentions, removed lines).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from whoosh.analysis import (
    CommaSeparatedTokenizer,
    IDTokenizer,
    LowercaseFilter,
    StripFilter,
    SubstitutionFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from newsdex.index import analysis

if TYPE_CHECKING:  # a search reads the schema without the model layer (pydantic)
    from newsdex.models import EnrichedDoc

# English (and unknown languages): no stop list, phrase queries such as "sent to the gulags" match word for word.
# Other languages have fields of their own, each with its own analyzer (index/analysis.py, docs/languages.md).
_TEXT = analysis.analyzer(analysis.BASE)

# Entity type -> index field. Canonical names are stored comma-separated, matched case-insensitively.
ENTITY_FIELDS: dict[str, str] = {
    "PERSON": "person",
    "ORG": "org",
    "LOC": "loc",
    "NORP": "norp",
    "DATE": "date",
    "MISC": "misc",
}
FACET_TYPES = ("PERSON", "ORG", "LOC")

# Names are shown as their texts write them ("Chung In-beom"), and one text may write "Chung In Beom": both are
# indexed as one term, hyphens and dashes folded to spaces, so that a filter, an alias and a facet find both.
_DASHES = r"\s*[\-\u2010-\u2015]+\s*"
_NAME_ANALYZER = CommaSeparatedTokenizer() | StripFilter() | LowercaseFilter() | SubstitutionFilter(_DASHES, " ")
_DASHES_RE = re.compile(_DASHES)


@lru_cache(maxsize=100_000)  # facets fold thousands of names per search, mostly the same few hundred
def name_key(name: str) -> str:
    """The indexed term of an entity name (as the entity fields' analyzer makes it): what facets group by."""
    return _DASHES_RE.sub(" ", name.replace(",", " ").strip().lower())


def name_term(schema: object, field: str, name: str) -> str:
    """The term ``name`` is indexed under in ``field`` of this index: its own analyzer's (an index made before
    names were folded lower-cases them only), so a query meets the documents however the index was made."""
    analyzer = schema[field].analyzer  # type: ignore[index]
    tokens = [t.text for t in analyzer(name.replace(",", " "), mode="query")]
    return tokens[0] if tokens else name_key(name)


def build_schema() -> Schema:
    entity_fields = {
        name: KEYWORD(stored=True, commas=True, scorable=True, analyzer=_NAME_ANALYZER)
        for name in ENTITY_FIELDS.values()
    }
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        url=ID(stored=True),
        source=ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),  # one token, any case
        title=TEXT(analyzer=_TEXT, stored=True, field_boost=2.0, spelling=True),
        byline=TEXT(analyzer=_TEXT),
        headings=TEXT(analyzer=_TEXT, field_boost=1.5),
        body=TEXT(analyzer=_TEXT, spelling=True),  # not stored: snippets take the body from the manifest
        captions=TEXT(analyzer=_TEXT),
        published=DATETIME(stored=True, sortable=True),
        dated=NUMERIC(sortable=True),  # 1 when published is known: undated documents sort after dated ones
        rules_version=ID(stored=True),
        raw_hash=STORED(),
        language=ID(stored=True),  # ISO 639-1 code; absent from documents (and indexes) made before it existed
        # article | listing | other: default search, facets and similar read articles only; absent (made before
        # kinds) counts as an article
        kind=ID(stored=True),
        **entity_fields,
        **{name: field for fam in analysis.FAMILIES if fam for name, field in analysis.text_fields(fam).items()},
    )


def _names(values: list[str]) -> str:
    # Commas separate keywords, so a comma inside a name would split it.
    return ",".join(v.replace(",", " ") for v in values)


def to_fields(doc: EnrichedDoc) -> dict[str, object]:
    fam = analysis.family(doc.language)  # the text goes to its language's fields (index/analysis.py)
    fields: dict[str, object] = {
        "id": doc.id,
        "path": doc.path,
        "url": doc.url or "",
        "source": doc.source or "",
        analysis.field_name("title", fam): doc.title or "",
        "byline": doc.byline or "",
        analysis.field_name("headings", fam): "\n".join(s.text for s in doc.segments if s.kind == "heading"),
        analysis.field_name("body", fam): doc.body,
        analysis.field_name("captions", fam): "\n".join(s.text for s in doc.segments if s.kind == "caption"),
        "rules_version": doc.rules_version,
        "raw_hash": doc.raw_hash,
    }
    if doc.language:
        fields["language"] = doc.language
    fields["kind"] = doc.page_kind
    fields["dated"] = 0
    if doc.published:
        try:
            fields["published"] = datetime.fromisoformat(doc.published[:10])
            fields["dated"] = 1
        except ValueError:
            pass
    by_type: dict[str, list[str]] = {}
    for ent in doc.entities:
        if ent.type in ENTITY_FIELDS and not ent.caption_only:  # credits and captions: not the article's names
            by_type.setdefault(ENTITY_FIELDS[ent.type], []).append(ent.name)
    for field, names in by_type.items():
        fields[field] = _names(names)
    return fields
