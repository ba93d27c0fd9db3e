"""What RE2 and the cleaning budget cost: the cleaner with the rules file's regexes on Python's ``re`` (before),
on RE2 (after, ``tasks/clean/safe_regex.py``), and on RE2 under the per-document time budget (the flows' path,
``clean_within``), in one run.

    python -m bench.clean_engine                 # seeds + tests/fixtures/clean, 30 rounds
    python -m bench.clean_engine DIR… --rounds 3  # more inputs: *.txt, *.html, *.html.gz under each DIR

Rounds alternate the three engines, so machine load falls on all three alike; each round cleans every input
once. Prints documents per second for the text path and the HTML path, the ratios, and whether the three
gave the same cleaned documents.
"""

from __future__ import annotations

import argparse
import gzip
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INPUTS = [REPO / "seeds", REPO / "tests" / "fixtures" / "clean"]


def _re_rule(pattern: str, flags: int = 0, backtracking: bool = True, capture: bool = False) -> Any:
    return re.compile(pattern, flags)


def _re_joined(patterns: list[tuple[str, int]], named: bool = False) -> Any:
    if not patterns:
        return None
    parts = [f"(?{'i' if f & re.IGNORECASE else '-i'}:{rx})" for rx, f in patterns]
    return re.compile("|".join(f"(?P<k{i}>{p})" if named else p for i, p in enumerate(parts)))


@contextmanager
def python_re() -> Iterator[None]:
    """The cleaner as it was: every rules-file regex compiled by ``re``."""
    from newsdex.tasks.clean import matcher, records, rules, structure_keys, text

    saved = [
        (m, name, getattr(m, name))
        for m, name in [
            (rules, "compile_rule"),
            (matcher, "compile_rule"),
            (structure_keys, "compile_rule"),
            (matcher, "joined"),
            (text, "joined"),
            (records, "joined"),
        ]
    ]
    for m, name, _ in saved:
        setattr(m, name, _re_joined if name == "joined" else _re_rule)
    _clear()
    try:
        yield
    finally:
        for m, name, value in saved:
            setattr(m, name, value)
        _clear()


def _clear() -> None:
    from newsdex.tasks.clean import records, text

    text._any_of.cache_clear()
    records._kinds.cache_clear()


def load_inputs(dirs: list[Path]) -> list[Any]:
    from newsdex.models import RawDoc

    raws = []
    for d in dirs:
        for p in sorted(d.rglob("*")):
            name = p.name.lower()
            if not p.is_file() or not name.endswith((".txt", ".html", ".htm", ".html.gz")):
                continue
            data = p.read_bytes()
            text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8", "replace")
            kind = "html" if ".htm" in name else "text"
            raws.append(RawDoc(id=p.name, path=str(p), kind=kind, text=text, raw_hash=""))
    return raws


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", type=Path, help="input folders (default: seeds/ and tests/fixtures/clean/)")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per document in the budget run")
    args = ap.parse_args(argv)

    from newsdex.tasks.clean.rules import DEFAULT_RULES, parse_rules
    from newsdex.tasks.clean.stage import clean_document, clean_within

    raws = load_inputs(args.dirs or DEFAULT_INPUTS)
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    with python_re():
        rules_re = parse_rules(text)
    rules_re2 = parse_rules(text)
    runs = {
        "re (before)": (python_re, lambda r: clean_document(r, rules_re)),
        "re2 (after)": (None, lambda r: clean_document(r, rules_re2)),
        f"re2 + {args.budget:g} s budget": (None, lambda r: clean_within(r, rules_re2, args.budget)),
    }
    seconds = {(name, kind): 0.0 for name in runs for kind in ("text", "html")}
    outputs: dict[str, list[str]] = {}
    for rnd in range(args.rounds + 1):  # round 0 warms up (line model, compiled rules): not counted
        for name, (engine, clean) in runs.items():
            with engine() if engine else _nothing():
                clean(raws[0])  # the engine's cached alternations, rebuilt after a switch: not counted
                out = []
                for raw in raws:
                    t0 = time.perf_counter()
                    doc = clean(raw)
                    if rnd:
                        seconds[name, raw.kind] += time.perf_counter() - t0
                    out.append(doc.model_dump_json())
                outputs[name] = out
    counts = {kind: sum(r.kind == kind for r in raws) * args.rounds for kind in ("text", "html")}
    print(
        f"{len(raws)} inputs ({counts['text'] // args.rounds} text, {counts['html'] // args.rounds} HTML), "
        f"{args.rounds} rounds"
    )
    base = next(iter(runs))
    for kind in ("text", "html"):
        if not counts[kind]:
            continue
        for name in runs:
            rate = counts[kind] / seconds[name, kind]
            ratio = seconds[base, kind] / seconds[name, kind]
            print(f"  {kind:4} path  {name:24} {rate:8.1f} docs/s   x{ratio:.3f} of before")
    same = len({tuple(v) for v in outputs.values()}) == 1
    print(f"cleaned documents identical across the three runs: {'yes' if same else 'NO'}")
    return 0 if same else 1


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    raise SystemExit(main())
