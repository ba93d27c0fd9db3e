"""Benchmark corpus: N realistic news inputs built from the shared pages and the seeds, deterministic by seed.

Each document is a slice of a real article (the shared extraction sets' ``truth/`` texts, or a seed), ~4–5 KB,
with boilerplate mixed in the way pages carry it: site chrome taken from the same site's scraped page (lines
of ``scraped/`` that are not in ``truth/``), navigation, cookie notices, ad markers, share widgets, captioned
photos with credits, app/newsletter promos, related links, source links, view counters and comment forms.
About 85% are ``.txt``, the rest HTML (some gzipped). Document ``i`` depends only on (seed, i), so a 1k
corpus is the first 1k documents of a 50k one. ``.corpus.jsonl`` next to the files says, per document, which
article it came from and whether it carries the rare widget line (~1% of documents: a rule change aimed at
that line touches about 1% of the corpus).

Syndicated copies (``--copies FRACTION``, default 0: the corpus is then byte for byte what it was before the
option existed): that share of documents re-publishes an earlier document ``j < i`` of the same corpus, chosen
from (seed, i) alone, so the prefix property holds. Half are "exact" copies (the same title and article text
under another site's boilerplate and URL), half "near" copies (a new headline, the last 1–2 paragraphs cut, an
editor's line added, quotes and dashes swapped, paragraphs reflowed). ``copy_of`` always names an original
(never a copy); with copies on, every sidecar record carries ``copy_of`` (index or null) and ``copy_kind``.

The article source is a folder of extraction sets (default ``../shared/data/extraction``, outside the repository;
the tests pass their small copy, ``tests/data/articles``). A source folder that is missing or holds no articles
is an error, never a silent fall-back to the seeds; ``extraction=None`` asks for the seeds only.

    python -m tools.corpus OUT --n 5000 --seed 0 [--extraction FOLDER] [--copies 0.3]
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
EXACT_SHARE = 0.5  # of copies that are exact (the rest are near copies)
RECENT_SHARE = 0.5  # of copies whose original is among the RECENT documents before them (the rest: any earlier)
RECENT = 50


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
            chrome = list(
                dict.fromkeys(x for x in lines if 2 <= len(x) <= 80 and x not in kept and x.lstrip("-•* ") not in body)
            )[:60]
        title = meta.get("title") or _html_title(folder / "html" / f"{meta['id']}.html.gz") or first
        url = meta.get("url") or f"https://{folder.name}.example/{meta['id']}"
        out.append(
            Article(
                f"{folder.name}/{meta['id']}",
                _domain(url),
                url,
                _strip_site(title) or paras[0][:80],
                tuple(paras),
                tuple(chrome),
            )
        )
    return out


def _load_seeds(folder: Path) -> list[Article]:
    out = []
    for path in sorted(folder.glob("*.txt")):
        lines = _paragraphs(path.read_text(encoding="utf-8", errors="replace"))
        paras = [x for x in lines if len(x) > 120]
        title = next((x for x in lines if 20 <= len(x) <= 150 and not x.startswith("Last news")), path.stem)
        out.append(
            Article(f"seeds/{path.stem}", "fakti.bg", f"https://fakti.bg/en/{path.stem}", title, tuple(paras), ())
        )
    return out


@lru_cache(maxsize=4)
def load_pool(extraction: Path | None = DEFAULT_EXTRACTION, seeds: Path = DEFAULT_SEEDS) -> tuple[Article, ...]:
    """The articles of every set under ``extraction`` plus the seeds; ``extraction=None``: the seeds only."""
    pool = []
    if extraction is not None:
        if not extraction.is_dir():
            raise FileNotFoundError(
                f"corpus source folder {extraction} does not exist (the default is the shared "
                "data next to the repository): pass another with extraction=... or --extraction"
            )
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


@dataclass(frozen=True)
class Content:
    """The article part of a page: what survives cleaning, re-rendered with other boilerplate by a copy."""

    title: str
    body: tuple[str, ...]


def _items(
    rng: random.Random, art: Article, pool: tuple[Article, ...], content: Content | None = None
) -> list[tuple[str, str]]:
    """(role, text) items of one page: roles say what a renderer should make of them (and what is boilerplate).

    ``art`` gives the site and its chrome; the title and body are ``content``'s when given (a copy), else drawn
    from ``art`` (an original: the rng calls are then exactly those the corpus always made)."""
    title = art.title if content is None else content.title
    related = [rng.choice(pool).title for _ in range(rng.randint(2, 4))]
    head = bp.header(rng, art.site, title, list(art.chrome))
    items = [("title" if x == title else "chrome", x) for x in head]
    if rng.random() < RARE_SHARE:
        items.append(("rare", bp.RARE.format(m=rng.randint(2, 9))))
    body = _body(rng, art, pool, rng.randint(3300, 4200)) if content is None else list(content.body)
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


def render_html(items: list[tuple[str, str]], art: Article, url: str, title: str | None = None) -> str:
    esc = html.escape
    title = art.title if title is None else title
    head = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)} | {esc(art.site)}'
        f'</title>\n<link rel="canonical" href="{esc(url)}">'
        f'<meta property="og:site_name" content="{esc(art.site)}">'
        '</head>\n<body>\n<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business'
        "</a></nav></header>\n<main><article>\n"
    )
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


def _copy_draw(i: int, seed: int) -> tuple[float, int, str]:
    """(roll, candidate original, kind) of document ``i``, from (seed, i) alone on an rng of its own, so the
    documents' own rng streams (and a corpus without copies) are untouched. ``i`` is a copy iff roll < fraction."""
    rng = random.Random(f"newsdex-corpus-copy:{seed}:{i}")
    roll, recent, pick, kind = rng.random(), rng.random(), rng.random(), rng.random()
    lo = max(0, i - RECENT) if recent < RECENT_SHARE else 0
    return roll, lo + int(pick * (i - lo)), "exact" if kind < EXACT_SHARE else "near"


