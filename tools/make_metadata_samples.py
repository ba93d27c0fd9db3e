"""Build tests/data/metadata/: a few real pages of the public extraction benchmarks, trimmed, for the metadata
and page-kind tests.

    python -m tools.make_metadata_samples ../shared/data/extraction

Trimming keeps what the metadata reads and what the text needs: ``<head>`` (its ``<meta>``, ``<title>``,
canonical link and JSON-LD scripts), the body's elements with their text, and drops other scripts, styles,
SVG, iframes, comments and the body past ``MAX_BODY`` characters of markup. The pages are listed in ``PAGES``
with what each shows; their texts are otherwise as published.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "metadata"
MAX_BODY = 60_000
# (set, id, what the test reads); "scraped": the page's scraped text is copied too (the text path's input)
PAGES: list[tuple[str, str, str]] = [
    ("wcxb-dev", "dev-0414", "a JSON-LD date and author; a site name after the title"),
    ("wcxb-dev", "dev-0394", "an @graph article whose author list holds a 'By …' name and a Facebook group"),
    ("wcxb-dev", "dev-0368", "a title with two site parts after it ('… | Cultivating Health | UC Davis Health')"),
    ("wcxb-dev", "dev-0395", "scraped: a dateline and a byline in the text"),
    ("wcxb-dev", "dev-0447", "scraped: no date in the text, one in the URL"),
    ("scrapinghub", "c13b9c0e04fb28d445d22e92bff6ab7f7800a429", "a story, then the next <article> with its own <h1>"),
]
# A client-rendered page as served before its script runs: the 9to5Mac page's own infinite-scroll template
# (its <script id="loop-template" type="x-tmpl-mustache">), placed as the page's body.
TEMPLATE_PAGE = ("scrapinghub", "cc4aa22b8212aec7d289667c0a965569e6f06b9e9196ff8b02219bf2bc1b90d0")


def trim(markup: str) -> str:
    tree = lxml_html.fromstring(markup)
    for el in tree.xpath(
        "//script[not(contains(@type,'ld+json'))]|//style|//noscript|//svg|//iframe|//link"
        "[not(@rel='canonical')]|//comment()"
    ):
        parent = el.getparent()
        if parent is None:
            continue
        if isinstance(el.tag, str):
            el.drop_tree()
        else:  # a comment: its tail text stays
            if el.tail:
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)
    for el in tree.iter():
        if isinstance(el.tag, str):
            for attr in ("style", "srcset", "data-src", "onclick"):
                el.attrib.pop(attr, None)
    text = etree.tostring(tree, encoding="unicode", method="html")
    head, sep, body = text.partition("<body")
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY]
        body = body[: body.rfind(">") + 1] + "</body></html>"
    return "<!DOCTYPE html>\n" + head + sep + body


def main(argv: list[str]) -> int:
    base = Path(argv[0]) if argv else Path("../shared/data/extraction")
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for dataset, pid, what in PAGES:
        meta = {json.loads(x)["id"]: json.loads(x) for x in (base / dataset / "meta.jsonl").read_text().splitlines()}
        pid = next(k for k in meta if k.startswith(pid))  # scrapinghub's ids are long: the list names a prefix
        row = meta[pid]
        markup = gzip.decompress((base / dataset / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        name = f"{dataset}-{pid[:12]}"
        (OUT / f"{name}.html").write_text(trim(markup), encoding="utf-8")
        scraped = base / dataset / "scraped" / f"{pid}.txt"
        if "scraped" in what and scraped.exists():
            (OUT / f"{name}.txt").write_text(scraped.read_text(encoding="utf-8")[:6000], encoding="utf-8")
        rows.append(
            {
                "file": name,
                "set": dataset,
                "id": pid,
                "url": row.get("url"),
                "what": what,
                **{k: row.get(k) for k in ("title", "author", "publish_date") if k in row},
            }
        )
    dataset, pid = TEMPLATE_PAGE
    markup = gzip.decompress((base / dataset / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
    tree = lxml_html.fromstring(markup)
    template = tree.xpath("//script[@id='loop-template']")[0].text
    head = etree.tostring(tree.find("head"), encoding="unicode", method="html")
    page = f"<html>{head}<body>{template}</body></html>"
    (OUT / f"{dataset}-template.html").write_text(trim(page), encoding="utf-8")
    url = json.loads(next(x for x in (base / dataset / "meta.jsonl").read_text().splitlines() if pid in x))["url"]
    rows.append(
        {
            "file": f"{dataset}-template",
            "set": dataset,
            "id": pid,
            "url": url,
            "what": "the page's own mustache template (its loop-template script) as the body: unrendered",
        }
    )
    (OUT / "pages.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
