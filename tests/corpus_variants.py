"""Many distinct documents made from the seeds, for tests that need more than five (no external data)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SEEDS


def make_variants(out: Path, n: int) -> list[Path]:
    """n text files: each a seed with its paragraphs rotated and one sentence naming its number."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        text = seeds[i % len(seeds)]
        head, *paras = text.split("\n\n")
        k = (i // len(seeds)) % max(len(paras), 1)
        paras = paras[k:] + paras[:k]
        extra = f"Reporters filed dispatch number {i} of the series on the same conflict today."
        path = out / f"doc_{i:04d}.txt"
        path.write_text("\n\n".join([head, extra, *paras]), encoding="utf-8")
        files.append(path)
    return files
