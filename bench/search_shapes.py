"""The query shapes reading/scoring.py took over last: searches narrowed to a period (the date filter, a click on a
histogram bar: read from the ``published`` column) and prefix and wildcard words, against Whoosh's own matchers
(reading/scoring.py switched off), side by side in one run over the same warm searcher, with the ratio and a check
that both give the same search JSON.

    python -m bench.search_shapes var/bench/search/index-10000 var/bench/search/index-50000 --repeats 15
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsdex.reading import reader, scoring

CASES = [  # (query, since, until): years, a month, open ends, a phrase, every document (Whoosh's Every), prefixes
    ("troops", "2020", "2025"),
    ("troops", "2024-03", "2024-03"),
    ('"prime minister"', "2023", None),
    ("election", None, "2019"),
    ("*", "2024", "2024"),
    ("wa*", None, None),
    ("wa*", "2020", "2025"),
    ("gov*", None, None),
    ("qu?ck", None, None),
    ("pres* AND ukr*", None, None),
]


@contextmanager
def whoosh_only() -> Any:
    """Whoosh's matchers do all of it (the query and the filter), as for a shape reading/scoring.py does not take."""
    saved = scoring.evaluate, scoring.matching
    scoring.evaluate = lambda *args, **kwargs: None  # type: ignore[assignment]
    scoring.matching = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        scoring.evaluate, scoring.matching = saved  # type: ignore[assignment]


def _timed(root: Path, case: tuple[str, str | None, str | None], repeats: int) -> tuple[float, dict[str, Any]]:
    q, since, until = case
    result = reader.search(root, q, since=since, until=until, limit=10)  # warm: the same work cached both ways
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        reader.search(root, q, since=since, until=until, limit=10)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("indexes", nargs="+", help="index folders (read only)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    print("| index | query | since | until | hits | reading/scoring.py (ms) | Whoosh (ms) | ratio | same JSON |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for index in args.indexes:
        root = Path(index)
        for case in CASES:  # alternated per case: the machine's noise falls on both sides alike
            ours, result = _timed(root, case, args.repeats)
            with whoosh_only():
                theirs, before = _timed(root, case, args.repeats)
            same = result == before
            q, since, until = case
            print(
                f"| {root.name} | `{q}` | {since or '-'} | {until or '-'} | {result['total']} | {ours * 1000:.1f} "
                f"| {theirs * 1000:.1f} | {theirs / ours:.1f}x | {'yes' if same else 'NO'} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
