"""The entities benchmark's reading and scoring, on a small CoNLL file of our own."""

from __future__ import annotations

from tools.conll import in_documents, read_conll, score, windows

CONLL = """-DOCSTART- O

Angela B-PER
Merkel I-PER
visited O
Paris B-LOC
with O
Siemens B-ORG
AG I-ORG
staff O
. O

The O
Beatles B-ORG
played O
in O
English B-MISC
. O

-DOCSTART- O

Merkel B-PER
spoke O
. O
"""


def test_read_conll_spans_and_documents(tmp_path) -> None:
    path = tmp_path / "mini.conll"
    path.write_text(CONLL)
    starts: list[int] = []
    sents = read_conll(path, starts)
    assert [t for t, _ in sents][0] == "Angela Merkel visited Paris with Siemens AG staff ."
    text, gold = sents[0]
    expected = {("Angela Merkel", "PERSON"), ("Paris", "LOC"), ("Siemens AG", "ORG")}
    assert {(text[s:e], t) for s, e, t in gold} == expected
    assert {(sents[1][0][s:e], t) for s, e, t in sents[1][1]} == {("Beatles", "ORG")}  # MISC is not scored
    assert starts == [0, 2]
    assert windows(len(sents), 20, starts) == [range(0, 2), range(2, 3)]
    assert windows(5, 2, []) == [range(0, 2), range(2, 4), range(4, 5)]


def test_score_exact_span_and_type() -> None:
    gold = [{(0, 5, "PERSON"), (10, 15, "LOC")}]
    pred = [{(0, 5, "PERSON"), (10, 14, "LOC"), (20, 25, "ORG")}]
    res = score(gold, pred)
    assert res["PERSON"]["f1"] == 100.0 and res["LOC"]["f1"] == 0.0
    assert round(res["micro"]["p"], 1) == 33.3 and res["micro"]["r"] == 50.0


def test_document_windows_give_each_sentence_its_own_spans() -> None:
    texts = ["Kim spoke .", "Then Kim left ."]

    def predict(joined: list[str]) -> list[list[tuple[int, int, str]]]:
        return [[(i, i + 3, "PERSON") for i in range(len(t)) if t.startswith("Kim", i)] for t in joined]

    assert in_documents(texts, [range(0, 2)], predict) == [{(0, 3, "PERSON")}, {(5, 8, "PERSON")}]


def test_split_is_by_window_text_and_covers_every_sentence() -> None:
    from tools.conll import parts, split_of

    texts = [f"Sentence number {i} ." for i in range(100)]
    groups = windows(len(texts), 20, [])
    split = parts(texts, groups)
    assert sorted(split["fit"] + split["held"]) == list(range(100))
    # The part depends on the window's own words only: the same window elsewhere lands in the same part.
    assert split_of(texts, groups[1]) == split_of(texts[20:40], range(0, 20))
