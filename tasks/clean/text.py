"""The text path: decide every line of flattened article text (rules, then structure, then statistics).

Order matters and is part of the contract shown by ``--explain``:
1. ``[[line]]`` rules from the rules file (first match wins), keyboard junk;
2. the headline (title), and what precedes it in the header (site chrome, or everything before the headline's
   return when teaser cards precede it: ``headline-anchor``);
3. structural rules: image alt text, lead captions, comment threads, listings of records after the article
   (``newsdex.tasks.clean.records``), teaser/link runs, subheadings, attributions;
4. statistical evidence for the lines nobody claimed: the learned line model when it is shipped, else the
   position relative to the longest dense block;
5. a second copy of the article's paragraphs (``repeated-line``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from newsdex.tasks.clean import budget
from newsdex.tasks.clean.lines import Line, is_dense, is_headline_like, is_keyboard_junk, parse_date
from newsdex.tasks.clean.records import apply_record_list
from newsdex.tasks.clean.rules import Rules, normalise
from newsdex.tasks.clean.safe_regex import Pattern, joined

_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·•-]{1,2}\s+")


@dataclass
class TextMeta:
    title: str | None = None
    byline: str | None = None
    published: str | None = None


def strip_site_suffix(title: str) -> str:
    """'Headline - Site Name' → 'Headline' when the tail is short (a site name, not half a headline)."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    head = title[: title.rfind(parts[-1])].rstrip(" |–—:·•-")
    if len(parts[-1].split()) <= 5 and len(head.split()) >= 3:
        return head
    return title


def apply_line_rules(lines: list[Line], rules: Rules, domain: str | None, first_dense: int, last_dense: int) -> None:
    th = rules.thresholds
    header_end = min(first_dense, rules.zones.header_max_lines) if first_dense >= 0 else rules.zones.header_max_lines
    junk_on = rules.rule_enabled("keyboard-junk", domain)
    zones = [
        "header" if i < header_end else "footer" if last_dense >= 0 and i > last_dense else "body"
        for i in range(len(lines))
    ]
    found = rules.matcher(domain).match_page(
        [ln.text for ln in lines], [ln.norm for ln in lines], [ln.words for ln in lines], zones
    )
    for ln, rule in zip(lines, found, strict=True):
        if rule is not None:
            if rule.action == "remove":
                ln.decide(False, rule.name, "removed")
            elif rule.action == "caption":
                ln.decide(True, rule.name, "caption")
            else:
                ln.decide(False, rule.name, "meta")
        if ln.open and junk_on and is_keyboard_junk(ln, th.junk_min_length, th.junk_max_distinct_letters):
            ln.decide(False, "keyboard-junk", "removed")


def find_title(
    lines: list[Line], rules: Rules, first_dense: int, title_hint: str | None, domain: str | None = None
) -> str | None:
    """Mark the headline (role title) and the site chrome above it; return the headline text."""
    th = rules.thresholds
    limit = min(len(lines), rules.zones.header_max_lines)
    if first_dense >= 0:
        limit = min(limit, first_dense)
    title: str | None = title_hint
    at = -1
    if title is None:
        for i in range(limit):
            ln = lines[i]
            if ln.open and th.title_min_words <= ln.words <= th.title_max_words and not ln.text.endswith((".", ":")):
                title, at = strip_site_suffix(ln.text), i
                ln.decide(True, "headline", "title")
                break
        if at < 0:
            return None
        for ln in lines[:at]:
            if ln.open:
                ln.decide(False, "site-chrome", "removed")
    # The headline often appears twice (the page <title> and the <h1>): the repeat is not body text.
    assert title is not None  # the hint, or the line found above (else: returned)
    tnorm = normalise(title)
    repeated = False
    for i in range(at + 1, limit):
        ln = lines[i]
        if ln.open and ln.norm and (ln.norm == tnorm or (len(ln.norm) > 20 and tnorm.startswith(ln.norm))):
            ln.decide(False, "title-repeat", "title")
            repeated = True
    if at >= 0 and not repeated and rules.rule_enabled("headline-anchor", domain):
        anchor_headline(lines, rules, at, max(limit, at + 1), tnorm)
    return title


