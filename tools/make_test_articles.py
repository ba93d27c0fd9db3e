"""Rebuild the in-repo sample of the shared extraction sets that the tests generate their corpus from.

    python -m tools.make_test_articles ../shared/data/extraction

Per set (``scrapinghub``, ``wcxb-dev``), in order of page id: the first ``--per-set`` pages of distinct sites
whose true text is long enough for the corpus generator (tools/corpus.py keeps articles of at least 1,200
characters) and small enough to keep the sample small (``--max-truth``, ``--max-scraped`` bytes). Copied as
they are: ``truth/<id>.txt`` and ``scraped/<id>.txt``; ``meta.jsonl`` keeps ``id``, ``url``, ``source`` and the
page ``title`` (WCXB's own; for scrapinghub the ``<title>`` of ``html/<id>.html.gz``, which is not copied).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"
SETS = ("scrapinghub", "wcxb-dev")


def _title(path: Path) -> str | None:
    head = gzip.decompress(path.read_bytes())[:200_000].decode("utf-8", "replace")
    m = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
    return html.unescape(" ".join(m.group(1).split())) if m else None


def _text_chars(text: str) -> int:
    return sum(len(" ".join(p.split())) for p in re.split(r"\n\s*\n|\n", text) if len(p.strip()) > 1)


def sample_set(src: Path, dst: Path, per_set: int, max_truth: int, max_scraped: int) -> list[dict]:
    metas = sorted(
        (json.loads(x) for x in (src / "meta.jsonl").read_text(encoding="utf-8").splitlines()), key=lambda m: m["id"]
    )
    chosen, sites = [], set()
    for meta in metas:
        truth, scraped = src / "truth" / f"{meta['id']}.txt", src / "scraped" / f"{meta['id']}.txt"
        site = (urlsplit(meta["url"]).hostname or "").removeprefix("www.")
        if site in sites or not truth.exists() or not scraped.exists():
            continue
        if truth.stat().st_size > max_truth or scraped.stat().st_size > max_scraped:
            continue
        if _text_chars(truth.read_text(encoding="utf-8", errors="replace")) < 1200:
            continue
        title = meta.get("title") or _title(src / "html" / f"{meta['id']}.html.gz")
        chosen.append({"id": meta["id"], "url": meta["url"], "source": meta.get("source", src.name), "title": title})
        sites.add(site)
        if len(chosen) == per_set:
            break
    if dst.exists():
        shutil.rmtree(dst)
    for sub in ("truth", "scraped"):
        (dst / sub).mkdir(parents=True)
        for meta in chosen:
            shutil.copyfile(src / sub / f"{meta['id']}.txt", dst / sub / f"{meta['id']}.txt")
    lines = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in chosen)
    (dst / "meta.jsonl").write_text(lines, encoding="utf-8")
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("extraction", type=Path, help="the shared extraction sets (../shared/data/extraction)")
    ap.add_argument("--per-set", type=int, default=12, help="pages per set (default 12)")
    ap.add_argument("--max-truth", type=int, default=8000, help="largest truth text, bytes (default 8000)")
    ap.add_argument("--max-scraped", type=int, default=12000, help="largest scraped text, bytes (default 12000)")
    args = ap.parse_args(argv)
    for name in SETS:
        chosen = sample_set(args.extraction / name, OUT / name, args.per_set, args.max_truth, args.max_scraped)
        print(f"{name}: {len(chosen)} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
