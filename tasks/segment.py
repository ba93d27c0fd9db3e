"""Segment stage: a cleaned document's blocks become segments (heading, paragraph, caption) with sentences.

Title, byline and published date are already set by the cleaner (they come from the page header); this stage
splits every block into sentences with a rule-based splitter that knows common abbreviations, initials and
quotes, so that no model is needed and it runs at tens of thousands of sentences per second. It also sets the
document's language (tasks/language.py) from the cleaned body.
"""

from __future__ import annotations

import re

from newsdex.models import CleanDoc, Segment, SegmentedDoc
from newsdex.tasks.language import detect_language

# Words that end with a period but rarely end a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr adm gov sen rep pres rev hon fr
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    inc ltd co corp bros no nos vol vols fig figs p pp ed eds est approx dept univ assn
    vs etc al e.g i.e u.s u.k u.n e.u a.m p.m d.c""".split()
)

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace, then a likely start.
_BOUNDARY = re.compile(r"""([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])""")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; never loses characters other than the whitespace between them."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(1) == ".":
            word = _WORD_BEFORE.search(text, start, m.start())
            token = word.group(1).lower().rstrip(".") if word else ""
            # "Mr. Giles", "U.S. troops", "J. Smith": an abbreviation or a single initial is not an ending.
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        end = m.end(2)
        sentences.append(text[start:end].strip())
        start = m.end(3)
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def document_language(doc: CleanDoc) -> str | None:
    """A feed's language wins; otherwise the cleaned body's (boilerplate no longer mixed in), else the title's."""
    # A feed may say "de-DE" or "pt_BR": the index and the --lang filter keep the language part only.
    given = (doc.language or "").strip().lower().replace("_", "-").split("-")[0]
    if given.isascii() and given.isalpha() and 2 <= len(given) <= 3:
        return given
    return detect_language(doc.body) or detect_language(doc.title or "")


def segment_document(doc: CleanDoc) -> SegmentedDoc:
    segments = [Segment(kind=b.kind, text=b.text, sentences=split_sentences(b.text)) for b in doc.blocks]
    return SegmentedDoc(**{**doc.model_dump(), "language": document_language(doc)}, segments=segments)


def segment_batch(docs: list[CleanDoc]) -> list[SegmentedDoc]:
    return [segment_document(d) for d in docs]
