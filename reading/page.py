"""One page of a search's hits: the stories from ``offset`` on, each with its document's fields, score,
snippet, passages and copies."""

from __future__ import annotations

from typing import Any

from newsdex.reading.collapse import Copies
from newsdex.reading.passages import Marker, as_json
from newsdex.reading.stored import hit_fields


def page_hits(
    results: Any, stories: list[tuple[Any, dict[str, Any]]], copies: Copies, offset: int, limit: int, relevance: bool
) -> list[dict[str, Any]]:
    """The hits of ranks ``offset + 1`` to ``offset + limit`` among ``stories`` ((score, stored fields), one per
    story); passages are built for those only."""
    marker = Marker(results)
    hits = []
    for score, fields in stories[offset : offset + limit]:
        body = copies.bodies.get(fields["id"], "")
        found = marker.passages(fields, body)
        hits.append(
            {
                **hit_fields(fields),
                # Sorted results carry the sort key as their score: only relevance has a score to report.
                "score": round(float(score), 4) if relevance and score is not None else None,
                "snippet": marker.snippet(fields, body, found),
                "passages": as_json(found),
                **copies.of(fields["id"]),
            }
        )
    return hits
