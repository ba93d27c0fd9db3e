"""The protocol every tuned figure goes through: a value is chosen on one data set and reported on another.

Leave-one-set-out (LOSO) over the evaluation sets: for each set B, the configuration (a point of a grid over
``Thresholds`` fields, or of a choice rule's parameters) that scores best on the *other* sets is reported on
B. The figure of the configuration chosen on B itself is printed beside it as "fitted": the gap between the
two is what fitting the set would have claimed. Only the held-out column counts.

``loso(scores)`` takes ``scores[set][config] -> mean F1`` (``config`` any hashable, e.g. a tuple of
(field, value) pairs) and is shared by ``bench/cleaning.py --protocol loso`` and ``bench/cleaning_choice.py``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Held:
    dataset: str
    fitted_config: Hashable  # best on this set itself
    fitted: float
    chosen_config: Hashable  # best on the other sets (mean of their page means), reported here
    held_out: float


def loso(scores: Mapping[str, Mapping[Hashable, float]]) -> list[Held]:
    sets = list(scores)
    configs = [c for c in scores[sets[0]] if all(c in scores[s] for s in sets)]
    out = []
    for b in sets:
        others = [s for s in sets if s != b] or [b]
        # ties go to the earlier configuration of the grid: list the default (or simplest) value first
        chosen = max(configs, key=lambda c: sum(scores[s][c] for s in others) / len(others))
        fitted = max(configs, key=lambda c: scores[b][c])
        out.append(Held(b, fitted, scores[b][fitted], chosen, scores[b][chosen]))
    return out


def parse_grid(spec: str) -> list[tuple[tuple[str, float | str], ...]]:
    """``"a=1,2;b=0.5,0.7"`` → every combination, as tuples of (field, value) pairs, in grid order."""
    axes: list[list[tuple[str, float | str]]] = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, _, values = part.partition("=")
        if not values:
            raise SystemExit(f"--grid: {part!r} is not NAME=V1,V2,...")
        axes.append([(name.strip(), parse_value(v)) for v in values.split(",") if v.strip()])
    return [tuple(c) for c in itertools.product(*axes)]


def parse_value(v: str) -> float | str:
    v = v.strip()
    try:
        return int(v) if v.lstrip("-").isdigit() else float(v)
    except ValueError:
        return v


def label(config: Hashable) -> str:
    if isinstance(config, tuple) and all(isinstance(x, tuple) and len(x) == 2 for x in config):
        return " ".join(f"{k}={v}" for k, v in config) or "(defaults)"
    return str(config)


def print_table(title: str, held: list[Held]) -> None:
    print(f"\n{title}")
    print(f"{'held-out set':<14} {'fitted F1':>9} {'held-out F1':>11}  chosen on the other set(s) | fitted choice")
    for h in held:
        print(
            f"{h.dataset:<14} {h.fitted:9.3f} {h.held_out:11.3f}  {label(h.chosen_config)} | {label(h.fitted_config)}",
            flush=True,
        )


_TOKEN = re.compile(r"\w+")


def score(pred: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pred`` against ``truth`` over token multisets (the data README's metric)."""
    p, t = Counter(_TOKEN.findall(pred.lower())), Counter(_TOKEN.findall(truth.lower()))
    if not p or not t:
        return 0.0, 0.0, 0.0
    common = sum((p & t).values())
    prec, rec = common / sum(p.values()), common / sum(t.values())
    return prec, rec, (2 * prec * rec / (prec + rec) if common else 0.0)
