"""Benchmark corpus: N realistic news inputs built from the shared pages and the seeds, deterministic by seed.

Each document is a slice of a real article (the shared extraction sets' ``truth/`` texts, or a seed), ~4–5 KB,
with boilerplate mixed in the way pages carry it: site chrome taken from the same site's scraped page (lines
of ``scraped/`` that are not in ``truth/``), navigation, cookie notices, ad markers, share widgets, captioned
photos with credits, app/newsletter promos, related links, source links, view counters and comment forms.
About 85% are ``.txt``, the rest HTML (some gzipped). Document ``i`` depends only on (seed, i), so a 1k
corpus is the first 1k documents of a 50k one. ``.corpus.jsonl`` next to the files says, per document, which
article it came from and whether it carries the rare widget line (~1% of documents: a rule change aimed at
that line touches about 1% of the corpus).

The article source is a folder of extraction sets (default ``../shared/data/extraction``, outside the repository;
the tests pass their small copy, ``tests/data/articles``). A source folder that is missing or holds no articles
is an error, never a silent fall-back to the seeds; ``extraction=None`` asks for the seeds only.

    python -m tools.corpus OUT --n 5000 --seed 0 [--extraction FOLDER]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from tools import boilerplate as bp

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EXTRACTION = REPO.parent / "shared" / "data" / "extraction"
DEFAULT_SEEDS = REPO / "seeds"
HTML_SHARE = 0.15  # of documents rendered as HTML
GZIP_SHARE = 0.2  # of HTML documents written as .html.gz
RARE_SHARE = 0.01


@dataclass(frozen=True)
class Article:
    key: str  # dataset/id
    site: str  # domain
    url: str
    title: str
    paragraphs: tuple[str, ...]
    chrome: tuple[str, ...]  # the site's own non-article lines (from its scraped page)


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or "example.com"
    return host.removeprefix("www.")


def _html_title(path: Path) -> str | None:
    try:
        head = gzip.decompress(path.read_bytes())[:200_000].decode("utf-8", "replace")
    except (OSError, EOFError):
        return None
    m = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
    return html.unescape(" ".join(m.group(1).split())) if m else None


def _strip_site(title: str) -> str:
    # "Headline - WSJ", "Headline | Site": keep the headline
    return re.split(r"\s+[-|–—]\s+(?=[^-|–—]{2,40}$)", title)[0].strip()


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text) if len(p.strip()) > 1]


def _load_dataset(folder: Path) -> list[Article]:
    out = []
    meta_file = folder / "meta.jsonl"
    if not meta_file.exists():
        return out
    for line in meta_file.read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        truth = folder / "truth" / f"{meta['id']}.txt"
        if not truth.exists():
            continue
        paras = _paragraphs(truth.read_text(encoding="utf-8", errors="replace"))
        if sum(len(p) for p in paras) < 1200:
            continue
        scraped = folder / "scraped" / f"{meta['id']}.txt"
        kept = set(paras)
        chrome: list[str] = []
        first = ""
        if scraped.exists():
            lines = [" ".join(x.split()) for x in scraped.read_text(encoding="utf-8", errors="replace").splitlines()]
            first = next((x for x in lines if x), "")
            body = "\n".join(paras)
            # Only lines that are nowhere in the article: list items and headings must not pose as chrome.
            chrome = list(dict.fromkeys(x for x in lines if 2 <= len(x) <= 80 and x not in kept
                                        and x.lstrip("-•* ") not in body))[:60]
        title = meta.get("title") or _html_title(folder / "html" / f"{meta['id']}.html.gz") or first
        url = meta.get("url") or f"https://{folder.name}.example/{meta['id']}"
        out.append(Article(f"{folder.name}/{meta['id']}", _domain(url), url, _strip_site(title) or paras[0][:80],
                           tuple(paras), tuple(chrome)))
    return out


def _load_seeds(folder: Path) -> list[Article]:
    out = []
    for path in sorted(folder.glob("*.txt")):
        lines = _paragraphs(path.read_text(encoding="utf-8", errors="replace"))
        paras = [x for x in lines if len(x) > 120]
        title = next((x for x in lines if 20 <= len(x) <= 150 and not x.startswith("Last news")), path.stem)
        out.append(Article(f"seeds/{path.stem}", "fakti.bg", f"https://fakti.bg/en/{path.stem}", title,
                           tuple(paras), ()))
    return out


@lru_cache(maxsize=4)
def load_pool(extraction: Path | None = DEFAULT_EXTRACTION, seeds: Path = DEFAULT_SEEDS) -> tuple[Article, ...]:
    """The articles of every set under ``extraction`` plus the seeds; ``extraction=None``: the seeds only."""
    pool = []
    if extraction is not None:
        if not extraction.is_dir():
            raise FileNotFoundError(f"corpus source folder {extraction} does not exist (the default is the shared "
                                    "data next to the repository): pass another with extraction=... or --extraction")
        pool = [a for d in sorted(extraction.glob("*")) if d.is_dir() for a in _load_dataset(d)]
        if not pool:
            raise FileNotFoundError(f"no articles under {extraction}: expected set folders with meta.jsonl and truth/")
    pool += _load_seeds(seeds) if seeds.is_dir() else []
    if not pool:
        raise FileNotFoundError(f"no articles under {extraction} or {seeds}")
    return tuple(pool)


def _body(rng: random.Random, art: Article, pool: tuple[Article, ...], budget: int) -> list[str]:
    """Consecutive paragraphs from a random point of the article, continuing in another one if it is short."""
    paras: list[str] = []
    size = 0
    source = art
    start = rng.randrange(max(1, len(art.paragraphs) // 2))
    while size < budget:
        for p in source.paragraphs[start:]:
            paras.append(p)
            size += len(p) + 2
            if size >= budget:
                break
        source, start = rng.choice(pool), 0
    return paras


def _items(rng: random.Random, art: Article, pool: tuple[Article, ...]) -> list[tuple[str, str]]:
    """(role, text) items of one page: roles say what a renderer should make of them (and what is boilerplate)."""
    related = [rng.choice(pool).title for _ in range(rng.randint(2, 4))]
    head = bp.header(rng, art.site, art.title, list(art.chrome))
    items = [("title" if x == art.title else "chrome", x) for x in head]
    if rng.random() < RARE_SHARE:
        items.append(("rare", bp.RARE.format(m=rng.randint(2, 9))))
    body = _body(rng, art, pool, rng.randint(3300, 4200))
    for n, para in enumerate(body):
        is_heading = len(para) < 80 and not para.endswith((".", "!", "?", '"', "”", ":"))
        items.append(("heading" if is_heading else "para", para))
        if 0 < n < len(body) - 1 and not is_heading:
            for extra in bp.interstitial(rng, para):
                if extra == "placeholder-related":
                    items.append(("related", rng.choice(pool).title))
                else:
                    items.append(("caption" if _is_caption(extra) else "boiler", extra))
    items += [("related" if x in related else "boiler", x) for x in bp.footer(rng, art.site, related, list(art.chrome))]
    return items


def _is_caption(line: str) -> bool:
    return any(a in line for a in bp.AGENCIES)


def render_text(items: list[tuple[str, str]], rng: random.Random) -> str:
    sep = "\n\n" if rng.random() < 0.7 else "\n"
    return sep.join(text for _, text in items) + "\n"


_CLASSES = {"boiler": "widget", "chrome": "site-header"}
_TAGS = {"heading": "h2", "para": "p", "boiler": "div", "related": "li", "chrome": "div", "rare": "div"}


def render_html(items: list[tuple[str, str]], art: Article, url: str) -> str:
    esc = html.escape
    head = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(art.title)} | {esc(art.site)}'
            f'</title>\n<link rel="canonical" href="{esc(url)}">'
            f'<meta property="og:site_name" content="{esc(art.site)}">'
            '</head>\n<body>\n<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business'
            '</a></nav></header>\n<main><article>\n')
    out = [head]
    for role, text in items:
        if role == "title":
            out.append(f"<h1>{esc(text)}</h1>\n")
        elif role == "caption":
            out.append(f'<figure><img src="/img/photo.jpg" alt=""><figcaption>{esc(text)}</figcaption></figure>\n')
        elif role == "related":
            out.append(f'<aside class="related"><a href="/story/{zlib.crc32(text.encode())}">{esc(text)}</a></aside>\n')
        else:
            tag = _TAGS.get(role, "div")
            cls = "" if role in ("para", "heading") else f' class="{_CLASSES.get(role, role)}"'
            out.append(f"<{tag}{cls}>{esc(text)}</{tag}>\n")
    out.append("</article></main>\n<footer><p>&copy; " + esc(art.site) + "</p></footer>\n</body></html>\n")
    return "".join(out)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "article"


def make_document(i: int, seed: int, pool: tuple[Article, ...]) -> tuple[str, bytes, dict]:
    """Document ``i``: (relative path, bytes, sidecar record). Depends only on (seed, i) and the pool."""
    rng = random.Random(f"newsdex-corpus:{seed}:{i}")
    art = pool[rng.randrange(len(pool))]
    items = _items(rng, art, pool)
    stem = f"{i // 1000:03d}/{i:06d}-{_slug(art.title)}"
    record = {"i": i, "article": art.key, "site": art.site, "rare": any(r == "rare" for r, _ in items)}
    if rng.random() < HTML_SHARE:
        url = f"https://{art.site}/news/{i}-{_slug(art.title)}"
        data = render_html(items, art, url).encode()
        if rng.random() < GZIP_SHARE:
            return f"{stem}.html.gz", gzip.compress(data, mtime=0), {**record, "kind": "html.gz"}
        return f"{stem}.html", data, {**record, "kind": "html"}
    return f"{stem}.txt", render_text(items, rng).encode(), {**record, "kind": "txt"}


def generate_corpus(out_dir: Path, n: int, seed: int = 0, extraction: Path | None = DEFAULT_EXTRACTION,
                    seeds: Path | None = None) -> list[Path]:
    """Write N documents under ``out_dir`` (folders of 1,000) plus ``.corpus.jsonl``; returns the file paths.

    Articles come from the sets under ``extraction`` (an error if it is missing) and the seeds; ``extraction=None``
    uses the seeds only."""
    pool = load_pool(None if extraction is None else Path(extraction), Path(seeds or DEFAULT_SEEDS))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    # Hidden, so that `newsdex ingest` of the folder (which reads JSON Lines feeds) skips it.
    with open(out_dir / ".corpus.jsonl", "w", encoding="utf-8") as sidecar:
        for i in range(n):
            rel, data, record = make_document(i, seed, pool)
            path = out_dir / rel
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
            sidecar.write(json.dumps({"path": rel, **record}) + "\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--n", type=int, default=5000, help="documents (default 5000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extraction", type=Path, default=DEFAULT_EXTRACTION,
                    help="shared extraction sets (folders with meta.jsonl, truth/, scraped/, html/)")
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed articles folder")
    args = ap.parse_args(argv)
    try:
        paths = generate_corpus(args.out, args.n, args.seed, args.extraction, args.seeds)
    except FileNotFoundError as e:
        ap.error(str(e))
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} documents, {size / 1e6:.1f} MB, in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