def anchor_headline(lines: list[Line], rules: Rules, at: int, start: int, tnorm: str) -> None:
    """The page <title> first, then menus and teasers that read like prose, then the <h1> again and the
    article: when the headline recurs further down with prose right after it, the article starts there, and
    the open lines between the two are header chrome ("before-headline")."""
    opts = rules.structure.get("headline-anchor", {})
    if not opts or len(tnorm.split()) < int(opts.get("min_words", 4)):
        return
    within = int(opts.get("prose_within", 6))
    min_words = rules.thresholds.dense_min_words
    # The open lines after each repeat are looked up, not rescanned: a page repeating its headline thousands of
    # times stays linear (it was quadratic: minutes on a few MB of hostile text, with no budget check inside).
    open_at = [j for j, ln in enumerate(lines) if ln.open]
    for i in range(start, len(lines)):
        if lines[i].norm != tnorm or not lines[i].open:
            continue
        k = bisect_right(open_at, i)
        following = [lines[j] for j in open_at[k : k + within]]
        if not any(is_dense(ln, min_words) for ln in following):
            continue  # the headline again in a "most read" list at the foot of the page
        for ln in lines[at + 1 : i]:
            if ln.open:
                ln.decide(False, "before-headline", "removed")
        lines[i].decide(False, "title-repeat", "title")
        return


def apply_structure(
    lines: list[Line], rules: Rules, domain: str | None, title: str | None, alt_only: bool = False
) -> None:
    th = rules.thresholds
    tnorm = normalise(title) if title else None
    dense = [is_dense(ln, th.dense_min_words) for ln in lines]
    open_idx = [i for i, ln in enumerate(lines) if ln.open]
    first_dense = next((i for i, d in enumerate(dense) if d and lines[i].open), -1)
    last_dense = max((i for i, d in enumerate(dense) if d and lines[i].open), default=-1)

    # Image alt text: the headline again with an image counter ("Headline - 1").
    alt_rule = rules.structure_option("image-alt", "rule", "image-placeholder")
    if tnorm:
        for i in open_idx:
            ln = lines[i]
            rest = ln.norm[len(tnorm) :].strip() if ln.norm.startswith(tnorm) else None
            if rest is not None and rest.isdigit():
                ln.decide(False, alt_rule, "removed")
    if alt_only:
        return

    def next_open(i: int) -> int:
        j = i + 1
        while j < len(lines) and not lines[j].open and lines[j].role != "caption":
            j += 1
        return j

    # Lead caption: a short non-sentence line right after the headline, right before the first paragraph.
    cap_words = int(rules.structure_option("lead-caption", "max_words", 6))
    if first_dense > 0 and rules.rule_enabled("lead-caption", domain):
        prev = [i for i in range(first_dense) if lines[i].open]
        if len(prev) == 1 and lines[prev[0]].words <= cap_words and not lines[prev[0]].sentence_end:
            before = [ln for ln in lines[: prev[0]] if ln.role == "title"]
            if before:
                lines[prev[0]].decide(True, "lead-caption", "caption")

    if first_dense < 0:
        return
    apply_comment_thread(lines, rules, domain, first_dense)
    apply_record_list(lines, rules, domain, first_dense)
    # Subheadings, attributions and teaser runs are judged inside the article: the longest dense block.
    lo, hi = main_block(lines, th.dense_min_words)
    if lo < 0:
        return
    run_min = int(rules.structure_option("related-links", "min_run", 2))
    run_max_words = int(rules.structure_option("related-links", "max_words", 25))
    head_max = int(rules.structure_option("heading", "max_words", th.heading_max_words))
    i = lo
    last_dense = hi
    while i <= last_dense:
        ln = lines[i]
        if not ln.open or dense[i]:
            i += 1
            continue
        # Collect a run of consecutive open, headline-like lines (decided lines in between end the run).
        j = i
        while j <= last_dense and lines[j].open and not dense[j] and is_headline_like(lines[j], run_max_words):
            j += 1
        run = lines[i:j]
        if len(run) >= run_min and all(r.words >= 4 for r in run) and rules.rule_enabled("related-links", domain):
            for r in run:
                r.decide(False, "related-links", "removed")
            i = j
            continue
        k = next_open(i)
        follows_prose = k < len(lines) and dense[k] and lines[k].open
        if follows_prose and ln.text.endswith(":") and ln.words <= head_max:
            ln.decide(True, "attribution", "paragraph")
        elif follows_prose and is_headline_like(ln, head_max):
            ln.decide(True, "heading", "heading")
        i += 1


