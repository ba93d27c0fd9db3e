"""A feed record made into a document: its fields → a RawDoc down the HTML or the text path (shared by the JSON
Lines and WARC readers, and by re-cleaning from the raw store)."""

from __future__ import annotations

import hashlib
from typing import Literal

from newsdex.models import Provenance, RawDoc, RecordMeta
from newsdex.tasks import decode
from newsdex.tasks.feeds.identity import url_document_id


def record_doc(
    *,
    path: str,
    fallback_id: str,
    data: bytes,
    html: str | None,
    text: str | None,
    url: str | None,
    meta: RecordMeta,
    source: str | None,
    provenance: Provenance | None,
    encoding: str | None,
) -> RawDoc:
    """``html`` goes down the HTML path; else ``text`` (its title as its first line, as in a .txt input, so the
    text path never takes the first paragraph for one). Identified by the URL when there is one."""
    kind: Literal["text", "html"]
    if html is not None:
        kind, body = "html", html
    else:
        kind, body = "text", text or ""
        if meta.title and not body.lstrip().startswith(meta.title):
            body = f"{meta.title}\n\n{body}"
    body = decode.strip_controls(body.replace("\r\n", "\n").replace("\r", "\n"))
    return RawDoc(
        id=url_document_id(url) or fallback_id,
        path=path,
        kind=kind,
        text=body,
        raw_hash=hashlib.sha256(data).hexdigest(),
        url=url,
        source=source,
        encoding=encoding,
        meta=meta,
        provenance=provenance,
    )
