"""Issue 27, the input side, on real files made here: a WARC gzip bomb, a JSON Lines bomb and a last line over
the limit, 400,000 bad lines, a symlink out of the folder, a file name that is not UTF-8, a feed URL that
urllib cannot split, impossible dates, a WARC record whose Content-Length is wrong, an ARC file; and every
exception type a stage can raise, fed to one document of a batch."""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdex.models import Quarantined, RawDoc
from newsdex.reasons import reason_kind
from newsdex.tasks.feeds.stream import FeedStream
from tests.test_feeds import page

HTML = page("Harbour cranes", "Harbour").encode()


def warc_bomb(inflated: int) -> bytes:
    """One gzip member: a WARC response whose page is ``inflated`` NUL bytes (about 1,000 to 1 on disk)."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (inflated + len(http))
    )
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [c.compress(head + http)]
    block = bytes(1 << 20)
    for _ in range(inflated >> 20):
        out.append(c.compress(block))
    out += [c.compress(b"\r\n\r\n"), c.flush()]
    return b"".join(out)


def warc_bytes(pages: list[tuple[str, bytes]], compress: bool = True) -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=compress)
    for url, payload in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http))
    return buf.getvalue()


def docs_of(*paths: Path, **kw) -> tuple[list, FeedStream]:
    stream = FeedStream([str(p) for p in paths], **kw)
    return [r.doc for r in stream], stream


def test_a_warc_gzip_bomb_is_one_quarantine_line_and_the_next_record_is_read(tmp_path):
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(warc_bomb(64 << 20) + warc_bytes([("https://ok.example/a", HTML)]))
    assert path.stat().st_size < 200_000
    docs, stream = docs_of(path, max_bytes=1 << 20)  # Settings.max_bytes ($NEWSDEX_MAX_BYTES)
    bad, good = docs
    assert isinstance(bad, Quarantined) and bad.offset == 0 and "\n" not in bad.reason
    assert bad.reason == f"record 1 at offset 0: too large: over {4 << 20} bytes once decompressed"
    assert isinstance(good, RawDoc) and good.url == "https://ok.example/a" and good.provenance.offset > 0
    assert stream.read_whole == [str(path)]


def test_a_file_inflating_past_the_file_limit_stops_with_one_line(tmp_path):
    members = warc_bytes([(f"https://ok.example/{i}", HTML + b" " * (1 << 20)) for i in range(8)])
    (tmp_path / "big.warc.gz").write_bytes(members)
    lines = b"".join(json.dumps({"text": "x" * 1000}).encode() + b"\n" for _ in range(6000))
    (tmp_path / "big.jsonl.gz").write_bytes(gzip.compress(lines))
    docs, stream = docs_of(tmp_path / "big.warc.gz", tmp_path / "big.jsonl.gz", max_file_bytes=4 << 20)
    bad = [d for d in docs if isinstance(d, Quarantined)]
    assert [reason_kind(b.reason) for b in bad] == ["file too large", "file too large"]
    assert stream.read_whole == []  # neither was read to its end: --prune keeps their records


def test_jsonl_bombs_and_a_last_line_without_newline_are_quarantined(tmp_path):
    (tmp_path / "a_nul.jsonl.gz").write_bytes(gzip.compress(bytes(50 << 20)))  # 50 MB of NUL, one "line"
    (tmp_path / "b_last.jsonl").write_bytes(
        json.dumps({"text": "fine"}).encode() + b"\n" + json.dumps({"text": "y" * (2 << 20)}).encode()
    )  # no final newline
    docs, stream = docs_of(tmp_path, max_bytes=1 << 20)
    nul, fine, last = docs
    assert isinstance(nul, Quarantined) and nul.reason == f"line 1: too large: over {1 << 20} bytes"
    assert isinstance(fine, RawDoc)
    assert isinstance(last, Quarantined) and last.line == 2 and "too large" in last.reason
    assert len(stream.read_whole) == 2


def test_400k_bad_lines_are_summarised_past_the_limit(tmp_path):
    (tmp_path / "bad.jsonl.gz").write_bytes(gzip.compress(b"{}\n" * 400_000 + b"nope\n"))
    docs, stream = docs_of(tmp_path / "bad.jsonl.gz")
    assert len(docs) == 101 and all(isinstance(d, Quarantined) for d in docs)
    summary = docs[-1]
    assert summary.line == 101 and summary.reason.startswith("399,901 more bad records from line 101 on")
    assert "no text 399,900" in summary.reason and "not JSON 1" in summary.reason
    assert stream.records == 400_001 and stream.summarised == 399_901


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path):
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    (secret_dir / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n" * 20)
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    (inputs / "a.txt").write_bytes(b"Harbour news about the cranes and the port workers.\n" * 5)
    (inputs / "passwd.txt").symlink_to(secret_dir / "passwd")
    (inputs / "inside.txt").symlink_to(inputs / "a.txt")  # inside the folder: read
    (inputs / "sub" / "out").symlink_to(secret_dir, target_is_directory=True)
    docs, _ = docs_of(inputs)
    read = sorted(Path(d.path).name for d in docs if isinstance(d, RawDoc))
    assert read == ["a.txt", "inside.txt"]
    refused = sorted((Path(d.path).name, reason_kind(d.reason)) for d in docs if isinstance(d, Quarantined))
    assert refused == [("out", "symlink outside the folder"), ("passwd.txt", "symlink outside the folder")]
    assert all("root:x" not in (getattr(d, "text", "") or "") for d in docs)
    docs, _ = docs_of(inputs, follow_symlinks=True)
    assert any(isinstance(d, RawDoc) and "root:x" in d.text for d in docs)


def test_a_name_that_is_not_utf8_and_a_url_urllib_cannot_split(tmp_path):
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_budgeted

    folder = os.fsencode(tmp_path)
    with open(folder + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"Cafe news: the harbour cafe reopened on Monday with a new menu.\n" * 3)
    (tmp_path / "feed.jsonl").write_text(
        json.dumps(
            {"url": "http://[::1", "title": "Odd URL", "text": "The council met on Tuesday to discuss the port."}
        )
    )
    docs, _ = docs_of(tmp_path)
    names = sorted(d.path for d in docs)
    assert names[0].endswith("caf\\xe9.txt") and all(isinstance(d, RawDoc) for d in docs)
    names[0].encode("utf-8")  # storable and printable
    cleaned = clean_budgeted(docs, load_rules())
    assert len(cleaned.docs) == 2 and not cleaned.quarantined


def test_impossible_dates_are_dropped_and_counted(tmp_path):
    items = [
        {"text": "a", "date": "2024-02-30"},
        {"text": "b", "date": "9999-99-99"},
        {"text": "c", "date": "2024-02-29"},
    ]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    docs, stream = docs_of(tmp_path)
    assert [d.meta.published for d in docs] == [None, None, "2024-02-29"]
    assert dict(stream.dates_dropped) == {"2024-02-30": 1, "9999-99-99": 1}


def test_a_wrong_content_length_blames_its_own_record_in_one_line(tmp_path):
    first, second, third = ((f"https://ok.example/{i}", HTML) for i in range(3))
    plain = warc_bytes([first], compress=False)
    bad = warc_bytes([second], compress=False)
    cut = bad.index(b"Content-Length: ") + len(b"Content-Length: ")
    end = bad.index(b"\r\n", cut)
    bad = bad[:cut] + str(int(bad[cut:end]) + 500).encode() + bad[end:]  # runs into the next record
    path = tmp_path / "bad.warc"
    path.write_bytes(plain + bad + warc_bytes([third], compress=False))
    docs, _ = docs_of(path)
    assert [type(d).__name__ for d in docs] == ["RawDoc", "Quarantined", "RawDoc"]
    assert docs[1].offset == len(plain) and docs[1].reason.startswith(f"record 2 at offset {len(plain)}: ")
    assert "\n" not in docs[1].reason and len(docs[1].reason) < 200 and "Harbour" not in docs[1].reason
    # The same in a .warc.gz: each record its own member.
    gz = tmp_path / "bad.warc.gz"
    gz.write_bytes(warc_bytes([first]) + gzip.compress(bad) + warc_bytes([third]))
    docs, _ = docs_of(gz)
    assert [type(d).__name__ for d in docs] == ["RawDoc", "Quarantined", "RawDoc"]
    assert docs[1].reason.startswith("record 2 at offset") and "\n" not in docs[1].reason


def test_arc_files_are_read(tmp_path, capfd):
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + HTML
    version = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = b"filedesc://test.arc 0.0.0.0 20250101000000 text/plain %d\n%s\n" % (
        len(version),
        version,
    ) + b"https://arc.example/a 1.2.3.4 20250102030405 text/html %d\n%s\n" % (len(body), body)
    (tmp_path / "old.arc").write_bytes(arc)
    (tmp_path / "old2.arc.gz").write_bytes(
        gzip.compress(arc[: arc.index(b"https://")]) + gzip.compress(arc[arc.index(b"https://") :])
    )
    docs, stream = docs_of(tmp_path)
    assert [d.url for d in docs] == ["https://arc.example/a"] * 2 and all(isinstance(d, RawDoc) for d in docs)
    assert "Harbour" in docs[0].text and stream.skipped
    assert capfd.readouterr().err == ""  # no library line on stderr


@pytest.mark.parametrize(
    "error",
    [
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RuntimeError,
        RecursionError,
        UnicodeError,
        OverflowError,
        ZeroDivisionError,
        MemoryError,
        AssertionError,
        OSError,
        LookupError,
        NotImplementedError,
    ],
)
@pytest.mark.parametrize("stage", ["clean", "segment", "enrich", "index"])
def test_every_exception_a_stage_raises_quarantines_one_document(tmp_path, monkeypatch, stage, error):
    """A stage that raises on one document (by its text) quarantines that document with a one-line reason;
    the rest of the batch is processed."""
    from newsdex.flows import batch
    from newsdex.index import manifest
    from newsdex.settings import Settings
    from newsdex.tasks import segment
    from newsdex.tasks.clean import stage as clean_stage
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.enrich import stage as enrich_stage

    targets = {
        "clean": (clean_stage, "clean_document"),
        "segment": (segment, "segment_document"),
        "enrich": (enrich_stage, "enrich_documents"),
        "index": (manifest, "manifest_row"),
    }
    module, name = targets[stage]
    real = getattr(module, name)

    def poisoned(*args, **kwargs):
        first = args[0]
        docs = first if isinstance(first, list) else [first]
        if any("POISON" in (getattr(d, "text", "") or getattr(d, "body", "") or "") for d in docs):
            raise error("poisoned\nsecond line of the message")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, poisoned)
    raws = []
    for i, text in enumerate(
        [
            "The harbour cranes doubled the port's capacity this spring, officials said.",
            "POISON: the council met on Tuesday and approved the harbour plan.",
            "Dock workers welcomed the investment but asked for guarantees.",
        ]
    ):
        p = tmp_path / f"{i}.txt"
        p.write_text(text * 3)
        raws.append(next(iter(FeedStream([str(p)]))).doc)
    result = batch.run_job(batch.BatchJob(load_rules(), Settings(index=tmp_path / "index", clean_seconds=0), raws=raws))
    assert len(result.rows) == 2 and result.segment is not None and len(result.segment.ids) == 2
    ((doc_id, why),) = result.quarantined
    assert doc_id == raws[1].id and "\n" not in why.reason and error.__name__ in why.reason
    assert why.reason.endswith("poisoned")


@pytest.mark.parametrize(
    "error",
    [
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        RuntimeError,
        RecursionError,
        UnicodeDecodeError,
        OverflowError,
        MemoryError,
        OSError,
        zlib.error,
        EOFError,
    ],
)
def test_every_exception_a_reader_raises_quarantines_its_file_only(tmp_path, monkeypatch, error):
    from newsdex.tasks.feeds import stream as stream_module

    real = stream_module.read_jsonl

    def broken(path, *args, **kwargs):
        yield next(real(str(tmp_path / "first.jsonl"), *args, **kwargs))  # one good record, then the surprise
        if error is UnicodeDecodeError:
            raise error("utf-8", b"\xff", 0, 1, "invalid start byte\nand more")
        raise error("the reader broke\nsecond line")

    (tmp_path / "first.jsonl").write_text(json.dumps({"text": "first story"}) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "never read"}) + "\n")
    (tmp_path / "c.txt").write_text("Harbour news\n\nThe cranes arrived on Monday and the port reopened.\n")
    monkeypatch.setattr(stream_module, "read_jsonl", broken)
    docs, stream = docs_of(tmp_path / "b.jsonl", tmp_path / "c.txt")
    first, bad, last = docs
    assert isinstance(first, RawDoc) and isinstance(last, RawDoc) and last.path.endswith("c.txt")
    assert isinstance(bad, Quarantined) and bad.reason.startswith(f"reading stopped after 1 records: {error.__name__}")
    assert "\n" not in bad.reason and stream.read_whole == []
