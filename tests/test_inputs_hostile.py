"""Hostile input files (issue 14), on real files made here: a FIFO, a socket and a device among the inputs,
UTF-16/32 with a byte-order mark, Windows-1252 and Latin-1 text, undecodable bytes, terminal escape sequences,
and HTML nested deeper than libxml2's default limit. Each is quarantined with a clear reason or read right, and
the rest of the batch is indexed."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from newsdex.flows.options import IngestOptions
from newsdex.models import Quarantined, RawDoc
from newsdex.tasks import load
from newsdex.tasks.decode import strip_controls
from newsdex.tasks.load import decode_input, load_path
from tests.conftest import REPO

ARTICLE = (
    "The harbour authority said on Tuesday that the new cranes would double the port's capacity by next "
    "spring. Dock workers welcomed the investment but asked for guarantees on jobs and training.\n\n"
    "The regional council approved the plan after a long debate, and construction starts in March.\n"
)
CP1252 = (
    "\u201cIt\u2019s a caf\u00e9 for everyone,\u201d the mayor said. A coffee costs 2 \u20ac and the "
    "r\u00e9sum\u00e9 of the plan fits on one page \u2014 a first for the town hall.\n"
)
LATIN1 = (
    "Le ministre a d\u00e9clar\u00e9 mardi que la r\u00e9forme des retraites serait pr\u00e9sent\u00e9e \u00e0 "
    "l'Assembl\u00e9e nationale avant l'\u00e9t\u00e9, et les syndicats ont d\u00e9nonc\u00e9 le calendrier.\n"
)
UTF16 = "The minister said the budget for schools would rise by four percent next year, the first rise in years.\n"
ESCAPED = (
    b"Harbour notes\n\x1b]0;pwned title\x07The crane operators\x1b[2J reported a clear week, and the "
    b"\x1b[31mred\x1b[0m warning lights on the quay were finally repaired by the council.\n"
)
CZECH = (
    "Vl\u00e1da ve st\u0159edu schv\u00e1lila n\u00e1vrh z\u00e1kona o st\u00e1tn\u00edm rozpo\u010dtu. Ministr "
    "financ\u00ed \u0159ekl, \u017ee schodek bude ni\u017e\u0161\u00ed ne\u017e loni."
)
UNDECODABLE = bytes(range(128, 256)) * 4  # reads as text in no encoding


def deep_page(depth: int) -> str:
    return (
        "<html><head><title>Deep page</title></head><body>"
        + "<div>" * depth
        + "<p>The deep paragraph tells of harbour cranes and the workers who climb them every morning.</p>"
        + "</div>" * depth
        + "</body></html>"
    )


def cli(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """The real `newsdex` entry point, as run_cli, with a timeout: a hang fails the test instead of blocking it."""
    return subprocess.run(
        [sys.executable, "-m", "newsdex.search_cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=REPO,
        timeout=timeout,
    )


def make_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "a_good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "cp1252.txt").write_bytes(CP1252.encode("cp1252"))
    (folder / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (folder / "utf16.txt").write_bytes(UTF16.encode("utf-16"))  # with its byte-order mark
    (folder / "escapes.txt").write_bytes(ESCAPED)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "undecodable.txt").write_bytes(UNDECODABLE)
    (folder / "deep300.html").write_text(deep_page(300), encoding="utf-8")
    (folder / "deep5000.html").write_text(deep_page(5000), encoding="utf-8")  # past libxml2's 2048 levels too
    os.mkfifo(folder / "pipe.txt")
    return folder


@pytest.fixture(scope="module")
def ingested(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("hostile")
    inputs = make_inputs(work / "inputs")
    named = work / "named.fifo"  # a FIFO named explicitly, not found in a folder
    os.mkfifo(named)
    index = work / "index"
    # Before: the FIFO's open() blocked forever while the run held the write lock; now the timeout is never near.
    proc = cli("ingest", str(inputs), str(named), "--index", str(index), "--json", timeout=300)
    return {"proc": proc, "index": index, "inputs": inputs}


def _report(ingested: dict) -> dict:
    proc = ingested["proc"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _show(ingested: dict, name: str) -> dict:
    proc = cli("show", str(ingested["inputs"] / name), "--index", str(ingested["index"]), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.prefect
def test_ingest_quarantines_what_it_cannot_read_and_indexes_the_rest(ingested):
    report = _report(ingested)
    reasons = {Path(q["path"]).name: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"pipe.txt", "named.fifo", "binary.txt", "undecodable.txt", "deep5000.html"}
    assert reasons["pipe.txt"].startswith("not a regular file") and "FIFO" in reasons["pipe.txt"]
    assert reasons["named.fifo"].startswith("not a regular file")
    assert reasons["binary.txt"].startswith("binary content")
    assert "not UTF-8" in reasons["undecodable.txt"] and "--encoding" in reasons["undecodable.txt"]
    assert reasons["deep5000.html"].startswith("no text extracted")
    assert all("\n" not in r for r in reasons.values())
    assert report["documents"] == 6  # good, cp1252, latin1, utf16, escapes, deep300
    assert report["new"] == 6  # regression: deep5000.html, given up on by the clean stage, is not also "new"


@pytest.mark.prefect
def test_utf16_windows1252_and_latin1_text_is_read_right_and_its_encoding_recorded(ingested):
    utf16, cp1252, latin1 = (_show(ingested, n) for n in ("utf16.txt", "cp1252.txt", "latin1.txt"))
    assert utf16["encoding"] == "utf-16-le" and utf16["body"] == UTF16.strip()
    assert cp1252["encoding"] == "cp1252" and cp1252["body"] == CP1252.strip()
    assert latin1["encoding"] == "cp1252" and latin1["body"] == LATIN1.strip()  # Latin-1 is read as its superset
    assert _show(ingested, "a_good.txt")["encoding"] == "utf-8"


@pytest.mark.prefect
def test_escape_sequences_never_reach_the_index_nor_the_terminal(ingested):
    doc = _show(ingested, "escapes.txt")
    text = json.dumps(doc, ensure_ascii=False)
    assert "\x1b" not in text and "\x07" not in text and "pwned" not in text and "[2J" not in text
    assert "reported a clear week, and the red warning lights" in doc["body"]
    proc = cli("search", "clear", "--index", str(ingested["index"]), timeout=60)
    assert proc.returncode == 0 and "escapes.txt" in proc.stdout
    assert not any(c in proc.stdout for c in "\x1b\x07") and "[31m" not in proc.stdout


@pytest.mark.prefect
def test_a_page_nested_300_deep_is_searchable(ingested):
    doc = _show(ingested, "deep300.html")
    assert "harbour cranes and the workers" in doc["body"]
    # one sentence is a stub, not an article (kept, left out of default search): --kind all finds it
    assert doc["kind"] == "other" and doc["kind_reason"].startswith("stub")
    proc = cli("search", "climb", "--kind", "all", "--index", str(ingested["index"]), "--json", timeout=60)
    assert proc.returncode == 0 and [Path(h["path"]).name for h in json.loads(proc.stdout)["hits"]] == ["deep300.html"]


def test_clean_skips_a_fifo_and_cleans_the_rest(tmp_path):
    inputs = make_inputs(tmp_path / "inputs")
    proc = cli("clean", str(inputs), "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    docs = {Path(d["path"]).name: d for d in map(json.loads, proc.stdout.splitlines())}
    assert set(docs) == {"a_good.txt", "cp1252.txt", "latin1.txt", "utf16.txt", "escapes.txt", "deep300.html"}
    notes = proc.stderr.strip().splitlines()
    assert any(n.startswith(f"newsdex clean: skipped {inputs / 'pipe.txt'}: not a regular file") for n in notes)
    assert any("deep5000.html: no text extracted" in n for n in notes)
    assert not any("discarding data" in n for n in notes)  # trafilatura's nameless warning is gone
    assert docs["cp1252.txt"]["body"] == CP1252.strip() and docs["utf16.txt"]["encoding"] == "utf-16-le"
    assert "\x1b" not in docs["escapes.txt"]["body"]
    # A FIFO named explicitly: noted, never opened, and nothing else to clean is a usage error (exit 1).
    proc = cli("clean", str(inputs / "pipe.txt"), timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"newsdex clean: skipped {inputs / 'pipe.txt'}: not a regular file: a FIFO (named pipe)",
        "newsdex clean: nothing could be cleaned (see the notes above)",
    ]


def test_encoding_option_forces_a_codec_and_rejects_unknown_names(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(LATIN1.encode("latin-1"))
    bare16 = tmp_path / "bare16.txt"  # UTF-16 without a byte-order mark: binary unless told
    bare16.write_bytes(UTF16.encode("utf-16-le"))
    proc = cli("clean", str(latin1), "--encoding", "latin-1", "--json", timeout=60)
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and doc["encoding"] == "iso8859-1" and doc["body"] == LATIN1.strip()
    proc = cli("clean", str(bare16), "--json", timeout=60)
    assert proc.returncode == 1 and "binary content" in proc.stderr
    proc = cli("clean", str(bare16), "--encoding", "UTF-16LE", "--json", timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout)["body"] == UTF16.strip()
    for command, name, message in (
        ("ingest", "nosuch", "unknown encoding: nosuch"),
        ("clean", "rot13", "not a text encoding: rot13"),
    ):
        proc = cli(command, str(latin1), "--encoding", name, "--index", str(tmp_path / "index"), timeout=60)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.strip() == f"newsdex {command}: --encoding: {message}"
    assert not (tmp_path / "index").exists()


@pytest.mark.prefect
def test_ingest_flow_passes_the_forced_encoding_to_the_load_stage(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow

    bare16 = tmp_path / "in" / "bare16.txt"
    bare16.parent.mkdir()
    bare16.write_bytes(UTF16.encode("utf-16-le"))
    report = ingest_flow(IngestOptions(paths=[str(bare16.parent)], index=str(tmp_path / "index"), encoding="utf-16-le"))
    assert report["new"] == 1 and report["quarantined"] == [] and report["documents"] == 1


# -- the load stage, in process ------------------------------------------------------------------------------


def _in_thread(fn, timeout: float = 10.0):
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "hung"
    return out[0]


def test_special_files_are_never_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert _in_thread(lambda: load_path(str(fifo))).reason == "not a regular file: a FIFO (named pipe)"
    if os.path.exists("/dev/zero"):  # endless: read it and the batch never ends
        assert _in_thread(lambda: load_path("/dev/zero")).reason == "not a regular file: a character device"
    short = tempfile.mkdtemp(dir="/tmp")  # a socket path must be short
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(os.path.join(short, "s.txt"))
            assert load_path(os.path.join(short, "s.txt")).reason == "not a regular file: a socket"
    finally:
        for name in os.listdir(short):
            os.remove(os.path.join(short, name))
        os.rmdir(short)


def test_a_fifo_swapped_in_after_the_stat_is_not_waited_for(tmp_path, monkeypatch):
    """The second guard: stat said "regular file", then the path became a FIFO. Opened without blocking, and
    fstat of what was opened says what it is."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    real = load._check_regular
    calls: list[int] = []

    def stat_lies_once(mode: int) -> None:
        calls.append(mode)
        if len(calls) > 1:
            real(mode)

    monkeypatch.setattr(load, "_check_regular", stat_lies_once)
    result = _in_thread(lambda: load_path(str(fifo)))
    assert len(calls) == 2 and isinstance(result, Quarantined) and "FIFO" in result.reason