def copy_plan(i: int, seed: int, copies: float) -> tuple[int, str] | None:
    """None if document ``i`` is an original, else (original j < i, "exact"|"near"). A candidate that is itself a
    copy is followed to its original, so ``j`` is always an original document."""
    roll, j, kind = _copy_draw(i, seed)
    if i == 0 or roll >= copies:
        return None
    while True:
        roll_j, up, _ = _copy_draw(j, seed)
        if j == 0 or roll_j >= copies:
            return j, kind
        j = up


def _original(i: int, seed: int, pool: tuple[Article, ...]) -> tuple[random.Random, Article, list[tuple[str, str]]]:
    rng = random.Random(f"newsdex-corpus:{seed}:{i}")
    art = pool[rng.randrange(len(pool))]
    return rng, art, _items(rng, art, pool)


def original_content(i: int, seed: int, pool: tuple[Article, ...]) -> tuple[Article, Content]:
    """The article (title, body paragraphs in order) of original document ``i``, recomputed from (seed, i)."""
    _, art, items = _original(i, seed, pool)
    return art, Content(art.title, tuple(t for r, t in items if r in ("para", "heading")))


_EDITORS = [
    "Reporting by {a}; editing by {b}",
    "(Reporting by {a}; additional reporting by {c}; editing by {b})",
    "Writing by {a}; editing by {b} and {c}",
    "Reporting by {a} in {place}; editing by {b}",
    "(Additional reporting by {c}; Editing by {b})",
]
_PLACES = ["London", "Washington", "Brussels", "Singapore", "New York", "Berlin", "Paris", "Tokyo"]
_HEADLINES = ["UPDATE {n}-{title}", "{title}, sources say", "{title}: what we know", "{lead}"]
_SWAP = re.compile(r"\s*[–—]\s*|\s-\s|(?<=\d)-(?=\d)|[“”\"]|[‘’']")


def _swap_marks(text: str, dash: str) -> str:
    """Straight ↔ curly quotes and hyphen ↔ en/em dash, both ways in one pass (a different house style)."""

    def one(m: re.Match) -> str:
        x, before = m.group(), text[m.start() - 1] if m.start() else " "
        opening = before.isspace() or before in "([{—–"
        if x in "“”":
            return '"'
        if x in "‘’":
            return "'"
        if x == '"':
            return "“" if opening else "”"
        if x == "'":
            return "‘" if opening else "’"
        if x == "-":  # a numeric range
            return "–"
        if x.strip() == "-":  # a spaced hyphen
            return f" {dash} "
        if x in "–—" and before.isdigit() and text[m.end() : m.end() + 1].isdigit():
            return "-"  # a numeric range
        return " - "  # an en or em dash, spaced or not

    return _SWAP.sub(one, text)


def _reflow(rng: random.Random, paras: list[str]) -> list[str]:
    """Split some long paragraphs at a sentence end near their middle and join some short neighbours."""
    out: list[str] = []
    for p in paras:
        if len(p) > 350 and rng.random() < 0.5:
            cuts = [m.end() for m in re.finditer(r"[.!?][”\"’]?\s+(?=[A-Z“\"])", p)]
            if cuts:
                cut = min(cuts, key=lambda c: abs(c - len(p) / 2))
                out += [p[:cut].rstrip(), p[cut:]]
                continue
        if out and len(p) < 220 and len(out[-1]) < 220 and out[-1].endswith((".", "!", "?")) and rng.random() < 0.5:
            out[-1] = f"{out[-1]} {p}"
            continue
        out.append(p)
    return out


