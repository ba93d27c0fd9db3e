"""The public evaluation data the benchmarks and tools read, outside the repository (``../shared/data`` beside
the checkout): where it is, a clear stop when it is missing, the extraction pages, and the fixed hash split of the
line model (two thirds of wcxb-dev train; scrapinghub is never trained on). Tests never read it: they use the
samples kept in ``tests/data/``."""

from __future__ import annotations

import gzip
import hashlib
import html as html_lib
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


DEFAULT_MULTILINGUAL = DEFAULT_EXTRACTION / "trafilatura-eval"
_SECOND_LEVEL = frozenset(("com", "co", "org", "net", "gov", "ac", "edu", "gob", "or", "ne"))
_TLDS = frozenset(("com", "net", "org", "info", "edu", "gov", "media", "blog", "news", "io", "biz"))
_TAG = re.compile(r"<[^>]{0,2000}>")


def _page_text(data: bytes) -> str:
    """A page's visible-ish text, whitespace folded: enough to find which file holds a row's strings. Decoded
    as newsdex decodes any input (the pages keep their original encodings)."""
    from newsdex.models import Quarantined
    from newsdex.tasks.load import decode_input

    raw = decode_input("page.html", data)
    text = data.decode("utf-8", "replace") if isinstance(raw, Quarantined) else raw.text
    return " ".join(html_lib.unescape(_TAG.sub(" ", text)).split())


def site_of(row: dict[str, Any]) -> str:
    """The site a trafilatura-eval row comes from: the URL's host, or the host at the start of the row's id
    ("bahamaslocal.com-atlantis", "laprensagrafica.com.fiscal") for rows without a URL ("hard::…")."""
    url = row.get("url") or ""
    host = urlsplit(url).hostname if "://" in url else None
    if host:
        labels = host.lower().removeprefix("www.").split(".")
    else:
        labels = row["id"].lower().removeprefix("www.").split(".")
        for i in range(1, len(labels)):
            base = re.split(r"[-_]", labels[i], maxsplit=1)[0]
            if base in _TLDS or len(base) == 2 and base.isalpha():
                nxt = re.split(r"[-_]", labels[i + 1], maxsplit=1)[0] if i + 1 < len(labels) else ""
                labels = labels[:i] + [base] + ([nxt] if base in _SECOND_LEVEL and len(nxt) == 2 else [])
                break
    # "example.com.br", "example.co.uk": a country's second level names no site
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def is_tuning_site(site: str) -> bool:
    """The fixed split of trafilatura-eval by a hash of the site: this half is tuned on, the other held out."""
    return int(hashlib.sha1(site.encode()).hexdigest(), 16) % 2 == 0


def load_multilingual(folder: Path = DEFAULT_MULTILINGUAL, split: str = "all") -> list[dict[str, Any]]:
    """trafilatura-eval rows with their page's original bytes: {id, url, site, with, without, data}.

    Most page files are not named by the row ids: a row without a file of its name is matched to the file that
    holds most of its ``with`` strings (the mapping is cached in the checkout's var/bench/). Rows no file holds
    are left out and counted on stderr. ``split``: all, tune (the hash half tuned on) or heldout."""
    require(folder)
    rows = [json.loads(ln) for ln in (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    cache = REPO / "var" / "bench" / "trafilatura-eval-files.json"
    mapping: dict[str, str] = json.loads(cache.read_text()) if cache.exists() else {}
    if not mapping:
        texts = {f.name: _page_text(gzip.decompress(f.read_bytes())) for f in sorted((folder / "html").glob("*.gz"))}
        taken: set[str] = set()
        for row in rows:  # a file named by the row's id first
            if f"{row['id']}.html.gz" in texts:
                mapping[row["id"]] = f"{row['id']}.html.gz"
                taken.add(mapping[row["id"]])
        for row in rows:
            if row["id"] in mapping:
                continue
            probes = [" ".join(s.split())[:40] for s in row.get("with", []) if len(s) >= 4]
            best = max(
                ((sum(p in t for p in probes), name) for name, t in texts.items() if name not in taken), default=(0, "")
            )
            if best[0] > 0 and best[0] * 2 >= len(probes):
                mapping[row["id"]] = best[1]
                taken.add(best[1])
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(mapping, indent=0))
    out = []
    for row in rows:
        name = mapping.get(row["id"])
        if name is None:
            continue
        site = site_of(row)
        if split != "all" and is_tuning_site(site) != (split == "tune"):
            continue
        data = gzip.decompress((folder / "html" / name).read_bytes())
        out.append({**row, "site": site, "file": name, "data": data})
    missing = sum(r["id"] not in mapping for r in rows)
    if missing:
        print(f"  ({missing} of {len(rows)} rows matched no page file and are left out)", file=sys.stderr)
    return out
