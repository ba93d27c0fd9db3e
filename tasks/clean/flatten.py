"""HTML flattened the way a simple scraper does it: the text path's view of a page, and the HTML path's fallback."""

from __future__ import annotations

from typing import Any

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table td th tr ul".split()
)


def naive_text(tree: Any) -> str:
    """Text with a newline at every block element, scripts and styles dropped (what a simple scraper yields)."""
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    return tree.text_content()
