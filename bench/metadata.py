"""Metadata and page kinds: newsdex beside trafilatura alone, fitted and held out.

Usage (from the repo root):
    nice .venv/bin/python -m bench.metadata [--data DIR] [--limit N] [--jobs 2]

Metadata (wcxb-dev, gold ``title``, ``author``, ``publish_date``): each page goes through newsdex's cleaning
(``tasks.clean.stage.clean_document``) and through trafilatura's own metadata extraction
(``trafilatura.metadata.extract_metadata``); a title is right when equal after folding case, spaces and quotes,
a date when the same day, an author when the same names (split on commas, "and", "&", ";"). Pages are split by
a hash of their id: the precedence and the rules in ``tasks/clean/metadata`` were chosen looking at the "fitted"
half only; "held out" is the other half. Each site has one page or a few, so a site's pages fall on both halves
rarely; the bench also prints the held-out figures with every site that has a page in the fitted half left out
(leave-one-site-out on top of the hash split).

Page kinds: the share of articles kept out of default search (every wcxb-dev and scrapinghub page is an article)
beside the share of non-article pages kept out. Non-article pages are found in trafilatura-eval by a rule on the
URL alone, which the classifier never reads (``non_article_url``); the other trafilatura-eval pages are not
labelled: those kept out are listed, to be judged by reading them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.evaldata import DEFAULT_EXTRACTION, require

# A URL that names a listing or a product page: the path ends at a tag/category/search/archive segment or one
# slug below it, or at a product's slug under a products/shop segment; a search query; or the site's root (without
# a query: "/?p=2895" is a WordPress article).
# (Written first with "themen"/"topics" anywhere in the path: on these sites those folders hold articles.)
_LISTING_PATH = re.compile(
    r"/(?:tags?|category|categories|kategorien?|rubriken?|section|sections|search|suche|archives?|archiv)"
    r"(?:/[^/]*)?/?$|/page/\d+/?$|/(?:products?|produkte?|shop|collections)/[^/]+/?$",
    re.I,
)
_SEARCH_QUERY = re.compile(r"(?:^|&)(?:s|q|query|search)=", re.I)


def non_article_url(url: str | None) -> bool:
    parts = urlsplit(url or "")
    if not parts.netloc:
        return False
    if parts.path in ("", "/") and not parts.query:
        return True
    return bool(_LISTING_PATH.search(parts.path) or _SEARCH_QUERY.search(parts.query))


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'})


def half(pid: str) -> str:
    return "fitted" if int(hashlib.sha1(pid.encode()).hexdigest(), 16) % 2 == 0 else "held out"


def norm_title(t: str | None) -> str:
    return " ".join((t or "").translate(_QUOTES).lower().split()).strip(" .")


_NAME_SPLIT = re.compile(r"\s*(?:[,;&|]|\band\b)\s*", re.I)


def norm_authors(a: str | list[str] | None) -> frozenset[str]:
    """The set of names, folded, judged the same way for every answer and the gold (not newsdex's own splitter):
    split on commas, semicolons, "&", "|" and "and"; a leading "By" dropped."""
    items = a if isinstance(a, list) else [a] if a else []
    names: set[str] = set()
    for item in items:
        for n in _NAME_SPLIT.split(re.sub(r"^\s*by\s+", "", item, flags=re.I)):
            names.add(" ".join(re.sub(r"[^\w ]", " ", n.lower()).split()))
    return frozenset(n for n in names if n)


def _page(args: tuple[str, str, str, str | None]) -> dict[str, Any]:
    from trafilatura.metadata import extract_metadata

    from newsdex.models import RawDoc
    from newsdex.tasks.clean.rules import load_rules
    from newsdex.tasks.clean.stage import clean_document

    dataset, pid, html, url = args
    raw = RawDoc(id=pid, path=f"{pid}.html", kind="html", text=html, raw_hash="", url=url)
    try:
        doc = clean_document(raw, load_rules())
        ours = {
            "title": doc.title,
            "authors": getattr(doc, "authors", None) or doc.byline,
            "date": doc.published,
            "kind": getattr(doc, "page_kind", "article"),
            "reason": getattr(doc, "kind_reason", None),
            "sources": {k: getattr(doc, k, None) for k in ("title_source", "byline_source", "published_source")},
            "cut": [r.text for r in doc.removed if r.rule == "next-story"],
        }
    except Exception as exc:  # a page that fails counts as wrong, with its error printed
        ours = {
            "title": None,
            "authors": None,
            "date": None,
            "kind": "article",
            "reason": None,
            "error": f"{type(exc).__name__}: {exc}",
        }
    theirs: dict[str, Any] = {}
    if dataset == "wcxb-dev":
        try:
            m = extract_metadata(html, default_url=url)
            theirs = {"title": m.title, "authors": m.author, "date": m.date}
        except Exception:  # trafilatura failing on a page: no answer
            theirs = {}
    return {"set": dataset, "id": pid, "url": url, "ours": ours, "theirs": theirs}


def _load(folder: Path, limit: int | None) -> list[tuple[str, str, str, str | None, dict[str, Any]]]:
    rows = [json.loads(x) for x in (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    out = []
    for row in rows[:limit] if limit else rows:
        f = folder / "html" / f"{row['id']}.html.gz"
        if f.exists():
            data = gzip.decompress(f.read_bytes())
            out.append((folder.name, row["id"], data.decode("utf-8", "replace"), row.get("url"), row))
    return out


def _site(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").removeprefix("www.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_EXTRACTION)
    ap.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sets", default="wcxb-dev,scrapinghub,trafilatura-eval")
    ap.add_argument("--dump", type=Path, help="write every page's answers as JSON Lines")
    a = ap.parse_args(argv)
    base = require(a.data)
    pages = []
    for name in a.sets.split(","):
        if (base / name).exists():
            pages.extend(_load(base / name, a.limit))
    gold = {(p[0], p[1]): p[4] for p in pages}
    with ProcessPoolExecutor(a.jobs) as pool:
        results = list(pool.map(_page, [p[:4] for p in pages], chunksize=4))
    if a.dump:
        with a.dump.open("w") as fh:
            for r in results:
                fh.write(
                    json.dumps(
                        {
                            **r,
                            "gold": {k: gold[(r["set"], r["id"])].get(k) for k in ("title", "author", "publish_date")},
                        }
                    )
                    + "\n"
                )

    wcxb = [r for r in results if r["set"] == "wcxb-dev"]
    fitted_sites = {_site(r["url"]) for r in wcxb if half(r["id"]) == "fitted"}
    groups = {
        "fitted": [r for r in wcxb if half(r["id"]) == "fitted"],
        "held out": [r for r in wcxb if half(r["id"]) == "held out"],
        "held out, unseen sites": [
            r for r in wcxb if half(r["id"]) == "held out" and _site(r["url"]) not in fitted_sites
        ],
    }
    print("metadata on wcxb-dev (right / pages with a gold value): newsdex | trafilatura alone")
    print(f"{'set':<24} {'title':>22} {'date (same day)':>22} {'author':>22}")
    for name, rows in groups.items():
        cells = []
        for field, gkey, same in (
            ("title", "title", lambda x, g: norm_title(x) == norm_title(g)),
            ("date", "publish_date", lambda x, g: (x or "")[:10] == g),
            ("authors", "author", lambda x, g: norm_authors(x) == norm_authors(g)),
        ):
            judged = [r for r in rows if gold[(r["set"], r["id"])].get(gkey)]
            ours = sum(same(r["ours"].get(field), gold[(r["set"], r["id"])][gkey]) for r in judged)
            theirs = sum(same(r["theirs"].get(field), gold[(r["set"], r["id"])][gkey]) for r in judged)
            cells.append(f"{ours:>4} | {theirs:>4} of {len(judged):<4}")
        print(f"{name:<24} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22}")

    cut = [r for r in results if r["ours"].get("cut")]
    truth_lost = 0
    for r in cut:
        truth = base / r["set"] / "truth" / f"{r['id']}.txt"
        text = " ".join(truth.read_text(encoding="utf-8").split()) if truth.exists() else ""
        truth_lost += sum(1 for line in r["ours"]["cut"] if text and line[:60] in text)
    print(
        f"\npages cut at the next story: {len(cut)}; cut lines {sum(len(r['ours']['cut']) for r in cut)}, of which "
        f"in the page's true text (wrongly cut): {truth_lost}"
    )
    for r in cut:
        print(f"    {r['set']}/{r['id'][:36]} {r['ours']['reason']!s:.90}")
    print("\npages kept out of default search (kind listing/other)")
    arts = [r for r in results if r["set"] in ("wcxb-dev", "scrapinghub")]
    teval = [r for r in results if r["set"] == "trafilatura-eval"]
    nons = [r for r in teval if non_article_url(r["url"])]
    for name, rows, want in (("articles, wrongly", arts, False), ("non-articles (URL rule)", nons, True)):
        for h in ("fitted", "held out"):
            sub = [r for r in rows if half(r["id"]) == h]
            out = [r for r in sub if r["ours"]["kind"] != "article"]
            share = len(out) / len(sub) if sub else 0.0
            print(f"  {name:<24} {h:<9} {len(out):>4} of {len(sub):<4} ({share:.1%})")
        for r in rows:
            if (r["ours"]["kind"] != "article") != want or want:
                print(
                    f"    {'kept out' if r['ours']['kind'] != 'article' else 'missed'}: {r['set']}/{r['id'][:36]} "
                    f"{r['ours']['kind']} {r['ours']['reason']!s:.60} {r['url']!s:.80}"
                )
    rest = [r for r in teval if r not in nons and r["ours"]["kind"] != "article"]
    print(
        f"  trafilatura-eval, other pages kept out: {len(rest)} of {len(teval) - len(nons)} (unlabelled: judge by "
        "reading them)"
    )
    for r in rest:
        print(f"    {r['id'][:36]} {r['ours']['kind']} {r['ours']['reason']!s:.60} {r['url']!s:.80}")
    errors = [r for r in results if "error" in r["ours"]]
    for r in errors:
        print(f"  error {r['set']}/{r['id']}: {r['ours']['error']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
