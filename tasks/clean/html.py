"""The HTML path: selector pre-pass, trafilatura for main text and metadata, a fallback, then the line rules.

The pre-pass drops blocks matched by the rules file's ``[[html.drop]]`` CSS selectors (share bars, ads,
related links, comment forms, newsletter boxes, cookie banners) on the lxml tree that trafilatura then reads,
so the page is parsed once. A selector never drops a block holding a large share of the page's text: class
names such as "has-share-buttons" on an article container must not take the article with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from newsdex.models import CleanDoc, RawDoc
from newsdex.tasks.clean.choice import Evidence, choose, evidence
from newsdex.tasks.clean.decide import assemble, clean_lines, domain_of
from newsdex.tasks.clean.flatten import naive_text
from newsdex.tasks.clean.line_model import line_scorer
from newsdex.tasks.clean.lines import split_lines, word_count
from newsdex.tasks.clean.metadata.fuse import PageMeta
from newsdex.tasks.clean.metadata.kind import Page, classify, next_story
from newsdex.tasks.clean.metadata.merge import reference_day
from newsdex.tasks.clean.metadata.page import PageRead, page_meta, read, trafilatura_fields
from newsdex.tasks.clean.parse import load_tree, naming_input
from newsdex.tasks.clean.rescue import doubtful, readability_blocks
from newsdex.tasks.clean.rules import Rules

_PROTECTED = frozenset(("html", "body", "main", "article"))


_SIMPLE = re.compile(
    r'^(?:\.(?P<cls>[\w-]+)|#(?P<id>[\w-]+)|\[(?P<attr>class|id)(?P<op>[*^$]?=)["\']?(?P<val>[^"\'\]]+)["\']?\])$'
)


class DropPlan:
    """The rules' selectors compiled for one pass over the tree.

    Selectors on class and id (".x", "#x", "[class*=x]", "[id^=x]", "[class=x]"), the common case, become
    token lookups and substring tests per element (far cheaper than one XPath per selector); any other
    selector goes through cssselect's XPath. The first rule in file order that matches names the drop.
    """

    def __init__(self, drops: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        from cssselect import GenericTranslator, SelectorError
        from lxml import etree

        self.names = [name for name, _ in drops]
        # per attribute: exact tokens (class) or whole values (id), and (op, value, rule index) tests
        self.tokens: dict[str, dict[str, int]] = {"class": {}, "id": {}}
        self.tests: dict[str, list[tuple[str, str, int]]] = {"class": [], "id": []}
        self.xpaths: list[tuple[str, Any]] = []
        self._memo: dict[tuple[str, str], int | None] = {}  # (attribute, value) -> rule index
        for n, (name, sels) in enumerate(drops):
            for sel in sels:
                m = _SIMPLE.match(sel.strip())
                if m is None:
                    try:
                        self.xpaths.append((name, etree.XPath(GenericTranslator().css_to_xpath(sel))))
                    except SelectorError as exc:
                        raise ValueError(f"rules: [[html.drop]] {name!r}: bad selector {sel!r}: {exc}") from None
                elif m["cls"]:
                    self.tokens["class"].setdefault(m["cls"].lower(), n)
                elif m["id"]:
                    self.tokens["id"].setdefault(m["id"].lower(), n)
                elif m["op"] == "=":
                    self.tokens[m["attr"]].setdefault(m["val"].lower(), n)
                else:
                    self.tests[m["attr"]].append((m["op"], m["val"].lower(), n))

    def _rule(self, attr: str, value: str) -> int | None:
        value = value.lower()
        best: int | None = None
        toks = self.tokens[attr]
        if toks:
            for tok in value.split() if attr == "class" else (value,):
                n = toks.get(tok)
                if n is not None and (best is None or n < best):
                    best = n
        for op, val, n in self.tests[attr]:
            if (best is None or n < best) and (
                (op == "*=" and val in value)
                or (op == "^=" and value.startswith(val))
                or (op == "$=" and value.endswith(val))
            ):
                best = n
        return best

    def matches(self, tree: Any) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        # Only elements with a class or id (lxml builds no Python object for the others), and each distinct
        # value tested once: pages repeat the same few class names hundreds of times.
        memo = self._memo
        if len(memo) > 100_000:  # a long batch meets many site-specific names: keep memory bounded
            memo.clear()
        for el in tree.xpath("descendant-or-self::*[@class or @id]"):
            c, i = el.get("class"), el.get("id")
            n = None
            if c:
                n = memo.get(("class", c), -1)
                if n == -1:
                    n = memo[("class", c)] = self._rule("class", c)
            if n is None and i:
                n = memo.get(("id", i), -1)
                if n == -1:
                    n = memo[("id", i)] = self._rule("id", i)
            if n is not None:
                found.append((self.names[n], el))
        for name, xpath in self.xpaths:
            found.extend((name, el) for el in xpath(tree))
        return found


@lru_cache(maxsize=8)
def _plan(drops: tuple[tuple[str, tuple[str, ...]], ...]) -> DropPlan:
    return DropPlan(drops)


def _prose_paragraphs(el: Any, min_chars: int = 200) -> int:
    """Paragraphs long enough to be article prose: teaser and link blocks rarely hold any."""
    count = 0
    for p in el.iter("p"):
        if len(p.text_content()) >= min_chars:
            count += 1
            if count >= 2:
                break
    return count


def prepass(tree: Any, rules: Rules) -> tuple[list[tuple[str, str]], int]:
    """Drop blocks matched by the rules' selectors; return (rule, text) of what went, for the trace, and
    the number of words the page held before."""
    # Scripts and styles are never text (trafilatura drops them too); they would also swell the page's
    # text length that the container guard below compares against.
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    noscripts = tree.xpath("//noscript")
    if noscripts:
        whole = len(tree.text_content()) or 1
        for bad in noscripts:
            if len(bad.text_content()) > 0.5 * whole:
                # "<noscript><div></noscript>": the parser ignores the end tag while the div is open, and the
                # rest of the page lands inside the noscript: keep its content, lose only the tag.
                bad.drop_tag()
            else:
                bad.drop_tree()
    page_text = tree.text_content()
    key = tuple((d.name, tuple(d.selectors)) for d in rules.html.drop)
    if not key:
        return [], word_count(page_text)
    total = len(page_text) or 1
    dropped: list[tuple[str, str]] = []
    gone: set[Any] = set()
    for name, el in _plan(key).matches(tree):
        if el.tag in _PROTECTED or el.getparent() is None or any(a in gone for a in el.iterancestors()):
            continue
        text = " ".join(" ".join(el.itertext()).split())
        if len(text) > 500 and (len(text) > 0.25 * total or _prose_paragraphs(el) >= 2):
            continue  # a container of the article (long paragraphs), not a widget
        gone.add(el)
        el.drop_tree()
        if text:
            dropped.append((name, text[:200]))
    return dropped, word_count(page_text)


def page_metadata(tree: Any, url: str | None = None) -> dict[str, str | None]:
    """Title, author, date, site name and url from the page's markup (``tasks/clean/metadata``), without the
    main-text extraction: what ``rules suggest`` needs to name a page's site."""
    meta = page_meta(read(tree), {}, url, date.today())
    return {
        "title": meta.title,
        "author": ", ".join(meta.authors) or None,
        "date": meta.published,
        "sitename": meta.site if meta.site_source != "domain" else None,
        "url": meta.url,
    }


