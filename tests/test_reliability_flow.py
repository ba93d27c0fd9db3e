"""Issue 27 through the real ingest flow: a symlink out of the input folder, a file name that is not UTF-8, a
feed line whose URL urllib cannot split, an impossible date and a partial last line completed by a later run.
The run never stops; the raw store never holds the file outside; a fixed line leaves the quarantine list."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from tests.conftest import run_cli

STORY = (
    "The harbour authority said on Tuesday that the new cranes would double the port's capacity by next "
    "spring. Dock workers welcomed the investment but asked for guarantees on jobs and training.\n\n"
    "The regional council approved the plan after a long debate, and construction starts in March.\n"
)


def test_hostile_folder_through_the_flow(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.options import IngestOptions, RunnerOptions

    NO_WORKERS = RunnerOptions(workers=0)
    from newsdex.index.manifest import open_readonly

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("root:x:0:0:root:/root:/bin/bash\n" + STORY)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text("Harbour cranes\n\n" + STORY)
    (inputs / "passwd.txt").symlink_to(outside / "secret")
    with open(os.fsencode(inputs) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(b"Cafe reopens\n\n" + STORY.encode())
    lines = [
        {"url": "http://[::1", "title": "Odd URL", "text": STORY},
        {"url": "https://news.example.org/d", "title": "Bad date", "text": STORY, "date": "2024-02-30"},
    ]
    feed = inputs / "feed.jsonl"
    last = json.dumps({"url": "https://news.example.org/late", "title": "Late line", "text": STORY})
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines) + last[:40])  # a partial last line
    index = tmp_path / "index"
    report = ingest_flow(IngestOptions(paths=[str(inputs)], index=str(index), runner=NO_WORKERS))
    assert report["new"] == 4, report["quarantined"]  # good, café, the odd URL, the bad date
    kinds = report["quarantined_by_reason"]
    assert kinds == {"symlink outside the folder": 1, "not JSON": 1}, report["quarantined"]
    assert report["dates_dropped"] == {"records": 1, "examples": ["2024-02-30"]}
    assert all("\n" not in q["reason"] for q in report["quarantined"])
    for blob in (index / "raw").rglob("*.gz"):
        assert b"root:x" not in gzip.decompress(blob.read_bytes())  # the file outside was never read
    with open_readonly(index / "manifest.sqlite") as manifest:
        paths = {r["path"] for r in manifest.all_inputs()}
    assert any(p.endswith("caf\\xe9.txt") for p in paths)
    stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert stats["quarantined_by_reason"] == {"symlink outside the folder": 1, "not JSON": 1}

    feed.write_text("".join(json.dumps(line) + "\n" for line in lines) + last + "\n")  # the scraper finished it
    report = ingest_flow(IngestOptions(paths=[str(inputs)], index=str(index), runner=NO_WORKERS))
    assert report["new"] == 1 and report["quarantined_by_reason"] == {"symlink outside the folder": 1}
    stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert [q["reason"] for q in stats["quarantined"]] == [report["quarantined"][0]["reason"]]  # line 3 cleared
    shown = run_cli("search", "--all", "--all-copies", "--json", "--index", str(index))
    assert shown.returncode == 0 and any(h["path"].endswith("caf\\xe9.txt") for h in json.loads(shown.stdout)["hits"])


def test_ingest_follow_symlinks_reads_what_the_user_allows(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.options import IngestOptions, RunnerOptions

    NO_WORKERS = RunnerOptions(workers=0)

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "story.txt").write_text("Linked story\n\n" + STORY)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "linked.txt").symlink_to(outside / "story.txt")
    report = ingest_flow(
        IngestOptions(paths=[str(inputs)], index=str(tmp_path / "index"), runner=NO_WORKERS, follow_symlinks=True)
    )
    assert report["new"] == 1 and not report["quarantined"]
    assert Path(inputs / "linked.txt").is_symlink()
