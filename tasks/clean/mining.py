"""Rule mining: lines that repeat across many documents of one source, as candidate rules for a person.

Pure functions over (source, lines) pairs; ``newsdex rules suggest`` reads the files and prints the result.
A repeated line is only a *candidate*: the cleaner never uses batch-wide evidence by itself, so that
re-cleaning one document gives the same result as cleaning it within a batch.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, Field

from newsdex.tasks.clean.rules import normalise


class Candidate(BaseModel):
    source: str
    text: str  # the line as first seen
    docs: int  # documents of the source that contain it
    of_docs: int  # documents of the source seen
    examples: list[str] = Field(default_factory=list)  # paths of documents holding it
    already_removed_by: str | None = None  # rule that already removes it, if any

    @property
    def share(self) -> float:
        return self.docs / self.of_docs if self.of_docs else 0.0


def mine(
    docs: Iterable[tuple[str, str, list[str]]], min_docs: int = 3, min_share: float = 0.3, max_words: int = 30
) -> list[Candidate]:
    """``docs`` = (source, path, lines). A line is a candidate when it occurs in at least ``min_docs``
    documents and ``min_share`` of its source's documents; long lines (likely quotes) are ignored."""
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    first_text: dict[tuple[str, str], str] = {}
    totals: dict[str, int] = defaultdict(int)
    for source, path, lines in docs:
        totals[source] += 1
        for line in {ln.strip() for ln in lines}:
            norm = normalise(line)
            if not norm or len(norm.split()) > max_words:
                continue
            paths = seen[source][norm]
            if not paths or paths[-1] != path:
                paths.append(path)
            first_text.setdefault((source, norm), line)
    out = []
    for source, by_norm in seen.items():
        for norm, found_in in by_norm.items():
            if len(found_in) >= min_docs and len(found_in) >= min_share * totals[source]:
                out.append(
                    Candidate(
                        source=source,
                        text=first_text[(source, norm)],
                        docs=len(found_in),
                        of_docs=totals[source],
                        examples=paths[:3],
                    )
                )
    out.sort(key=lambda c: (c.source, -c.docs, c.text))
    return out


def rule_name(source: str) -> str:
    """A readable rule name for a site's accepted lines: "example-com-repeated"."""
    return re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-") + "-repeated"


def toml_snippet(source: str, candidates: list[Candidate]) -> str:
    """A [[sites."…".line]] block a person can paste into the rules file (after reading it)."""
    esc = [c.text.replace("\\", "\\\\").replace('"', '\\"') for c in candidates]
    body = ",\n         ".join(f'"{t}"' for t in esc)
    counts = ", ".join(f"{c.docs}/{c.of_docs}" for c in candidates)
    return (
        f"# {len(candidates)} lines repeated across documents of {source} (documents: {counts})\n"
        f'[[sites."{source}".line]]\nname = "{rule_name(source)}"\naction = "remove"\n'
        f"lines = [{body}]\n"
    )