def _body_lines(body: Any) -> tuple[list[str], list[str]]:
    """trafilatura's XML body → lines with their structural role (heading, paragraph, caption)."""
    texts: list[str] = []
    roles: list[str] = []

    def add(el: Any, role: str) -> None:
        text = " ".join("".join(el.itertext()).split())
        if text:
            texts.append(text)
            roles.append(role)

    for el in body:
        tag = el.tag
        if tag == "head":
            add(el, "heading")
        elif tag == "list":
            for item in el.iter("item"):
                add(item, "paragraph")
        elif tag == "table":
            for row in el.iter("row"):
                add(row, "paragraph")
        elif tag in ("graphic",):
            continue
        else:
            add(el, "paragraph")
    return texts, roles


def clean_html(raw: RawDoc, rules: Rules) -> CleanDoc:
    """The page's kept text; a page that yields none comes back with no blocks (``empty.no_text`` says why)."""
    with naming_input(raw.path):
        return _clean_html(raw, rules)


@dataclass
class Candidates:
    """What both extractors made of one page, before the choice: the HTML path's inputs, also read by
    ``bench/cleaning_choice.py`` to judge choice rules without re-extracting."""

    tree: Any | None
    meta: PageMeta | None  # the page's metadata, every source fused (tasks/clean/metadata)
    dropped: list[tuple[str, str]]
    page_words: int
    trafilatura: tuple[list[str], list[str]]
    readability: tuple[list[str], list[str], float] | None  # texts, roles, link density; None: not asked
    teasers: int = 0  # teaser blocks on the page (a listing's mark)
    cart: int = 0  # buy buttons on the page (a product page's mark)

    def evidence(self, rules: Rules) -> Evidence:
        r_texts, _, r_links = self.readability or ([], [], 0.0)
        th = rules.thresholds
        scorer = line_scorer(rules) if th.choice_min_extra_model > 0 else None
        return evidence(self.trafilatura[0], r_texts, self.page_words, r_links, scorer, th.dense_min_words)


def _words(texts: list[str]) -> int:
    return sum(map(word_count, texts))


