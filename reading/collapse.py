"""Copies of one story as one hit (index/copies.py keeps the clusters): a result window's hits one per story,
each shown hit's other copies, and the bodies of the hits shown; and the window widened until the page's
stories are found when copies crowd the top."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdex.index.damage import manifest_guard
from newsdex.index.layout import IndexPaths
from newsdex.index.manifest import open_readonly

FACET_WINDOW = 500  # facets are counted over this many top hits: cheap, and what a reader looks at anyway
MAX_WINDOW = 20_000  # hits read at most to find --limit stories when copies crowd the top ones
MAX_COPY_SOURCES = 10  # sources listed per hit (the count says how many copies there are)


class Copies:
    """What search needs of the copies for one result window, from one manifest session: the window's hits one
    per story (the best ranked of each cluster) unless ``all_copies``, each shown hit's other members, and the
    bodies of the shown hits to highlight (the index does not store them: lean stored fields keep facet
    counting over hundreds of hits cheap)."""

    def __init__(self, root: Path, ids: list[str], limit: int, all_copies: bool, offset: int = 0) -> None:
        self.kept: list[int] = list(range(len(ids)))  # positions in the window: one per story
        self.stories = len(ids)  # stories among the window's documents
        self.others: dict[str, tuple[int, list[str]]] = {}  # shown hit id -> (other copies, their sources)
        self.bodies: dict[str, str] = {}
        manifest = open_readonly(IndexPaths(root).manifest)
        if manifest is None:
            return
        with manifest, manifest_guard(manifest.path):
            keys = manifest.cluster_keys(ids)
            first: dict[str, int] = {}
            for i, doc_id in enumerate(ids):
                first.setdefault(keys.get(doc_id) or doc_id, i)
            self.stories = len(first)
            if keys and not all_copies:
                self.kept = sorted(first.values())
            shown = [ids[i] for i in self.kept[offset : offset + limit]]
            for doc_id in shown:
                if doc_id in keys:
                    self.others[doc_id] = manifest.cluster_summary(keys[doc_id], doc_id, MAX_COPY_SOURCES)
            self.bodies = manifest.bodies(shown)

    def of(self, doc_id: str) -> dict[str, Any]:
        """The hit's ``copies`` fields: how many other copies of its story the archive holds, and (at most
        MAX_COPY_SOURCES of) their sources."""
        count, sources = self.others.get(doc_id, (0, []))
        return {"copies": count, "copy_sources": sources}


def window_of_stories(
    ranking: Any, root: Path, limit: int, offset: int, all_copies: bool
) -> tuple[Any, list[dict[str, Any]], Copies]:
    """The ranking's top read window after window (``ranking.top``: reading/rank.py) until ``offset + limit``
    stories are found, the matches run out, or the window reaches MAX_WINDOW: copies of one story can fill a
    window (a wire story on hundreds of sites). Returns the results, the window's stored fields and copies."""
    wanted = offset + limit
    window = max(wanted, FACET_WINDOW)
    while True:
        results, stored = ranking.top(window)
        copies = Copies(root, [fields["id"] for fields in stored], limit, all_copies, offset)
        if len(copies.kept) >= wanted or len(results) <= len(stored) or window >= MAX_WINDOW:
            return results, stored, copies
        window = min(window * 4, MAX_WINDOW)