@lru_cache(maxsize=16)
def _any_of(patterns: tuple[str, ...]) -> Pattern:
    """The rules file's markers as one RE2 alternation (checked when the rules file loads)."""
    return joined([(rx, re.I) for rx in patterns])  # type: ignore[return-value]  # never empty here


def apply_comment_thread(lines: list[Line], rules: Rules, domain: str | None, first_dense: int) -> None:
    """Readers' comments are prose too: after the article, a comment-section marker ("12 Comments",
    "Leave a Reply", "Jane on May 3, 2019 at 8:50 pm said:") ends the article text."""
    opts = rules.structure.get("comment-thread", {})
    if not rules.rule_enabled("comment-thread", domain) or not opts.get("markers"):
        return
    pattern = _any_of(tuple(opts["markers"]))
    strong = _any_of(tuple(opts["strong_markers"])) if opts.get("strong_markers") else None
    min_before = int(opts.get("min_paragraphs_before", 3))
    min_share = float(opts.get("min_share_before", 0.4))
    min_words = rules.thresholds.dense_min_words
    total = sum(ln.words for ln in lines if ln.open and is_dense(ln, min_words)) or 1
    seen = seen_words = 0
    for i in range(first_dense, len(lines)):
        ln = lines[i]
        if ln.open and is_dense(ln, min_words):
            seen += 1
            seen_words += ln.words
            continue
        if seen < min_before or ln.words > 30:
            continue
        if (seen_words >= min_share * total and pattern.search(ln.text)) or (strong and strong.search(ln.text)):
            for later in lines[i:]:
                if later.open:
                    later.decide(False, "comment-thread", "removed")
            if ln.open or ln.role != "removed":
                ln.decide(False, "comment-thread", "removed")
            return


def main_block(lines: list[Line], min_words: int, max_gap: int = 6) -> tuple[int, int]:
    """The longest dense block: dense lines joined while fewer than ``max_gap`` other lines separate them."""
    best, best_score = (-1, -1), 0
    start, last, score, gap = -1, -1, 0, 0
    for i, ln in enumerate(lines):
        if ln.kept is False:
            continue
        if is_dense(ln, min_words):
            if start < 0 or gap > max_gap:
                start, score = i, 0
            score += ln.words
            last, gap = i, 0
            if score > best_score:
                best, best_score = (start, last), score
        elif start >= 0:
            gap += 1
    return best


def model_region(lines: list[Line], scores: list[float], centre: float) -> tuple[int, int]:
    """The contiguous run of lines whose scores (the rules' verdict for decided lines) minus ``centre``,
    weighted by log(words), sum highest: teaser lists and comments after the article fall outside it."""
    from newsdex.tasks.clean.context import article_region, prior

    q = prior(lines, np.asarray(scores, dtype=float))
    return article_region(q, np.array([ln.words for ln in lines], dtype=float), centre)


