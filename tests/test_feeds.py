"""Feed inputs (issue 15): JSON Lines in the shapes scrapers write and WARC files written with warcio, read
record by record, identified by URL, and ingested by the real flow (update, one document per URL, show by URL,
prune of a record gone from its feed)."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdex.flows.options import IngestOptions, ReindexOptions
from newsdex.models import Quarantined, RawDoc
from newsdex.tasks.feeds.fields import parse_mapping
from newsdex.tasks.feeds.identity import normalise_url, url_document_id
from newsdex.tasks.feeds.stream import FeedStream, decode_stored
from tests.conftest import run_cli


def prose(topic: str, n: int = 4) -> list[str]:
    return [
        f"{topic}: the council met on Tuesday and agreed a plan for paragraph {i}, after a long debate in which "
        f"members of every party spoke about the budget, the schools and the roads of the town."
        for i in range(n)
    ]


def page(title: str, topic: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in prose(topic))
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}"
        "</article></body></html>"
    )


def write_warc(path: Path, truncate: bool = False) -> None:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)

    def response(url: str, payload: bytes, headers: list[tuple[str, str]], status: str = "200 OK") -> None:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))

    response(
        "https://Example.com:443/zurich?utm_source=feed#top",
        page("Café in Zürich", "Grüße aus Zürich").encode("latin-1"),
        [("Content-Type", "text/html; charset=iso-8859-1")],
    )
    response(
        "https://example.com/koi8",
        page("Новости города", "Совет города").encode("koi8-r"),
        [("Content-Type", "text/html; charset=koi8-r")],
    )
    response(
        "https://example.com/gzipped",
        gzip.compress(page("Gzip page", "Compressed news").encode()),
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
    )
    body = page("Chunked page", "Chunked news").encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + 300]), body[i : i + 300]) for i in range(0, len(body), 300))
    response(
        "https://example.com/chunked",
        chunked + b"0\r\n\r\n",
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
    )
    response(
        "https://example.com/missing",
        b"<html><body>Not found</body></html>",
        [("Content-Type", "text/html")],
        "404 Not Found",
    )
    response("https://example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), [("Content-Type", "image/png")])
    w.write_record(
        w.create_warc_record(
            "https://example.com/zurich",
            "request",
            payload=io.BytesIO(b"GET /zurich HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        )
    )
    w.write_record(
        w.create_revisit_record(
            "https://example.com/zurich",
            digest="sha1:AAAA",
            refers_to_uri="https://example.com/zurich",
            refers_to_date="2025-01-01T00:00:00Z",
        )
    )
    response("https://example.com/last", page("Last page", "Final news").encode(), [("Content-Type", "text/html")])
    data = buf.getvalue()
    path.write_bytes(data[:-80] if truncate else data)


SCRAPY = [
    {
        "url": "https://example.com/zurich",
        "title": "Zurich council agrees budget",
        "text": "\n\n".join(prose("Zurich")),
        "published": "2025-03-01T10:00:00+01:00",
        "author": "Anna Keller",
    },
    {"url": "https://example.com/scrapy-html", "html": page("An HTML item", "Scrapy HTML"), "date": "2025-03-02"},
]
NEWSPLEASE = [
    {
        "url": "https://news.example.org/a?fbclid=xyz",
        "title": "News-please article",
        "maintext": "\n".join(prose("News please")),
        "date_publish": "2025-02-03 08:00:00",
        "authors": ["Ben Ode", "Cy Dee"],
        "language": "en",
        "source_domain": "news.example.org",
    },
]
TRAFILATURA = [
    {
        "source": "https://blog.example.net/post",
        "title": "Trafilatura post",
        "text": "\n".join(prose("Trafilatura")),
        "raw_text": "x",
        "date": "2025-01-15",
        "author": "Dee Vee",
        "hostname": "blog.example.net",
    },
]


def jsonl(items: list[dict]) -> bytes:
    return b"".join(json.dumps(i, ensure_ascii=False).encode() + b"\n" for i in items)


def test_warc_records_charsets_encodings_skips_and_truncation(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, truncate=True)
    stream = FeedStream([str(path)])
    records = list(stream)
    docs = [r.doc for r in records if isinstance(r.doc, RawDoc)]
    bad = [r.doc for r in records if isinstance(r.doc, Quarantined)]
    assert [d.url for d in docs] == [
        "https://Example.com:443/zurich?utm_source=feed#top",
        "https://example.com/koi8",
        "https://example.com/gzipped",
        "https://example.com/chunked",
    ]
    assert "Grüße aus Zürich" in docs[0].text and docs[0].encoding == "cp1252"  # HTTP charset honoured
    assert "Совет города" in docs[1].text and docs[1].encoding == "koi8-r"
    assert "Compressed news" in docs[2].text and "Chunked news" in docs[3].text and "0\r\n" not in docs[3].text
    assert all(d.kind == "html" and d.meta and d.meta.crawled and d.provenance.offset is not None for d in docs)
    assert docs[0].id == url_document_id("https://example.com/zurich")
    assert dict(stream.skipped) == {
        "HTTP 404": 1,
        "not HTML or text: image/png": 1,
        "request record": 1,
        "revisit record": 1,
    }
    assert len(bad) == 1 and bad[0].offset and "truncated" in bad[0].reason
    assert f"offset {bad[0].offset}" in bad[0].reason
    assert stream.read_whole == []  # a truncated file is not a whole feed: --prune leaves its records
    # The raw store keeps each record's own bytes; re-cleaning reads them back with their URL and charset.
    again = decode_stored(str(path), records[0].data)
    assert isinstance(again, RawDoc) and again.url == docs[0].url and again.text == docs[0].text


def test_jsonl_shapes_gzip_mapping_and_a_broken_line(tmp_path):
    (tmp_path / "scrapy.jsonl").write_bytes(jsonl(SCRAPY))
    (tmp_path / "np.jsonl.gz").write_bytes(gzip.compress(jsonl(NEWSPLEASE)))
    (tmp_path / "traf.ndjson").write_bytes(jsonl(TRAFILATURA))
    (tmp_path / "custom.jsonl").write_bytes(
        jsonl([{"link": "https://c.example/1", "article_body": "Body text.", "pub_time": "2024-12-24"}])
    )
    (tmp_path / "broken.jsonl").write_bytes(
        jsonl([{"text": "first line text"}])
        + b'{"text": "unterminated\n'
        + jsonl([{"title": "no text here"}])
        + b"\n"
        + jsonl([{"text": "last line text"}])
    )
    stream = FeedStream([str(tmp_path)], fields=parse_mapping(["text=article_body", "date=pub_time"]))
    by_file: dict[str, list] = {}
    for r in stream:
        by_file.setdefault(Path(r.doc.path).name, []).append(r.doc)
    zurich, html_item = by_file["scrapy.jsonl"]
    assert zurich.kind == "text" and zurich.text.startswith("Zurich council agrees budget\n\n")
    assert zurich.meta.published == "2025-03-01" and zurich.meta.byline == "Anna Keller"
    assert zurich.provenance.line == 1 and html_item.kind == "html" and html_item.provenance.line == 2
    (np_doc,) = by_file["np.jsonl.gz"]
    assert np_doc.source == "news.example.org" and np_doc.meta.byline == "Ben Ode, Cy Dee"
    assert np_doc.meta.language == "en" and np_doc.meta.published == "2025-02-03"
    assert np_doc.id == url_document_id("https://news.example.org/a")  # tracking parameter dropped
    (traf,) = by_file["traf.ndjson"]
    assert traf.url == "https://blog.example.net/post" and traf.source == "blog.example.net"
    assert "Trafilatura: the council" in traf.text
    (custom,) = by_file["custom.jsonl"]
    assert custom.url == "https://c.example/1" and custom.meta.published == "2024-12-24"
    first, broken, no_text, last = by_file["broken.jsonl"]  # the blank line is no record
    assert isinstance(first, RawDoc) and isinstance(last, RawDoc) and last.provenance.line == 5
    assert isinstance(broken, Quarantined) and broken.line == 2 and broken.reason.startswith("line 2: not JSON")
    assert isinstance(no_text, Quarantined) and no_text.line == 3 and "no text" in no_text.reason
    assert first.id != last.id  # without a URL: file and line
    assert len(stream.read_whole) == 5


def test_too_large_line_is_quarantined_and_reading_goes_on(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(jsonl([{"text": "x" * 5000}, {"text": "small"}]))
    docs = [r.doc for r in FeedStream([str(path)], max_bytes=2000)]  # Settings.max_bytes ($NEWSDEX_MAX_BYTES)
    assert isinstance(docs[0], Quarantined) and "too large" in docs[0].reason and docs[0].line == 1
    assert isinstance(docs[1], RawDoc) and docs[1].provenance.line == 2


def test_url_normalisation():
    assert normalise_url("HTTPS://Example.COM:443/a/b?utm_medium=x&id=3&gclid=1#frag") == "https://example.com/a/b?id=3"
    assert normalise_url("http://example.com:8080") == "http://example.com:8080/"
    assert normalise_url("ftp://example.com/x") is None and normalise_url("not a url") is None
    with pytest.raises(ValueError):
        parse_mapping(["nonsense=field"])


@pytest.fixture(scope="module")
def fed(prefect_harness, tmp_path_factory):
    """JSONL in three shapes, a gzipped one, a broken line and a WARC ingested once by the real flow."""
    from newsdex.flows.ingest import ingest_flow

    work = tmp_path_factory.mktemp("feeds")
    feeds = work / "feeds"
    feeds.mkdir()
    (feeds / "scrapy.jsonl").write_bytes(jsonl(SCRAPY) + b"not json at all\n")
    (feeds / "np.jsonl.gz").write_bytes(gzip.compress(jsonl(NEWSPLEASE)))
    (feeds / "traf.ndjson").write_bytes(jsonl(TRAFILATURA))
    write_warc(feeds / "crawl.warc.gz")
    index = work / "index"
    report = ingest_flow(IngestOptions(paths=[str(feeds)], index=str(index)))
    return {"feeds": feeds, "index": index, "report": report}


@pytest.mark.prefect
def test_feeds_ingested_one_document_per_url(fed):
    from newsdex.reading.reader import get_document, stats

    report = fed["report"]
    # 3 scrapy lines + 1 + 1 JSONL records, 9 WARC records; the WARC's /zurich is the scrapy item's URL.
    assert report["records"] == 14
    assert report["skipped"] == {
        "HTTP 404": 1,
        "not HTML or text: image/png": 1,
        "request record": 1,
        "revisit record": 1,
    }
    assert [(q["line"], q["reason"][:15]) for q in report["quarantined"]] == [(3, "line 3: not JSO")]
    assert report["new"] == 8 and report["changed"] == 0  # /zurich met twice in the batch: one document
    assert stats(fed["index"])["documents"] == 8
    # Files are read in name order: the scrapy item, read after the WARC's copy, is the document now.
    doc = get_document(fed["index"], url_document_id("https://example.com/zurich"))
    assert doc["provenance"] == {"file": str(fed["feeds"] / "scrapy.jsonl"), "line": 1, "offset": None}
    assert doc["title"] == "Zurich council agrees budget" and doc["published"] == "2025-03-01"
    warc = get_document(fed["index"], url_document_id("https://example.com/chunked"))
    assert warc["provenance"]["offset"] > 0 and warc["crawled"] and warc["title"] == "Chunked page"
    cover = report["published_coverage"]
    # a feed's host name is its registered domain, as a page's URL gives it: one site, one source
    assert cover["example.org"] == {"documents": 1, "published": 1, "share": 1.0}
    assert sum(c["documents"] for c in cover.values()) == 8
    assert sum(report["languages"].values()) == 8 and report["languages"].get("en", 0) >= 6  # every one counted


@pytest.mark.prefect
def test_feed_metadata_wins_and_show_by_url(fed):
    result = run_cli("show", "https://news.example.org/a?utm_campaign=z", "--index", str(fed["index"]), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["title"] == "News-please article" and doc["byline"] == "Ben Ode, Cy Dee"
    assert doc["published"] == "2025-02-03" and doc["source"] == "example.org"
    assert (doc["byline_source"], doc["published_source"], doc["source_source"]) == ("feed", "feed", "domain")
    assert doc["authors"] == ["Ben Ode", "Cy Dee"] and doc["kind"] == "article"
    assert doc["provenance"] == {"file": str(fed["feeds"] / "np.jsonl.gz"), "line": 1, "offset": None}


@pytest.mark.prefect
def test_rescraped_record_updates_and_vanished_record_is_pruned(fed, tmp_path):
    from newsdex.flows.ingest import ingest_flow
    from newsdex.reading.reader import get_document, stats

    index = tmp_path / "index"
    shutil.copytree(fed["index"], index, symlinks=True)
    feed = fed["feeds"] / "traf.ndjson"
    again = tmp_path / "later.jsonl"  # a later feed file re-scrapes the trafilatura post with new text
    changed = dict(TRAFILATURA[0], text="\n".join(prose("Updated story")))
    again.write_bytes(jsonl([changed]))
    report = ingest_flow(IngestOptions(paths=[str(fed["feeds"]), str(again)], index=str(index)))
    assert report["changed"] == 1 and report["new"] == 0 and report["unchanged"] >= 7
    doc = get_document(index, url_document_id("https://blog.example.net/post"))
    assert "Updated story" in doc["body"] and doc["provenance"]["file"] == str(again)
    assert stats(index)["documents"] == 8
    # The scrapy feed loses its HTML item: read whole, the record is gone, so --prune drops its document.
    scrapy = fed["feeds"] / "scrapy.jsonl"
    original = scrapy.read_bytes()
    try:
        scrapy.write_bytes(jsonl(SCRAPY[:1]))
        report = ingest_flow(IngestOptions(paths=[str(fed["feeds"]), str(again)], index=str(index), prune=True))
    finally:
        scrapy.write_bytes(original)
    assert report["removed"] == 2  # the HTML item, and the broken line's quarantine entry
    assert get_document(index, url_document_id("https://example.com/scrapy-html")) is None
    assert get_document(index, url_document_id("https://blog.example.net/post")) is not None
    assert feed.exists()


@pytest.mark.prefect
def test_reindex_keeps_feed_metadata(fed, tmp_path):
    from newsdex.flows.reindex import reindex_flow
    from newsdex.reading.reader import get_document

    index = tmp_path / "index"
    shutil.copytree(fed["index"], index, symlinks=True)
    report = reindex_flow(ReindexOptions(index=str(index), full=True))
    assert report["quarantined"] == [] or all("line" in q["reason"] for q in report["quarantined"])
    doc = get_document(index, url_document_id("https://news.example.org/a"))
    assert doc["title"] == "News-please article" and doc["provenance"]["line"] == 1
    warc = get_document(index, url_document_id("https://example.com/koi8"))
    assert "Совет города" in warc["body"] and warc["url"] == "https://example.com/koi8"


def test_hostile_feed_files_are_quarantined_without_blocking(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "garbage.warc.gz").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "odd.jsonl").write_bytes(
        b"[" * 100_000
        + b"]" * 100_000
        + b"\n"  # nesting that would exhaust the parser's stack
        + json.dumps({"text": "Harbour news\x1b]0;pwned\x07 and the \x1b[31mred\x1b[0m light."}).encode()
        + b"\n"
        + b'"just a string"\n'
    )
    stream = FeedStream([str(tmp_path / n) for n in ("pipe.jsonl", "garbage.warc.gz", "odd.jsonl")])
    docs = [r.doc for r in stream]
    assert docs[0].reason.startswith("not a regular file: a FIFO")
    assert isinstance(docs[1], Quarantined) and "offset 0" in docs[1].reason and docs[1].offset == 0
    assert isinstance(docs[2], Quarantined) and docs[2].reason.startswith("line 1: not JSON")
    assert isinstance(docs[3], RawDoc) and "\x1b" not in docs[3].text and "pwned" not in docs[3].text
    assert docs[4].reason == "line 3: not a JSON object but str"
    assert stream.read_whole == [str(tmp_path / "odd.jsonl")]


def test_a_feeds_language_wins_over_detection(tmp_path):
    """Regression: the feed's language reached the record but not the document (detection always won)."""
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document
    from newsdex.tasks.segment import segment_document

    record = {
        "url": "https://news.example.de/a",
        "title": "Stadtrat",
        "maintext": "\n\n".join(prose("Council")),
        "language": "de-DE",
    }
    (tmp_path / "np.jsonl").write_bytes(
        jsonl([record, {**record, "url": "https://news.example.de/b", "language": None}])
    )
    given, detected = (r.doc for r in FeedStream([str(tmp_path)]))
    rules = load_rules()
    assert segment_document(clean_document(given, rules)).language == "de"  # as the feed says
    assert segment_document(clean_document(detected, rules)).language == "en"  # from the (English) text


def test_clean_reads_a_feed_record_by_record(tmp_path):
    """Regression: `newsdex clean feed.jsonl` cleaned the whole file as one text document."""
    feed = tmp_path / "scrapy.jsonl"
    feed.write_bytes(jsonl(SCRAPY) + b"not json\n")
    result = run_cli("clean", str(feed), "--json")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["title"] for d in docs] == ["Zurich council agrees budget", "An HTML item"]
    assert "line 3" in result.stderr and len(result.stderr.strip().splitlines()) == 1  # the broken line, noted
