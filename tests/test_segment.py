"""Segment stage: blocks become segments with sentences; nothing of the text is lost."""

from __future__ import annotations

from newsdex.models import Block, CleanDoc
from newsdex.tasks.segment import segment_document, split_sentences


def test_abbreviations_initials_and_quotes_do_not_split():
    text = (
        'Mr. Giles said: "It is bad." The U.S. State Department disagreed on Jan. 5 with Lt. Gen. Budanov. '
        "J. R. Smith spoke! Did he? Yes."
    )
    assert split_sentences(text) == [
        'Mr. Giles said: "It is bad."',
        "The U.S. State Department disagreed on Jan. 5 with Lt. Gen. Budanov.",
        "J. R. Smith spoke!",
        "Did he?",
        "Yes.",
    ]


def test_sentences_keep_every_word():
    text = "First one. Second “quoted” one… Third (bracketed.) Fourth 10,000 troops."
    assert " ".join(split_sentences(text)).split() == text.split()


def test_segment_document_keeps_kinds_and_order():
    doc = CleanDoc(
        id="x",
        path="x.txt",
        kind="text",
        raw_hash="h",
        blocks=[
            Block(kind="paragraph", text="One. Two."),
            Block(kind="heading", text="A heading"),
            Block(kind="caption", text="A photo © AFP"),
        ],
    )
    seg = segment_document(doc)
    assert [s.kind for s in seg.segments] == ["paragraph", "heading", "caption"]
    assert seg.segments[0].sentences == ["One.", "Two."]
    assert seg.body == "One. Two.\n\nA heading"  # captions are not body text
