"""Peak memory of an ingest of hostile inputs (issue 27), each a fresh `newsdex ingest` process run the way a
user runs it, its process tree sampled (bench/_measure.py): a WARC whose one gzip member inflates to 2 GB (2 MB
on disk), a .jsonl.gz of 400,000 bad lines, and 50,000 tiny files (one blank line each: quarantined as empty,
so the run measures walking, reading and listing them, not the model). Prints, side by side in one run, the
tree's peak RSS, the largest single process (the ingest itself; Prefect's temporary server is another), the
seconds, and how each input was counted.

    nice python -m bench.hostile_memory                    # 2 GB bomb, 400k lines, 50k files
    nice python -m bench.hostile_memory --bomb-mb 256 --lines 40000 --files 5000    # a quick look

The inputs are made here on the fly (no evaluation data)."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import zlib
from pathlib import Path

from bench._measure import run_measured

LIMIT_MB = 1024


def warc_bomb(path: Path, inflated_mb: int) -> None:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    size = inflated_mb << 20
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (size + len(http))
    )
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    with open(path, "wb") as out:
        out.write(c.compress(head + http))
        for _ in range(inflated_mb):
            out.write(c.compress(block))
        out.write(c.compress(b"\r\n\r\n") + c.flush())


def bad_lines(path: Path, n: int) -> None:
    path.write_bytes(gzip.compress(b"{}\n" * n))


def tiny_files(folder: Path, n: int) -> None:
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True)
        (sub / f"{i:06d}.txt").write_bytes(b"\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bomb-mb", type=int, default=2048, help="what the WARC's one member inflates to (MB)")
    ap.add_argument("--lines", type=int, default=400_000, help="bad lines in the .jsonl.gz")
    ap.add_argument("--files", type=int, default=50_000, help="tiny files in the folder")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsdex-hostile-") as tmp:
        work = Path(tmp)
        cases = []
        bomb = work / "bomb.warc.gz"
        warc_bomb(bomb, args.bomb_mb)
        cases.append((f"WARC bomb {args.bomb_mb} MB ({bomb.stat().st_size / 2**20:.1f} MB on disk)", bomb))
        lines = work / "bad.jsonl.gz"
        bad_lines(lines, args.lines)
        cases.append((f"{args.lines:,} bad lines ({lines.stat().st_size / 1024:.0f} kB .gz)", lines))
        folder = work / "tiny"
        tiny_files(folder, args.files)
        cases.append((f"{args.files:,} tiny files", folder))
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect")}
        for label, path in cases:
            index = work / f"index-{path.name}"
            cmd = [
                sys.executable,
                "-m",
                "newsdex.search_cli",
                "ingest",
                str(path),
                "--index",
                str(index),
                "--json",
                "--workers",
                "0",
            ]
            m = run_measured(cmd, env=env)
            report = json.loads(m.stdout) if m.returncode == 0 else {}
            counted = report.get("quarantined_by_reason") or {"exit": m.returncode, "stderr": m.stderr[-300:]}
            largest = max(m.process_peaks_mb.values(), default=0.0)
            rows.append((label, m.tree_peak_mb, largest, m.seconds, report.get("records"), counted))
    print(f"{'input':<40} {'tree MB':>8} {'largest':>8} {'of 1 GB':>8} {'seconds':>8} {'records':>9}  quarantined")
    for label, tree, largest, seconds, records, counted in rows:
        print(
            f"{label:<40} {tree:>8.0f} {largest:>8.0f} {tree / LIMIT_MB:>8.2f} {seconds:>8.1f} "
            f"{records if records is not None else '-':>9}  {json.dumps(counted)}"
        )
    return 0 if all(r[1] < LIMIT_MB for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
