"""The shared extraction pages ingested two ways: as HTML files, and as one WARC of HTTP responses (their URLs
as WARC-Target-URI): documents, cleaning F1 against the truth, and time, side by side with ratios.

Usage (from the repo root):
    .venv/bin/python -m bench.feeds                      # 200 pages of every set under ../shared/data/extraction
    .venv/bin/python -m bench.feeds --limit 0 DIR [DIR…]  # every page

Each run is ``newsdex ingest … --json`` in a child process (as a user runs it) into its own index. F1 is
bench.cleaning's token F1 of each indexed body against the page's truth; a page missing from an index scores 0.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench._measure import run_measured
from bench.cleaning_protocol import score
from newsdex.models import document_id
from newsdex.reading.reader import get_document
from newsdex.tasks.feeds.identity import url_document_id
from tools.evaldata import DEFAULT_EXTRACTION, load_pages, require


def page_url(dataset: str, page: dict[str, str]) -> str:
    url = page.get("url")
    # Pages without a URL, or two pages of one URL, would be one document: give them a unique one.
    return url if url and url_document_id(url) else f"https://{dataset}.bench.invalid/{page['id']}"


def write_inputs(work: Path, sets: list[tuple[str, list[dict[str, str]]]]) -> tuple[Path, Path, list[dict]]:
    files, warc = work / "html", work / "pages.warc.gz"
    rows: list[dict] = []
    seen: set[str] = set()
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for dataset, pages in sets:
            (files / dataset).mkdir(parents=True, exist_ok=True)
            for page in pages:
                if not page["html"]:
                    continue
                url = page_url(dataset, page)
                if url_document_id(url) in seen:
                    url = f"https://{dataset}.bench.invalid/{page['id']}"
                seen.add(url_document_id(url))
                path = files / dataset / f"{page['id']}.html"
                path.write_text(page["html"], encoding="utf-8")
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                payload = io.BytesIO(page["html"].encode("utf-8"))
                writer.write_record(writer.create_warc_record(url, "response", payload=payload, http_headers=http))
                rows.append({"file_id": document_id(str(path)), "url_id": url_document_id(url), "truth": page["truth"]})
    return files, warc, rows


def ingest(work: Path, inputs: Path, label: str) -> dict:
    index = work / f"index-{label}"
    cmd = [sys.executable, "-m", "newsdex.search_cli", "ingest", str(inputs), "--index", str(index), "--json"]
    run = run_measured(cmd)
    if run.returncode != 0:
        raise SystemExit(f"{label}: ingest failed ({run.returncode}): {run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    return {"index": index, "report": report, "wall_s": run.seconds, "peak_mb": run.tree_peak_mb}


def f1_of(index: Path, rows: list[dict], key: str) -> tuple[float, int]:
    total, found = 0.0, 0
    for row in rows:
        doc = get_document(index, row[key])
        if doc is not None:
            found += 1
            total += score(doc["body"], row["truth"])[2]
    return total / max(len(rows), 1), found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.feeds", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("sets", nargs="*", type=Path, help="extraction set folders (default: all under ../shared)")
    ap.add_argument("--limit", type=int, default=200, help="pages per set (0: all)")
    args = ap.parse_args(argv)
    folders = args.sets or sorted(p for p in require(DEFAULT_EXTRACTION).iterdir() if (p / "truth").is_dir())
    sets = [(f.name, load_pages(require(f), args.limit or None, "all")) for f in folders]
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        work = Path(tmp)
        files, warc, rows = write_inputs(work, sets)
        runs = {"files": ingest(work, files, "files"), "warc": ingest(work, warc, "warc")}
        keys = {"files": "file_id", "warc": "url_id"}
        print(
            f"{len(rows)} pages ({', '.join(f'{n} {len(p)}' for n, p in sets)}); WARC "
            f"{warc.stat().st_size / 1e6:.1f} MB gzipped, HTML files "
            f"{sum(f.stat().st_size for f in files.rglob('*.html')) / 1e6:.1f} MB"
        )
        table: dict[str, dict[str, float]] = {}
        for label, run in runs.items():
            report = run["report"]
            f1, found = f1_of(run["index"], rows, keys[label])
            table[label] = {
                "documents": report["documents"],
                "quarantined": len(report["quarantined"]),
                "found": found,
                "f1": f1,
                "flow_s": report["seconds"],
                "load_s": report["stages"].get("load", 0.0),
                "wall_s": run["wall_s"],
                "peak_mb": run["peak_mb"],
                "pages_per_s": len(rows) / report["seconds"],
                **{f"{stage}_s": v for stage, v in report["stages"].items() if stage != "load"},
            }
        print(f"{'':<14} {'files':>10} {'warc':>10} {'warc/files':>11}")
        other = ("flow_s", "load_s", "wall_s", "pages_per_s")
        stages = [k for k in table["files"] if k.endswith("_s") and k not in other]
        for name in (
            "documents",
            "quarantined",
            "found",
            "f1",
            "flow_s",
            "load_s",
            *stages,
            "wall_s",
            "pages_per_s",
            "peak_mb",
        ):
            a, b = table["files"][name], table["warc"].get(name, 0.0)
            ratio = f"{b / a:11.3f}" if a else f"{'—':>11}"
            print(f"{name:<14} {a:10.3f} {b:10.3f} {ratio}")
        same = sum(
            1
            for r in rows
            if (get_document(runs["files"]["index"], r["file_id"]) or {}).get("body")
            == (get_document(runs["warc"]["index"], r["url_id"]) or {}).get("body")
        )
        print(f"identical bodies: {same}/{len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
