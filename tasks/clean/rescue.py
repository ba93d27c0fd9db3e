"""The HTML path's second opinion: readability-lxml's answer for the same page.

trafilatura sometimes keeps one part of an article (the lead, one column of a split layout, the text before
an inline widget) and drops the rest; readability-lxml scores the page's blocks differently and finds the
whole body. Which answer a page keeps is decided in ``choice.py`` on evidence from both. ``doubtful`` is the
former rule (``html_choice = "rescue"``): ask only when trafilatura kept under ``html_rescue_max_share`` of
the page's words, take the answer when it holds ``html_rescue_min_gain`` times as many.
"""

from __future__ import annotations

import re
from typing import Any

from newsdex.tasks.clean.flatten import naive_text
from newsdex.tasks.clean.lines import split_lines


def doubtful(words: int, page_words: int, max_share: float) -> bool:
    return page_words > 0 and words < max_share * page_words


def readability_lines(tree: Any, url: str | None) -> list[str]:
    """readability-lxml's main text of the parsed page (after the selector pre-pass; trafilatura worked on a
    copy) as lines, a newline at every block element; [] when it finds none. Reusing the tree saves a parse."""
    import lxml.html
    from readability import Document

    try:
        summary = Document(tree, url=url).summary(html_partial=True)
        return split_lines(naive_text(lxml.html.fromstring(summary))) if summary.strip() else []
    except Exception:  # a second opinion that fails leaves trafilatura's answer standing
        return []


_HEADING = re.compile(r"h[1-6]")


def readability_blocks(tree: Any) -> tuple[list[str], list[str], float] | None:
    """readability-lxml's main text of the parsed page as (lines, roles, link density): a line per block
    element (headings ``h1``–``h6`` are headings), and the share of its text inside links. None when it fails.
    Run after trafilatura, which read a copy of the tree: readability's cleaning changes the tree it reads."""
    import lxml.html
    from readability import Document

    try:
        # no url: readability would make every link absolute, work the text does not need
        summary = Document(tree).summary(html_partial=True)
        if not summary.strip():
            return [], [], 0.0
        root = lxml.html.fromstring(summary)
    except Exception:  # a second opinion that fails leaves trafilatura's answer standing
        return None
    total = len(" ".join(root.text_content().split())) or 1
    linked = sum(len(" ".join(a.text_content().split())) for a in root.iter("a"))
    headings = {
        " ".join(h.text_content().split()) for h in root.iter() if isinstance(h.tag, str) and _HEADING.fullmatch(h.tag)
    }
    texts = split_lines(naive_text(root))
    roles = ["heading" if t in headings else "paragraph" for t in texts]
    return texts, roles, min(1.0, linked / total)
