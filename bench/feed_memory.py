"""Memory of reading feeds: a JSON Lines file and a WARC file of N records each, read the way the ingest flow
reads them (``FeedStream`` in batches of NEWSDEX_BATCH records, each record decoded), in a fresh process per
size; prints the peak RSS per size and its ratio to the smallest, side by side in one run.

    python -m bench.feed_memory                       # 1k, 10k and 50k records of ~4 KB
    python -m bench.feed_memory --sizes 1000 5000

Reading is what a big feed adds to an ingest; what the later stages hold per batch is measured in
docs/performance.md (memory at scale). The records are generated here (no evaluation data needed).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARAGRAPH = (
    "The council met on Tuesday and agreed a plan after a long debate in which members of every party "
    "spoke about the budget, the schools and the roads of the town. "
)


def write_feeds(folder: Path, n: int) -> tuple[Path, Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    jsonl, warc = folder / f"feed-{n}.jsonl", folder / f"crawl-{n}.warc.gz"
    with open(jsonl, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Story {i}\n\n" + (PARAGRAPH * 20 + "\n\n") * 2
            fh.write(json.dumps({"url": f"https://news.example.org/{i}", "title": f"Story {i}", "text": text}) + "\n")
    with open(warc, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(n):
            body = f"<html><head><title>Story {i}</title></head><body><p>{PARAGRAPH * 20}</p></body></html>"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://news.example.org/w{i}", "response", payload=io.BytesIO(body.encode()), http_headers=http
            )
            writer.write_record(record)
    return jsonl, warc


def read_all(path: str, batch: int) -> None:
    """Child process: read every record in batches, as the flow does; print records, seconds, peak RSS (MB)."""
    from itertools import islice

    from newsdex.tasks.feeds.stream import FeedStream

    t0 = time.perf_counter()
    records = iter(FeedStream([path]))
    n = 0
    while chunk := list(islice(records, batch)):
        n += len(chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": n, "seconds": round(time.perf_counter() - t0, 2), "peak_mb": round(peak, 1)}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        read_all(args.child, args.batch)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for path in write_feeds(Path(tmp), n):
                out = subprocess.run(
                    [sys.executable, "-m", "bench.feed_memory", "--child", str(path), "--batch", str(args.batch)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                rows.append((path.name, n, path.stat().st_size / 2**20, json.loads(out.stdout)))
                path.unlink()
    base = {kind: next(r[3]["peak_mb"] for r in rows if r[0].startswith(kind)) for kind in ("feed", "crawl")}
    print(f"{'file':<22} {'records':>8} {'file MB':>8} {'read s':>7} {'peak MB':>8} {'x smallest':>10}")
    for name, n, mb, res in rows:
        kind = "feed" if name.startswith("feed") else "crawl"
        print(
            f"{name:<22} {n:>8} {mb:>8.1f} {res['seconds']:>7.2f} {res['peak_mb']:>8.1f} "
            f"{res['peak_mb'] / base[kind]:>10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
