"""The line model's context: the article region, the second look, and comment sections announced by a count."""

from __future__ import annotations

import numpy as np

from newsdex.models import RawDoc
from newsdex.tasks.clean.context import CONTEXT2_FEATURES, article_region, context2
from newsdex.tasks.clean.rules import load_rules
from newsdex.tasks.clean.stage import clean_document


def test_article_region_is_the_best_contiguous_run():
    # menu, article (with one unsure line), a gap of chrome, then a shorter run of prose-like teasers
    q = np.array([0.1, 0.2, 0.9, 0.95, 0.4, 0.9, 0.9, 0.1, 0.05, 0.1, 0.1, 0.8, 0.8])
    words = np.array([1, 2, 40, 35, 6, 30, 28, 2, 1, 3, 2, 12, 12], dtype=float)
    assert article_region(q, words) == (2, 6)
    assert article_region(np.zeros(3), np.ones(3)) == (-1, -1)


def test_context2_shape_and_position():
    q = np.array([0.1, 0.9, 0.9, 0.9, 0.1])
    x = context2(q, q, np.array([2, 30, 30, 30, 2], dtype=float))
    assert x.shape == (5, len(CONTEXT2_FEATURES))
    col = {name: x[:, i] for i, name in enumerate(CONTEXT2_FEATURES)}
    assert col["in_region"].tolist() == [0, 1, 1, 1, 0]
    assert col["before_region"][0] == 1 and col["after_region"][4] == 1
    assert col["mass_before"][0] == 0 and col["mass_after"][4] == 0


def test_announced_comment_section_ends_the_article_even_when_comments_are_longer():
    para = (
        "The regional water board said on Tuesday that the reservoir upgrade would be finished by the end of "
        "the year, after engineers found the old spillway could not cope with spring floods."
    )
    comments = [f"{name} says:" for name in ("riverwatcher", "Tom K.", "old_miller")]
    reply = (
        "I have lived by that reservoir for thirty years and I think the board is finally doing the right "
        "thing, although the cost is far higher than anyone in the valley was told at the meetings."
    )
    lines = [
        "Reservoir upgrade to finish by year end, water board says",
        para,
        para.replace("Tuesday", "Monday"),
        para.replace("year", "summer"),
        "5 thoughts on “Reservoir upgrade to finish by year end”",
    ]
    for c in comments:
        lines += [c, reply, reply.replace("thirty", "forty"), "Reply"]
    raw = RawDoc(id="t", path="t.txt", kind="text", text="\n".join(lines), raw_hash="")
    doc = clean_document(raw, load_rules())
    assert "thirty years" not in doc.body and "says:" not in doc.body
    assert doc.body.count("water board") == 3
    assert any(r.rule == "comment-thread" and r.text.startswith("5 thoughts on") for r in doc.removed)