def apply_evidence(lines: list[Line], rules: Rules, model_scores: list[float] | None) -> None:
    th = rules.thresholds
    if model_scores is not None:
        # The article is one contiguous run: outside the best-scoring run a line needs far more evidence.
        rlo, rhi = model_region(lines, model_scores, th.region_score)
        # Prose inside the longest dense block needs less evidence: losing a paragraph costs more than a stray line.
        lo, hi = main_block(lines, th.dense_min_words)
        for i, (ln, p) in enumerate(zip(lines, model_scores, strict=True)):
            if ln.open:
                inside = lo <= i <= hi and is_dense(ln, th.dense_min_words)
                need = th.model_threshold_in_block if inside else th.model_threshold
                if not rlo <= i <= rhi:
                    need = max(need, th.model_threshold_outside_region)
                if p >= need:
                    ln.decide(True, f"line-model p={p:.2f}", "paragraph")
                else:
                    ln.decide(False, f"line-model p={p:.2f}", "removed")
        return
    lo, hi = main_block(lines, th.dense_min_words)
    for i, ln in enumerate(lines):
        if not ln.open:
            continue
        if lo <= i <= hi and (ln.sentence_end or ln.words >= 6):
            ln.decide(True, "main-text", "paragraph")
        elif lo <= i <= hi:
            ln.decide(False, "short-line-in-text", "removed")
        else:
            ln.decide(False, "outside-main-text", "removed")


def drop_repeats(lines: list[Line], rules: Rules, domain: str | None) -> None:
    """A run of kept paragraphs that repeat earlier kept ones word for word is a second copy of the text
    (pages that carry the article twice or three times): "repeated-line". A paragraph repeated on its own,
    or two in a row (a credit under every photo, a note under every item), is left alone."""
    min_run = int(rules.structure_option("repeated-line", "min_run", 0))
    if not min_run or not rules.rule_enabled("repeated-line", domain):
        return
    min_words = rules.thresholds.dense_min_words
    prose = [ln for ln in lines if ln.kept and ln.role == "paragraph" and is_dense(ln, min_words)]
    seen: set[str] = set()
    repeats = []
    for ln in prose:
        repeats.append(ln.norm in seen)
        seen.add(ln.norm)
    run: list[Line] = []
    for line, again in zip([*prose, None], [*repeats, False], strict=True):
        if again and line is not None:  # the None closing the list is never a repeat
            run.append(line)
            continue
        if len(run) >= min_run:
            for r in run:
                r.decide(False, "repeated-line", "removed")
        run = []


def decide_lines(
    lines: list[Line],
    rules: Rules,
    domain: str | None = None,
    title_hint: str | None = None,
    scorer: Callable[[list[Line]], list[float]] | None = None,
    known_roles: list[str] | None = None,
) -> TextMeta:
    """Decide every line in place; return the metadata found on the way (title, byline, date).

    ``known_roles`` (HTML path) gives each line's structure from the extractor: then only the line rules,
    the headline and the image-alt/junk checks run; the extractor already chose the main text.
    """
    th = rules.thresholds
    dense_idx = [i for i, ln in enumerate(lines) if is_dense(ln, th.dense_min_words)]
    first_dense = dense_idx[0] if dense_idx else -1
    last_dense = dense_idx[-1] if dense_idx else -1
    budget.check()  # between steps: a document past its cleaning budget stops here (tasks/clean/budget.py)
    apply_line_rules(lines, rules, domain, first_dense, last_dense)
    budget.check()
    title = find_title(lines, rules, first_dense, title_hint, domain)
    budget.check()
    if known_roles is not None:
        apply_structure(lines, rules, domain, title, alt_only=True)
        for ln, role in zip(lines, known_roles, strict=True):
            if ln.open:
                ln.decide(True, "extracted", role)
    else:
        apply_structure(lines, rules, domain, title)
        budget.check()
        scores = scorer(lines) if scorer is not None else None
        budget.check()
        apply_evidence(lines, rules, scores)
        drop_repeats(lines, rules, domain)
    budget.check()

    meta = TextMeta(title=title)
    for ln in lines:
        if ln.role != "meta":
            continue
        if ln.rule == "byline" and meta.byline is None:
            meta.byline = re.sub(r"^(by|written by|posted by|words by)\s+", "", ln.text, flags=re.I)
            ln.role = "byline"
        elif meta.published is None and (iso := parse_date(ln.text)):
            meta.published = iso
            ln.role = "date"
        elif ln.rule == "header-dateline":
            ln.role = "date"
    return meta
