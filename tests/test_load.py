"""Load stage: discovery of inputs and quarantine of bad ones, on real bytes."""

from __future__ import annotations

import gzip

from newsdex.models import Quarantined, RawDoc
from newsdex.tasks.load import decode_input, document_id, iter_input_files, load_path


def test_folder_discovery_is_recursive_sorted_and_filtered(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "page.html.gz").write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>"))
    (tmp_path / "a.txt").write_text("hello")
    (tmp_path / "notes.md").write_text("not an input")
    (tmp_path / ".hidden.txt").write_text("hidden")
    files = iter_input_files([str(tmp_path)])
    assert [f.removeprefix(str(tmp_path) + "/") for f in files] == ["a.txt", "b/page.html.gz"]


def test_named_file_is_always_returned_so_it_can_be_quarantined(tmp_path):
    odd = tmp_path / "photo.jpg"
    odd.write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    assert iter_input_files([str(odd)]) == [str(odd)]
    assert isinstance(load_path(str(odd)), Quarantined)


def test_seeds_load_as_text(seeds_dir):
    docs = [load_path(f) for f in iter_input_files([str(seeds_dir)])]
    assert len(docs) == 5
    assert all(isinstance(d, RawDoc) and d.kind == "text" for d in docs)
    assert len({d.id for d in docs}) == 5


def test_quarantine_reasons_are_readable():
    cases = {
        b"": "empty",
        b"   \n\t\n": "empty",
        bytes(range(256)): "binary",
        bytes(range(128, 256)) * 2: "not UTF-8",  # no encoding reads it as text
        "na\xefve caf\xe9".encode() + b"\xff": "not UTF-8",  # broken UTF-8 is not read as Latin-1 mojibake
    }
    for data, reason in cases.items():
        result = decode_input("x.txt", data)
        assert isinstance(result, Quarantined), data
        assert reason in result.reason


def test_gzip_inputs_are_decompressed_and_bad_gzip_quarantined():
    ok = decode_input("a.txt.gz", gzip.compress(b"Hello, world."))
    assert isinstance(ok, RawDoc) and ok.text == "Hello, world."
    bad = decode_input("a.txt.gz", b"\x1f\x8b\x08garbage")
    assert isinstance(bad, Quarantined) and "gzip" in bad.reason


def test_html_detected_by_content_and_declared_charset_honoured():
    page = '<!DOCTYPE html><html><head><meta charset="windows-1252"></head><body>caf\xe9</body></html>'
    doc = decode_input("page.txt", page.encode("cp1252"))
    assert isinstance(doc, RawDoc) and doc.kind == "html" and "café" in doc.text


def test_huge_input_is_quarantined():
    import newsdex.tasks.load as load

    result = load.decode_input("big.txt", b"word " * 1000, max_bytes=1000)  # Settings.max_bytes ($NEWSDEX_MAX_BYTES)
    assert isinstance(result, Quarantined) and "too large" in result.reason


def test_document_id_is_stable_per_path(tmp_path):
    p = tmp_path / "a.txt"
    assert document_id(str(p)) == document_id(str(p))
    assert document_id(str(p)) != document_id(str(tmp_path / "b.txt"))