def test_reads_stop_at_the_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 100_000)
    assert len(load.read_input(str(big), 1000)) == 1001  # Settings.max_bytes ($NEWSDEX_MAX_BYTES)
    assert "too large" in load_path(str(big), max_bytes=1000).reason
    import gzip

    packed = tmp_path / "big.txt.gz"
    packed.write_bytes(gzip.compress(os.urandom(5000)))  # incompressible: over the limit before gunzip
    assert "too large" in load_path(str(packed), max_bytes=1000).reason


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (b"\xfe\xff" + "caf\u00e9 \u201cquoted\u201d".encode("utf-16-be"), "utf-16-be", "caf\u00e9 \u201cquoted\u201d"),
        ("caf\u00e9 \u20ac".encode("utf-32"), "utf-32-le", "caf\u00e9 \u20ac"),
        (b"\xef\xbb\xbfcaf\xc3\xa9", "utf-8", "caf\u00e9"),
        (
            "Caf\u00e9 au lait, cr\u00e8me br\u00fbl\u00e9e and more text".encode("latin-1"),
            "cp1252",
            "Caf\u00e9 au lait, cr\u00e8me br\u00fbl\u00e9e and more text",
        ),
        (CZECH.encode("cp1250"), "cp1250", CZECH),  # a Central-European text keeps its own code page
    ],
)
def test_byte_order_marks_and_detection(data, encoding, text):
    doc = decode_input("x.txt", data)
    assert isinstance(doc, RawDoc), doc
    assert (doc.encoding, doc.text) == (encoding, text)