def extract_candidates(raw: RawDoc, rules: Rules, readability: bool | None = None) -> Candidates:
    """Parse, pre-pass, trafilatura; readability-lxml too when the configured choice needs it (``readability``
    forces it on or off)."""
    import trafilatura

    # trafilatura's loader, without lxml's depth limit (parse.load_tree): deeply nested pages keep their text.
    tree = load_tree(raw.text)
    # JSON-LD lives in <script>s, which the pre-pass drops: the page's metadata is read first.
    page: PageRead | None = read(tree) if tree is not None else None
    dropped, page_words = prepass(tree, rules) if tree is not None else ([], 0)
    # trafilatura's metadata (htmldate's dates among them) comes from the same extraction, not a second parse.
    doc = trafilatura.bare_extraction(
        tree if tree is not None else raw.text, url=raw.url, include_comments=False, with_metadata=True
    )
    meta = page_meta(page, trafilatura_fields(doc), raw.url, reference_day(raw, date.today()))
    texts: list[str] = []
    roles: list[str] = []
    body = getattr(doc, "body", None)  # trafilatura's Document (a dict only when asked for one)
    if body is not None:
        texts, roles = _body_lines(body)
    th = rules.thresholds
    if readability is None:
        words = _words(texts)
        if th.html_choice == "evidence":
            # readability's text is part of the page's: when the page does not hold choice_min_gain times
            # trafilatura's words, its answer cannot win, and it is not asked (a third to half of pages).
            readability = words < th.html_fallback_min_words or page_words >= th.choice_min_gain * words
        else:
            readability = th.html_choice == "readability" or (
                th.html_choice == "rescue"
                and words >= th.html_fallback_min_words
                and doubtful(words, page_words, th.html_rescue_max_share)
            )
    alt = readability_blocks(tree) if readability and tree is not None else None
    return Candidates(
        tree, meta, dropped, page_words, (texts, roles), alt, page.teasers if page else 0, page.cart if page else 0
    )


def choose_lines(cand: Candidates, rules: Rules) -> tuple[str, list[str], list[str]]:
    """Which extractor's lines the page keeps, under the configured choice: (name, texts, roles)."""
    th = rules.thresholds
    texts, roles = cand.trafilatura
    if cand.readability is None or th.html_choice == "trafilatura":
        return "trafilatura", texts, roles
    r_texts, r_roles, _ = cand.readability
    if th.html_choice == "readability":
        pick = "readability" if r_texts else "trafilatura"
    elif th.html_choice == "rescue":  # the former rule: a fixed share of the page, then a fixed gain
        words = _words(texts)
        pick = (
            "readability"
            if (
                words >= th.html_fallback_min_words
                and doubtful(words, cand.page_words, th.html_rescue_max_share)
                and _words(r_texts) >= th.html_rescue_min_gain * words
            )
            else "trafilatura"
        )
    else:
        pick = choose(cand.evidence(rules), th)
    return (pick, r_texts, r_roles) if pick == "readability" else ("trafilatura", texts, roles)


def finish(raw: RawDoc, rules: Rules, cand: Candidates, texts: list[str], roles: list[str] | None) -> CleanDoc:
    """The chosen lines through the line rules, or the text path when no extractor kept enough; then what kind
    of page it is (``tasks/clean/metadata/kind.py``)."""
    page = cand.meta
    title = page.title if page else None
    domain = domain_of(raw.url or (page.url if page else None)) or raw.source
    heads = page.story_heads if page else []
    cut: list[tuple[str, str]] = []
    if _words(texts) < rules.thresholds.html_fallback_min_words:
        # the extractors found too little: clean the page's flattened text with the text path instead; the
        # page's own title stays the headline ("Example Domain" is not site chrome).
        source = load_tree(raw.text) if cand.tree is not None else None
        texts = split_lines(naive_text(source)) if source is not None else split_lines(raw.text)
        roles = None
    # An infinite scroll appended the next story as its own <article> with its own <h1>: the page's story ends
    # there (any line of a whole page's text may be that headline; an extractor's, only a heading).
    at = next_story(Page(title, texts, roles or ["heading"] * len(texts), story_heads=heads))
    if at is not None:
        cut = [("next-story", t) for t in texts[at:]]
        texts = texts[:at]
        roles = roles[:at] if roles is not None else None
    lines, text_meta = clean_lines(texts, rules, domain, title_hint=title, roles=roles, statistical=roles is None)
    if text_meta.title is None:
        text_meta.title = title
    cleaned = assemble(raw, lines, text_meta, rules, page=page)
    # The pre-pass removals belong in the explanation too.
    from newsdex.models import LineDecision, Removed

    dropped = cand.dropped + cut
    cleaned.removed = [Removed(text=t, rule=r) for r, t in dropped] + cleaned.removed
    cleaned.trace = [LineDecision(text=t, kept=False, rule=r, role="removed") for r, t in dropped] + cleaned.trace
    kept = cleaned.blocks
    kind, reason = classify(
        Page(
            cleaned.title,
            [b.text for b in kept],
            [b.kind for b in kept],
            page.types if page else [],
            page.has_article_node if page else False,
            heads,
            cand.teasers,
            cand.cart,
        )
    )
    if cut and kind == "article":
        reason = f"cut at the next story: {cut[0][1][:80]!r}"
    cleaned.page_kind, cleaned.kind_reason = kind, reason  # type: ignore[assignment]
    return cleaned


def _clean_html(raw: RawDoc, rules: Rules) -> CleanDoc:
    cand = extract_candidates(raw, rules)
    _, texts, roles = choose_lines(cand, rules)
    return finish(raw, rules, cand, texts, roles)
