"""The learned line model: statistical evidence for the lines no rule claimed.

Each line is described by its own shape (length, punctuation, stopword density, capitalisation, link-like
and title-like marks, what the rules said about it) and by its surroundings (neighbours' shape, density of
prose around it, position relative to the headline and to the longest dense block). A small neural network
(one hidden layer, plain numpy) turns that into the probability that the line is article text.

The weights live in ``tasks/data/line_model.json``, trained by ``tools/train_line_model.py`` on part of the
WCXB pages only. Without the file the cleaner falls back to the longest-dense-block heuristic.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from newsdex.tasks.clean.lines import Line, is_dense, is_headline_like
from newsdex.tasks.clean.rules import Rules
from newsdex.tasks.shipped import LINE_MODEL

MODEL_PATH = LINE_MODEL
# OpenBLAS keeps a product on one thread while m·n·k ≤ 4·65536 (and m·n < 4·2304 for a vector): 64 rows
# of a 32-unit layer over ~80 features stay under both.
_BLOCK_ROWS = 64

_LINKISH = re.compile(r"https?://|www\.|\.com\b|@\w|[|»›•→]|\s/\s")
_BULLET = re.compile(r"^([-*•·–]|\d+[.)]\s)")
_DIGIT = re.compile(r"\d")
_MARKER_RULES = frozenset(("related-links", "comment-form", "comment-thread", "footer-chrome", "newsletter-promo"))
_COMMA = re.compile(r"[,;]")
# A sentence boundary inside the line: paragraphs hold several sentences, teasers and comments rarely do.
_INNER_SENTENCE = re.compile(r"[.!?][\"'”’)]?\s+[\"“‘(]?[A-Z]")

BASE_FEATURES = (
    "log_words",
    "log_chars",
    "sentence_end",
    "ends_colon",
    "stop_ratio",
    "cap_ratio",
    "digit_ratio",
    "comma_per_word",
    "linkish",
    "all_caps",
    "bullet",
    "dense",
    "headline_like",
    "repeated_in_doc",
    "title_overlap",
    "mean_word_len",
    "rule_removed",
    "rule_caption",
    "rule_kept",
    "is_title",
    "log_sentences",
)
_NEIGHBOUR = ("log_words", "sentence_end", "stop_ratio", "dense", "rule_removed", "linkish", "headline_like")
CONTEXT_FEATURES = (
    "rel_pos",
    "word_pos",
    "in_block",
    "before_block",
    "after_block",
    "dist_block",
    "after_title",
    "dense_win3",
    "dense_win10",
    "words_win3",
    "removed_win3",
    "after_h1",
    "log_markers_before",
    "marker_since_dense",
) + tuple(f"{k}{off:+d}" for off in (-2, -1, 1, 2) for k in _NEIGHBOUR)
FEATURES = BASE_FEATURES + CONTEXT_FEATURES


def _base(ln: Line, counts: Counter[str], title_tokens: set[str], dense_min: int, head_max: int) -> list[float]:
    text = ln.text
    n = ln.words
    chars = len(text)
    toks = ln.tokens
    rule_removed = ln.kept is False and ln.role not in ("title",)
    return [
        math.log1p(n),
        math.log1p(chars),
        float(ln.sentence_end),
        float(text.endswith(":")),
        ln.stop_ratio,
        ln.cap_ratio,
        len(_DIGIT.findall(text)) / chars if chars else 0.0,
        len(_COMMA.findall(text)) / n if n else 0.0,
        float(bool(_LINKISH.search(text))),
        float(text.isupper()),
        float(bool(_BULLET.match(text))),
        float(is_dense(ln, dense_min)),
        float(is_headline_like(ln, head_max)),
        float(counts[ln.norm] > 1),
        (len(title_tokens.intersection(toks)) / len(set(toks))) if toks and title_tokens else 0.0,
        (len("".join(toks)) / n) if n else 0.0,
        float(rule_removed),
        float(ln.kept is True and ln.role == "caption"),
        float(ln.kept is True and ln.role in ("heading", "paragraph")),
        float(ln.role == "title"),
        math.log1p(len(_INNER_SENTENCE.findall(text))) if n >= 8 else 0.0,
    ]


def _window_mean(x: np.ndarray, k: int) -> np.ndarray:
    c = np.concatenate(([0.0], np.cumsum(x)))
    n = len(x)
    idx = np.arange(n)
    lo = np.clip(idx - k, 0, n)
    hi = np.clip(idx + k + 1, 0, n)
    return (c[hi] - c[lo]) / (hi - lo)


def features(lines: list[Line], dense_min: int = 12, head_max: int = 16) -> np.ndarray:
    """The feature matrix (one row per line, columns as ``FEATURES``)."""
    n = len(lines)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    counts = Counter(ln.norm for ln in lines)
    title_tokens: set[str] = set()
    title_at = last_title = -1
    markers = np.zeros(n)
    since_dense = np.zeros(n)
    open_marker = 0.0
    for i, ln in enumerate(lines):
        if ln.role == "title":
            title_tokens.update(ln.tokens)
            title_at = i if title_at < 0 else title_at
            last_title = i
        # Lines after a "related", "footer" or comment marker are rarely article text.
        is_marker = ln.kept is False and ln.rule in _MARKER_RULES
        markers[i] = (markers[i - 1] if i else 0.0) + (1.0 if is_marker else 0.0)
        since_dense[i] = open_marker
        if is_marker:
            open_marker = 1.0
        elif is_dense(ln, dense_min) and ln.open:
            open_marker = 0.0
    base = np.array([_base(ln, counts, title_tokens, dense_min, head_max) for ln in lines], dtype=float)
    col = {name: base[:, i] for i, name in enumerate(BASE_FEATURES)}
    idx = np.arange(n, dtype=float)
    words = np.array([ln.words for ln in lines], dtype=float)
    dense = col["dense"] * (1 - col["rule_removed"])
    # the longest dense block: dense lines joined across gaps of fewer than 6 lines, scored by words
    best, best_score, start, last, score, gap = (-1, -1), 0.0, -1, -1, 0.0, 0
    for i in range(n):
        if dense[i]:
            if start < 0 or gap > 6:
                start, score = i, 0.0
            score += words[i]
            last, gap = i, 0
            if score > best_score:
                best, best_score = (start, last), score
        elif start >= 0:
            gap += 1
    lo, hi = best
    in_block = ((idx >= lo) & (idx <= hi)).astype(float) if lo >= 0 else np.zeros(n)
    before = (idx < lo).astype(float) if lo >= 0 else np.zeros(n)
    after = (idx > hi).astype(float) if lo >= 0 else np.zeros(n)
    dist = np.where(before > 0, lo - idx, np.where(after > 0, idx - hi, 0.0)) if lo >= 0 else np.full(n, float(n))
    cum = np.cumsum(words) - words
    total = words.sum() or 1.0
    ctx = [
        idx / max(n - 1, 1),
        cum / total,
        in_block,
        before,
        after,
        np.log1p(dist),
        (idx > title_at).astype(float) if title_at >= 0 else np.zeros(n),
        _window_mean(dense, 3),
        _window_mean(dense, 10),
        _window_mean(col["log_words"], 3),
        _window_mean(col["rule_removed"], 3),
        (idx > last_title).astype(float) if last_title >= 0 else np.zeros(n),
        np.log1p(markers),
        since_dense,
    ]
    for off in (-2, -1, 1, 2):
        for k in _NEIGHBOUR:
            v = col[k]
            shifted = np.zeros(n)
            if off < 0:
                shifted[-off:] = v[:off]
            else:
                shifted[:-off] = v[off:]
            ctx.append(shifted)
    return np.hstack([base, np.stack(ctx, axis=1)])


class LineModel:
    """Standardise, one hidden layer (ReLU), sigmoid: probability that a line is article text."""

    def __init__(
        self, mean: np.ndarray, std: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float
    ) -> None:
        self.mean, self.std, self.w1, self.b1, self.w2, self.b2 = mean, std, w1, b1, w2, b2

    def predict(self, x: np.ndarray) -> np.ndarray:
        # Standardisation folded into the first layer once: one matrix product per page.
        if not hasattr(self, "_w1s"):
            self._w1s = self.w1 / self.std[:, None]
            self._b1s = self.b1 - (self.mean / self.std) @ self.w1
        # In blocks of rows: OpenBLAS spreads a larger product over every core and its idle threads then
        # spin, which on a loaded machine cost ten times the product itself (same bits either way).
        parts = []
        for i in range(0, len(x), _BLOCK_ROWS):
            h = np.maximum(0.0, x[i : i + _BLOCK_ROWS] @ self._w1s + self._b1s)
            parts.append(h @ self.w2)
        z = np.concatenate(parts) if parts else np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(z + self.b2)))

    def to_dict(self) -> dict[str, object]:
        return {
            "mean": self.mean.round(6).tolist(),
            "std": self.std.round(6).tolist(),
            "w1": self.w1.round(5).tolist(),
            "b1": self.b1.round(5).tolist(),
            "w2": self.w2.round(5).tolist(),
            "b2": round(float(self.b2), 5),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LineModel:  # the model file's JSON: arrays, and b2 a number
        arr = np.asarray
        return cls(arr(d["mean"]), arr(d["std"]), arr(d["w1"]), arr(d["b1"]), arr(d["w2"]), float(d["b2"]))


class StackedModel:
    """Two looks: the first scores each line from its own shape and near context; the second re-scores it
    from the first look's scores around it (``newsdex.tasks.clean.context``), so a prose-like line inside a teaser
    list or after the article's end loses what it borrowed from its own shape."""

    def __init__(self, first: LineModel, second: LineModel) -> None:
        self.first, self.second = first, second

    def score(self, lines: list[Line], dense_min: int, head_max: int) -> np.ndarray:
        from newsdex.tasks.clean.context import context2, prior

        x = features(lines, dense_min, head_max)
        p1 = self.first.predict(x)
        words = np.array([ln.words for ln in lines], dtype=float)
        return self.second.predict(np.hstack([x, context2(p1, prior(lines, p1), words)]))

    def to_json(self, **info: object) -> str:
        from newsdex.tasks.clean.context import CONTEXT2_FEATURES

        data = {
            "features": list(FEATURES),
            "second_features": list(CONTEXT2_FEATURES),
            "first": self.first.to_dict(),
            "second": self.second.to_dict(),
            "info": info,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> StackedModel:
        from newsdex.tasks.clean.context import CONTEXT2_FEATURES

        d = json.loads(text)
        if tuple(d.get("features", ())) != FEATURES or tuple(d.get("second_features", ())) != CONTEXT2_FEATURES:
            raise ValueError("line model was trained on other features: retrain with tools/train_line_model.py")
        return cls(LineModel.from_dict(d["first"]), LineModel.from_dict(d["second"]))


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> StackedModel | None:
    try:
        return StackedModel.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def line_scorer(rules: Rules) -> Callable[[list[Line]], list[float]] | None:
    model = load_model()
    if model is None:
        return None
    th = rules.thresholds

    def score(lines: list[Line]) -> list[float]:
        if not lines:
            return []
        return model.score(lines, th.dense_min_words, th.heading_max_words).tolist()

    return score
