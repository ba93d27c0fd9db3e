"""The public evaluation data the benchmarks and tools read, outside the repository (``../shared/data`` beside
the checkout): where it is, a clear stop when it is missing, the extraction pages, and the fixed hash split of the
line model (two thirds of wcxb-dev train; scrapinghub is never trained on). Tests never read it: they use the
samples kept in ``tests/data/``."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
DEFAULT_EXTRACTION = SHARED_DATA / "extraction"
DEFAULT_NER = SHARED_DATA / "ner" / "wikigold.conll"
TRAIN_SETS = ("wcxb-dev",)


class MissingData(SystemExit):
    """The evaluation data a benchmark asked for is not there: it stops and says so, never measures less."""


def require(path: Path) -> Path:
    """``path`` if it exists; otherwise stop with a message naming it and how to point elsewhere."""
    if not path.exists():
        raise MissingData(
            f"evaluation data not found: {path}\n"
            "The benchmarks read the public evaluation sets from ../shared/data beside the checkout; "
            "pass another location on the command line (see --help)."
        )
    return path


def is_training_page(dataset: str, page_id: str) -> bool:
    if dataset not in TRAIN_SETS:
        return False
    return int(hashlib.sha1(page_id.encode()).hexdigest(), 16) % 3 != 0


def load_pages(folder: Path, limit: int | None, split: str) -> list[dict[str, str]]:
    urls: dict[str, str] = {}
    meta = folder / "meta.jsonl"
    if meta.exists():
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                urls[row["id"]] = row.get("url")
    pages = []
    for truth in sorted((folder / "truth").glob("*.txt")):
        pid = truth.stem
        if split == "heldout" and is_training_page(folder.name, pid):
            continue
        if split == "train" and not is_training_page(folder.name, pid):
            continue
        html_file = folder / "html" / f"{pid}.html.gz"
        scraped_file = folder / "scraped" / f"{pid}.txt"
        pages.append(
            {
                "id": pid,
                "url": urls.get(pid),
                "truth": truth.read_text(encoding="utf-8"),
                "html": gzip.decompress(html_file.read_bytes()).decode("utf-8") if html_file.exists() else "",
                "scraped": scraped_file.read_text(encoding="utf-8") if scraped_file.exists() else "",
            }
        )
        if limit and len(pages) >= limit:
            break
    return pages