def test_html_declared_latin1_is_read_as_windows1252_and_utf16_html_is_html():
    page = b'<html><head><meta charset="iso-8859-1"></head><body><p>\x93caf\xe9\x94</p></body></html>'
    doc = decode_input("page.html", page)
    assert doc.encoding == "cp1252" and "\u201ccaf\u00e9\u201d" in doc.text
    doc = decode_input("page.txt", "<!doctype html><html><body><p>x</p></body></html>".encode("utf-16"))
    assert doc.kind == "html" and doc.encoding == "utf-16-le"


def test_broken_utf8_is_quarantined_not_read_as_mojibake():
    result = decode_input("x.txt", ("caf\u00e9 " * 30).encode() + b"\xe9 end")
    assert isinstance(result, Quarantined) and result.reason.startswith("not UTF-8: invalid byte 0xe9")


def test_control_characters_and_whole_escape_sequences_are_removed():
    assert strip_controls("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\c\x1b[2Jd\x1b[1;31me\x1b[0mf") == "abcdef"
    assert strip_controls("tab\tnew\nline\x00\x08\x7f\u0085end\x1bc") == "tab\tnew\nlineend"
    assert strip_controls("page\x0cbreak") == "page\nbreak"
    assert strip_controls("\x1b[" + "1" * 100_000) == "1" * (100_000 - 64)  # bounded, linear on hostile input


def test_library_warnings_name_the_input(caplog):
    import trafilatura  # noqa: F401 - its module loggers exist once it is imported

    from newsdex.tasks.clean.parse import naming_input

    with caplog.at_level(logging.WARNING), naming_input("news/page.html"):
        logging.getLogger("trafilatura.core").warning("discarding data: %s", None)
        logging.getLogger("trafilatura.utils").warning("parsed tree length: %s", 1)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["news/page.html: parsed tree length: 1"]
