"""What a hit shows of its body: its best paragraphs for the query (passages) and a highlighted snippet read
from the best one (reading/snippets.py does the marking)."""

from __future__ import annotations

import html
import re
from typing import Any

from whoosh import highlight

from newsdex.index import analysis
from newsdex.index import whoosh_internals as internals
from newsdex.reading import snippets

MAX_PASSAGES = 3  # paragraphs shown per hit
_ONE_MARK = re.compile(r"</b>([\s\-\u2010\u2011]*)<b>")  # marks apart only by spaces or a hyphen: one


class BoldFormatter(internals.EscapingFormatter):
    """Marks matched terms as <b>term</b> (the JSON contract), fragments joined with an ellipsis."""

    between = " … "

    def between_marks(self, text: str) -> str:  # the text around highlights: escaped, so <b> is only ever ours
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<b>{html.escape(highlight.get_text(text, token, replace), quote=False)}</b>"


class Marker:
    """The snippet and passages of each hit of one search's ``results``."""

    def __init__(self, results: Any) -> None:
        self.results = results
        self.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=70)
        self.formatter = BoldFormatter()

    def field(self, base: str, fields: dict[str, Any]) -> str:
        """The field a hit's ``base`` text is in: its language's (index/analysis.py)."""
        return analysis.hit_field(self.results.searcher.schema, base, fields.get("language"))

    def passages(self, fields: dict[str, Any], body: str) -> list[snippets.Passage]:
        return snippets.passages(self.results, self.field("body", fields), body, MAX_PASSAGES)

    def snippet(self, fields: dict[str, Any], body: str, found: list[snippets.Passage]) -> str:
        """The snippet is read from the best passage: the paragraph that answers, not the first words matched,
        whole sentences where they end within reach; else the title's marks, else the body's first sentences."""
        best = body[found[0].start : found[0].end] if found else body
        title = analysis.stored_title(fields) or ""
        snippet = snippets.highlight_sentences(
            self.results, self.field("body", fields), best, self.fragmenter, self.formatter
        ) or snippets.highlight(
            self.results, self.field("title", fields), title, self.fragmenter, self.formatter, top=3
        )
        snippet = snippet or html.escape(snippets.lead(body, 200) or title, quote=False)
        snippet = _ONE_MARK.sub(r"\1", snippet)  # a phrase's words (marked one by one) read as one highlight
        return " ".join(snippet.split())


def as_json(found: list[snippets.Passage]) -> list[dict[str, Any]]:
    return [{"text": p.text, "position": p.paragraph, "start": p.start, "score": p.score} for p in found]
