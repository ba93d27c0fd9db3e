"""The "did you mean" of a search with few hits (or an alias in it): the archive's words from the manifest's
vocabulary, the suggestion itself from reading/query.py. A nicety: whatever it trips on, the search stands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh.query import Query

from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import open_readonly
from newsdex.reading import query as user_query


def wanted(text: str, total: int, expanded: list[dict[str, Any]]) -> bool:
    """Whether a search offers a suggestion: words were given, and few hits came, or an alias was met."""
    return text.strip() not in ("", "*") and (total <= user_query.FEW_HITS or bool(expanded))


def suggestion(root: Path, searcher: Any, q: Query, text: str, hints: user_query.Hints) -> str | None:
    """``text`` respelt with the archive's words and canonical names, or None (also when anything fails)."""
    try:
        manifest = open_readonly(IndexPaths(root).manifest)
        if manifest is None:
            return user_query.suggest(searcher, q, text, hints)
        with manifest:
            return user_query.suggest(searcher, q, text, hints._replace(neighbours=manifest.vocabulary_candidates))
    except Exception:  # a suggestion is a nicety: whatever it trips on, the search result stands
        return None
