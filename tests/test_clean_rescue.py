"""readability-lxml's second opinion on the HTML path: asked only on doubt, taken only when it finds far more."""

from __future__ import annotations

import lxml.html

from newsdex.tasks.clean.rescue import doubtful, readability_lines

_PARA = (
    "The council voted on Tuesday to rebuild the old bridge, which has been closed to traffic since the "
    "floods of last spring, and residents said the decision was long overdue. "
)


def test_doubt_is_a_small_share_of_the_page() -> None:
    assert doubtful(100, 1000, 0.3)
    assert not doubtful(400, 1000, 0.3)
    assert not doubtful(100, 0, 0.3)


def test_readability_lines_one_per_block() -> None:
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><article>"
        + "".join(f"<p>{_PARA}{i}</p>" for i in range(4))
        + "</article></body></html>"
    )
    lines = readability_lines(lxml.html.fromstring(html), None)
    assert len(lines) == 4 and all(ln.startswith("The council voted") for ln in lines)


def test_readability_failure_leaves_nothing() -> None:
    assert readability_lines(lxml.html.fromstring("<html><body></body></html>"), None) == []
