"""The HTML path's second opinion: readability-lxml, asked only when trafilatura's text looks too small.

trafilatura sometimes keeps one part of an article (the lead, one column of a split layout, the text before
an inline widget) and drops the rest; readability-lxml scores the page's blocks differently and finds the
whole body. Asking it on every page would cost as much again as trafilatura, so it is asked only when
trafilatura kept under ``html_rescue_max_share`` of the page's words, and its answer is taken only when it
holds at least ``html_rescue_min_gain`` times as many words as trafilatura's.
"""

from __future__ import annotations

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
    except Exception:  # noqa: BLE001 - a second opinion that fails leaves trafilatura's answer standing
        return []