def _near(rng: random.Random, content: Content) -> Content:
    """The same story as another desk runs it: new headline, shorter, an editor's line, other marks, reflowed."""
    body = list(content.body)
    cut = min(rng.randint(1, 2), max(0, len(body) - 3))
    body = body[: len(body) - cut]
    lead = next((p for p in body if len(p) > 80), body[0])
    words = re.split(r"(?<=[.!?])\s", lead)[0].split()
    short = " ".join(words[: rng.randint(8, 13)]).rstrip(" ,;:.") if len(words) > 5 else content.title
    title = rng.choice(_HEADLINES).format(n=rng.randint(1, 3), title=content.title, lead=short)
    dash = rng.choice("–—")
    body = [_swap_marks(p, dash) for p in _reflow(rng, body)]
    a, b, c = rng.sample(bp.NAMES, 3)
    body.append(rng.choice(_EDITORS).format(a=a, b=b, c=c, place=rng.choice(_PLACES)))
    return Content(_swap_marks(title, dash), tuple(body))


def make_document(i: int, seed: int, pool: tuple[Article, ...], copies: float = 0.0) -> tuple[str, bytes, dict]:
    """Document ``i``: (relative path, bytes, sidecar record). Depends only on (seed, i), ``copies`` and the pool.

    With ``copies`` > 0 the record also says ``copy_of`` (the original's index, or None) and ``copy_kind``."""
    plan = copy_plan(i, seed, copies) if copies > 0 else None
    if plan is None:
        rng, art, items = _original(i, seed, pool)
        title, record = art.title, {"i": i, "article": art.key, "site": art.site}
    else:
        j, kind = plan
        source, content = original_content(j, seed, pool)
        rng = random.Random(f"newsdex-corpus:{seed}:{i}")
        art = pool[rng.randrange(len(pool))]  # the re-publishing site: its chrome, name and URL
        for _ in range(8):
            if art.site != source.site:
                break
            art = pool[rng.randrange(len(pool))]
        if kind == "near":
            content = _near(rng, content)
        items = _items(rng, art, pool, content)
        title, record = content.title, {"i": i, "article": source.key, "site": art.site}
    record["rare"] = any(r == "rare" for r, _ in items)
    if copies > 0:
        record |= {"copy_of": None, "copy_kind": None} if plan is None else {"copy_of": plan[0], "copy_kind": plan[1]}
    stem = f"{i // 1000:03d}/{i:06d}-{_slug(title)}"
    if rng.random() < HTML_SHARE:
        url = f"https://{art.site}/news/{i}-{_slug(title)}"
        data = render_html(items, art, url, title).encode()
        if rng.random() < GZIP_SHARE:
            return f"{stem}.html.gz", gzip.compress(data, mtime=0), {**record, "kind": "html.gz"}
        return f"{stem}.html", data, {**record, "kind": "html"}
    return f"{stem}.txt", render_text(items, rng).encode(), {**record, "kind": "txt"}


def generate_corpus(
    out_dir: Path,
    n: int,
    seed: int = 0,
    extraction: Path | None = DEFAULT_EXTRACTION,
    seeds: Path | None = None,
    copies: float = 0.0,
) -> list[Path]:
    """Write N documents under ``out_dir`` (folders of 1,000) plus ``.corpus.jsonl``; returns the file paths.

    Articles come from the sets under ``extraction`` (an error if it is missing) and the seeds; ``extraction=None``
    uses the seeds only. ``copies``: the share of documents that are syndicated copies of earlier ones (0: none,
    and the output is exactly that of the generator before copies existed)."""
    if not 0.0 <= copies <= 1.0:
        raise ValueError(f"copies must be a fraction between 0 and 1, not {copies}")
    pool = load_pool(None if extraction is None else Path(extraction), Path(seeds or DEFAULT_SEEDS))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    # Hidden, so that `newsdex ingest` of the folder (which reads JSON Lines feeds) skips it.
    with open(out_dir / ".corpus.jsonl", "w", encoding="utf-8") as sidecar:
        for i in range(n):
            rel, data, record = make_document(i, seed, pool, copies)
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
    ap.add_argument(
        "--extraction",
        type=Path,
        default=DEFAULT_EXTRACTION,
        help="shared extraction sets (folders with meta.jsonl, truth/, scraped/, html/)",
    )
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed articles folder")
    ap.add_argument(
        "--copies",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="share of documents that are syndicated copies (exact or near) of earlier ones (default 0)",
    )
    args = ap.parse_args(argv)
    if not 0.0 <= args.copies <= 1.0:
        ap.error("--copies must be a fraction between 0 and 1")
    try:
        paths = generate_corpus(args.out, args.n, args.seed, args.extraction, args.seeds, copies=args.copies)
    except FileNotFoundError as e:
        ap.error(str(e))
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} documents, {size / 1e6:.1f} MB, in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
