"""Train the line model (tasks/data/line_model.json) on WCXB pages of the training split.

    .venv/bin/python -m tools.train_line_model [--data DIR] [--hidden 32] [--epochs 40] [--seed 0]

The split is fixed by a hash of the page id: two thirds of wcxb-dev train, one third is held out; scrapinghub
is never used for training. Report held-out figures with ``bench/cleaning.py --split heldout``.

A line's label: it is article text when it appears as a line of the true text, or (4+ words) inside it, or
(8+ words) when at least half its tokens are in the true text. Only the lines that no rule decided are
learned from: those are the ones the model decides at run time.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from newsdex.tasks.clean.line_model import LineModel

REPO = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"\w+")


def label_lines(lines: list, truth: str) -> np.ndarray:
    from newsdex.tasks.clean.rules import normalise

    truth_lines = {normalise(t) for t in truth.splitlines() if t.strip()}
    flat = f" {normalise(truth)} "
    vocab = set(_TOKEN.findall(truth.lower()))
    out = np.zeros(len(lines))
    for i, ln in enumerate(lines):
        if not ln.words:
            continue
        if ln.norm in truth_lines or (ln.words >= 4 and f" {ln.norm} " in flat):
            out[i] = 1
        elif ln.words >= 8 and sum(t in vocab for t in ln.tokens) >= 0.5 * ln.words:
            out[i] = 1
    return out


def page_rows(scraped: str, truth: str, url: str | None, rules) -> dict[str, object] | None:
    """One page as the line model sees it at run time: features of every line, which lines are still open
    after the rules (the ones the model decides and learns from), the rules' verdict on the others, labels,
    and the tokens of what the rules kept (for F1)."""
    from newsdex.tasks.clean.context import prior
    from newsdex.tasks.clean.decide import domain_of
    from newsdex.tasks.clean.line_model import features
    from newsdex.tasks.clean.lines import Line, split_lines
    from newsdex.tasks.clean.text import decide_lines

    lines = [Line.of(t) for t in split_lines(scraped)]
    captured: dict[str, object] = {}

    def capture(ls: list) -> list[float]:
        captured["x"] = features(ls, rules.thresholds.dense_min_words, rules.thresholds.heading_max_words)
        captured["open"] = np.array([ln.open for ln in ls], dtype=bool)
        captured["fixed"] = prior(ls, np.zeros(len(ls)))  # the rules' verdict; open lines get p1 later
        return [1.0] * len(ls)

    decide_lines(lines, rules, domain_of(url), scorer=capture)
    if "x" not in captured:
        return None
    open_mask = captured["open"]
    y = label_lines(lines, truth)
    tokens = [Counter(ln.tokens) for ln in lines]
    kept = [
        tokens[i] for i, ln in enumerate(lines) if not open_mask[i] and ln.kept and ln.role in ("heading", "paragraph")
    ]
    return {
        "x": captured["x"],
        "open": open_mask,
        "fixed": captured["fixed"],
        "y": y[open_mask],
        "words": np.array([ln.words for ln in lines], dtype=float),
        "kept_tokens": kept,
        "open_tokens": [tokens[i] for i in np.flatnonzero(open_mask)],
    }


def second_rows(page: dict, p1_all: np.ndarray) -> np.ndarray:
    """The second stage's input for the page's open lines, given first-look scores for all its lines."""
    from newsdex.tasks.clean.context import context2

    q = np.where(page["open"], p1_all, page["fixed"])
    x2 = np.hstack([page["x"], context2(p1_all, q, page["words"])])
    return x2[page["open"]]


def train_mlp(x: np.ndarray, y: np.ndarray, hidden: int, epochs: int, seed: int, pos_weight: float) -> LineModel:
    from newsdex.tasks.clean.line_model import LineModel

    rng = np.random.default_rng(seed)
    mean, std = x.mean(0), x.std(0) + 1e-6
    xs = (x - mean) / std
    n, f = xs.shape
    w1 = rng.normal(0, np.sqrt(2 / f), (f, hidden))
    b1 = np.zeros(hidden)
    w2 = rng.normal(0, np.sqrt(1 / hidden), hidden)
    b2 = 0.0
    params = [w1, b1, w2, np.array([b2])]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, beta1, beta2, step = 3e-3, 0.9, 0.999, 0
    weights = np.where(y > 0, pos_weight, 1.0)
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, 512):
            b = order[start : start + 512]
            xb, yb, wb = xs[b], y[b], weights[b]
            z1 = xb @ params[0] + params[1]
            h = np.maximum(0, z1)
            p = 1 / (1 + np.exp(-(h @ params[2] + params[3][0])))
            g = (p - yb) * wb / len(b)
            gw2 = h.T @ g
            gb2 = np.array([g.sum()])
            gh = np.outer(g, params[2]) * (z1 > 0)
            gw1 = xb.T @ gh + 1e-4 * params[0]
            gb1 = gh.sum(0)
            step += 1
            for i, gr in enumerate((gw1, gb1, gw2, gb2)):
                m[i] = beta1 * m[i] + (1 - beta1) * gr
                v[i] = beta2 * v[i] + (1 - beta2) * gr * gr
                mh, vh = m[i] / (1 - beta1**step), v[i] / (1 - beta2**step)
                params[i] -= lr * mh / (np.sqrt(vh) + 1e-8)
        if epoch == epochs // 2:
            lr /= 3
    return LineModel(mean, std, params[0], params[1], params[2], float(params[3][0]))


def page_f1(fixed: list[Counter], open_tokens: list[Counter], keep: np.ndarray, truth: Counter) -> tuple[float, ...]:
    pred: Counter = Counter()
    for c in fixed:
        pred.update(c)
    for c, k in zip(open_tokens, keep, strict=True):
        if k:
            pred.update(c)
    if not pred or not truth:
        return 0.0, 0.0, 0.0
    common = sum((pred & truth).values())
    p, r = common / sum(pred.values()), common / sum(truth.values())
    return p, r, (2 * p * r / (p + r) if common else 0.0)


def main(argv: list[str] | None = None) -> int:
    from newsdex.tasks.clean.line_model import StackedModel
    from newsdex.tasks.clean.rules import load_rules
    from tools.evaldata import DEFAULT_EXTRACTION, load_pages, require

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data", default=str(DEFAULT_EXTRACTION / "wcxb-dev"), help="WCXB folder (html/, truth/, scraped/)"
    )
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pos-weight", type=float, default=1.5, help="weight of article lines (recall over precision)")
    ap.add_argument("--out", default=str(REPO / "tasks" / "data" / "line_model.json"))
    args = ap.parse_args(argv)

    t0 = time.time()
    rules = load_rules()
    pages = load_pages(require(Path(args.data)), None, "train")
    rows, truths = [], []
    for page in pages:
        r = page_rows(page["scraped"], page["truth"], page["url"], rules)
        rows.append(r)
        truths.append(Counter(_TOKEN.findall(page["truth"].lower())))
    train = [r for r in rows if r is not None and len(r["y"])]
    x = np.vstack([r["x"][r["open"]] for r in train])
    y = np.concatenate([r["y"] for r in train])
    print(f"{len(pages)} training pages, {len(y)} open lines ({y.mean():.1%} article text), {time.time() - t0:.0f}s")
    first = train_mlp(x, y, args.hidden, args.epochs, args.seed, args.pos_weight)
    # The second stage learns from first-look scores the first stage did not fit: two folds, each scored
    # by a first stage trained on the other (scores on seen pages are too confident to learn from).
    fold = [i % 2 for i in range(len(train))]
    p1_oof: list[np.ndarray] = [np.zeros(0)] * len(train)
    for k in (0, 1):
        part = [r for r, f in zip(train, fold, strict=True) if f != k]
        m = train_mlp(
            np.vstack([r["x"][r["open"]] for r in part]),
            np.concatenate([r["y"] for r in part]),
            args.hidden,
            args.epochs,
            args.seed,
            args.pos_weight,
        )
        for i, r in enumerate(train):
            if fold[i] == k:
                p1_oof[i] = m.predict(r["x"])
    x2 = np.vstack([second_rows(r, p) for r, p in zip(train, p1_oof, strict=True)])
    second = train_mlp(x2, y, args.hidden, args.epochs, args.seed, args.pos_weight)
    model = StackedModel(first, second)
    print(f"trained both stages, {time.time() - t0:.0f}s")
    # Threshold: the best mean F1 on the training pages with recall kept high (the issue asks >= 0.93).
    probs = np.concatenate([second.predict(second_rows(r, first.predict(r["x"]))) for r in train])
    evals = [
        (len(r["y"]), r["kept_tokens"], r["open_tokens"], t) if r is not None else (0, [], [], t)
        for r, t in zip(rows, truths, strict=True)
    ]
    best = (0.0, 0.5)
    for t in np.arange(0.2, 0.71, 0.05):
        at, scores = 0, []
        for n, fixed, open_tokens, truth in evals:
            scores.append(page_f1(fixed, open_tokens, probs[at : at + n] >= t, truth))
            at += n
        p, r, f = (float(np.mean([row[i] for row in scores])) for i in range(3))
        print(f"threshold {t:.2f}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} (training pages)")
        if f > best[0] and r >= 0.93:
            best = (f, float(t))
    acc = float(((probs >= best[1]) == (y > 0)).mean())
    Path(args.out).write_text(
        model.to_json(
            trained_on=f"{Path(args.data).name} training split ({len(pages)} pages)",
            lines=int(len(y)),
            line_accuracy=round(acc, 4),
            suggested_threshold=round(best[1], 2),
        ),
        encoding="utf-8",
    )
    print(f"wrote {args.out}: line accuracy {acc:.3f}, suggested model_threshold {best[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
