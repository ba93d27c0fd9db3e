"""The copy-detection benchmark's documents (``bench/copies.py``): originals, their syndicated copies, hard
negatives and the seeds, built from one extraction set, deterministic by seed, then cleaned by newsdex's own
text cleaner exactly as ingest cleans a ``.txt`` (``bench.cleaning._ours("text")``).

A copy is the original's text re-published by another site: that site's chrome around it (header, footer, ad
and share lines between paragraphs), a new headline, the last paragraphs cut, an editor's line or a local
paragraph added, quotes and dashes swapped, paragraphs reflowed. Hard negatives are pairs of story groups that
must never be merged: two articles of one site, the most similar non-copy articles of the set (shared words,
shared capitalised names), a synthetic follow-up on the same event (background paragraphs and names of the
original around another article's text), and the five seed articles (some about the same events).
"""

from __future__ import annotations

import itertools
import random
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newsdex.index.fingerprint import resemblance, shingles, signature, words
from tools import boilerplate as bp
from tools.corpus import DEFAULT_SEEDS, Article, _load_dataset

MIN_WORDS = 120  # originals shorter than this are not news articles worth syndicating
_WORD = re.compile(r"\w+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")  # "Kim Jong Un", "New York": names and places
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z“\"])")

EDITOR = [
    "This story was updated with {what}.",
    "This article was updated on {day} with {what}.",
    "Reporting by {n1} in {city}; editing by {n2}",
    "(Reporting by {n1}; Additional reporting by {n2}; Editing by {n3})",
    "{agency} contributed to this report.",
    "Updated at {hh}:{mm} {tz}",
]
WHAT = [
    "comment from the company",
    "additional reporting",
    "the latest figures",
    "a statement from officials",
    "new details",
    "reaction from local leaders",
]
CITIES = ["London", "Paris", "Berlin", "Chicago", "Toronto", "Sydney", "Madrid", "Nairobi", "Mumbai", "Denver"]
LOCAL = [
    "In {city}, {n1}, who runs a small business near the station, said the news had been the talk of the "
    'week. "People here want to know what it means for them," {n1} said.',
    "Local officials in {city} said they were following the situation closely and would brief residents at "
    "a town hall meeting next {day}.",
    "Readers in {city} can find more coverage of the story in our local section, including reaction from "
    "{n1} of the {city} Chamber of Commerce.",
]
HEADLINE = ["{t}", "UPDATE 1-{t}", "{t}: what we know", "{t} - report", "Explainer: {t}", "{lead}", "{lead}…"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
FOLLOW_LEAD = [
    "{a} said on {day} that the matter was far from settled, days after the events first reported in {place}.",
    "New questions emerged on {day} for {a} and {b}, as officials in {place} moved on to other business.",
    "Days later, {a} returned to {place}, where the mood had changed.",
]


@dataclass
class Doc:
    id: str
    group: str  # the story: an original and its copies share it
    kind: str  # original | copy | followup | seed
    site: str
    url: str
    raw: str
    body: str = ""  # after newsdex's cleaner: what is fingerprinted
    recipe: str = ""  # which transformations made it (copies)


@dataclass
class Bench:
    name: str
    docs: list[Doc]
    negatives: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # kind -> pairs of groups

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for d in self.docs:
            out.setdefault(d.group, []).append(d.id)
        return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def load_articles(folder: Path) -> list[Article]:
    """The set's articles with their site chrome (tools/corpus.py), kept when the true text has MIN_WORDS, and
    only the first of near-duplicates (wcxb-dev holds one page under two URLs): the ground truth must not
    call two copies of one text different stories."""
    arts = [a for a in _load_dataset(folder) if len(_words(" ".join(a.paragraphs))) >= MIN_WORDS]
    sets = [shingles(words(" ".join(a.paragraphs)), 5) for a in arts]
    sigs = np.array([signature(s, 64) for s in sets])
    kept: list[int] = []
    for i in range(len(arts)):
        # MinHash agreement only picks the pairs worth the exact check
        near = [j for j in kept if (sigs[j] == sigs[i]).mean() > 0.05]
        if not any(resemblance(sets[i], sets[j]).containment >= 0.5 for j in near):
            kept.append(i)
    return [arts[i] for i in kept]


def _fill(rng: random.Random, template: str, **extra: str) -> str:
    names = rng.sample(bp.NAMES, 3)
    values = {
        "n1": names[0],
        "n2": names[1],
        "n3": names[2],
        "city": rng.choice(CITIES),
        "day": rng.choice(DAYS),
        "what": rng.choice(WHAT),
        "agency": rng.choice(bp.AGENCIES).split()[0],
        "hh": f"{rng.randint(0, 23):02d}",
        "mm": f"{rng.randint(0, 59):02d}",
        "tz": rng.choice(["GMT", "ET", "CET"]),
        **extra,
    }
    return template.format(**values)


def _interleave(rng: random.Random, paras: list[str], pool: list[Article], share: float) -> list[str]:
    """Paragraphs with the ad/share/caption/promo lines a page puts between them (on ``share`` of the gaps)."""
    out: list[str] = []
    for n, p in enumerate(paras):
        out.append(p)
        if 0 < n < len(paras) - 1 and rng.random() < share:
            for extra in bp.interstitial(rng, p):
                out.append(rng.choice(pool).title if extra == "placeholder-related" else extra)
    return out


def _page(
    rng: random.Random, site: str, title: str, chrome: tuple[str, ...], body: list[str], pool: list[Article]
) -> list[str]:
    related = [rng.choice(pool).title for _ in range(rng.randint(2, 4))]
    return [*bp.header(rng, site, title, list(chrome)), *body, *bp.footer(rng, site, related, list(chrome))]


def _swap_quotes(rng: random.Random, text: str) -> str:
    if rng.random() < 0.5:  # curly → straight
        text = text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))
        return text.replace(" — ", " - ").replace(" – ", " - ").replace("—", "-")
    # straight → curly, alternating open/close
    quotes = itertools.cycle("“”")
    text = re.sub('"', lambda _m: next(quotes), text).replace("'", "’")
    return text.replace(" - ", rng.choice([" – ", " — "]))


def _reflow(rng: random.Random, paras: list[str]) -> tuple[list[str], str]:
    mode = rng.choice(["join", "split", "wrap"])
    if mode == "join":  # two paragraphs become one line
        return [" ".join(paras[i : i + 2]) for i in range(0, len(paras), 2)], mode
    if mode == "split":  # one sentence a line
        return [s for p in paras for s in _SENTENCE.split(p) if s.strip()], mode
    width = rng.randint(60, 80)  # hard-wrapped like an e-mail or a wire feed: lines end mid-sentence
    return [textwrap.fill(p, width) for p in paras], mode


def make_copy(rng: random.Random, art: Article, donor: Article, pool: list[Article]) -> tuple[str, str]:
    """(raw text, recipe) of one syndicated copy of ``art`` on ``donor``'s site."""
    paras = list(art.paragraphs)
    recipe = [f"on:{donor.site}"]
    title = art.title
    if rng.random() < 0.6:
        lead = " ".join(paras[0].split()[:12])
        title = rng.choice(HEADLINE).format(t=art.title, lead=lead)
        recipe.append("headline")
    if rng.random() < 0.5 and len(paras) >= 5:
        cut = rng.randint(1, min(3, len(paras) - 4))
        paras = paras[:-cut]
        recipe.append(f"cut{cut}")
    if rng.random() < 0.5:
        line = _fill(rng, rng.choice(EDITOR + LOCAL))
        if rng.random() < 0.75:
            paras.append(line)
        else:
            paras.insert(rng.randint(0, min(2, len(paras))), line)
        recipe.append("editor")
    if rng.random() < 0.5:
        paras = [_swap_quotes(rng, p) for p in paras]
        recipe.append("quotes")
    if rng.random() < 0.5:
        paras, mode = _reflow(rng, paras)
        recipe.append(mode)
    body = _interleave(rng, paras, pool, share=rng.choice([0.0, 0.5, 1.0]))
    lines = _page(rng, donor.site, title, donor.chrome, body, pool)
    sep = "\n\n" if rng.random() < 0.7 else "\n"
    return sep.join(lines) + "\n", " ".join(recipe)


def _names(text: str) -> list[str]:
    return [n for n, _ in Counter(_NAME.findall(text)).most_common(6)]


def make_followup(rng: random.Random, art: Article, others: list[Article], donor: Article, pool: list[Article]) -> str:
    """A different story on the same event: a new lead with the original's names, a background passage of the
    original (1–2 paragraphs, at most a third of it: some truths are one long paragraph), and other articles'
    text, at least twice as long as the background."""
    names = _names(" ".join(art.paragraphs)) or [art.site]
    a, b, place = (names * 3)[:3]
    lead = rng.choice(FOLLOW_LEAD).format(a=a, b=b, place=place, day=rng.choice(DAYS))
    sentences = [s for p in art.paragraphs for s in _SENTENCE.split(p) if s.strip()]
    budget = max(25, len(_words(" ".join(art.paragraphs))) // 3)
    start = rng.randrange(max(1, len(sentences) - 2))
    background: list[str] = []
    for s in sentences[start:]:
        if background and len(_words(" ".join(background) + " " + s)) > budget:
            break
        background.append(s)
    n_bg = len(_words(" ".join(background)))
    half = len(background) // 2 if len(background) > 3 and rng.random() < 0.5 else len(background)
    background = [" ".join(background[:half]), " ".join(background[half:])]
    fresh: list[str] = []
    for other in others:
        for p in other.paragraphs:
            fresh.append(p)
            if len(_words(" ".join(fresh))) >= max(150, 2 * n_bg):
                break
        else:
            continue
        break
    cut = rng.randint(1, max(1, len(fresh) - 1))
    body = [
        lead,
        *fresh[:cut],
        *[p for p in background if p],
        f"{a} and {b} did not respond to requests for comment.",
        *fresh[cut:],
    ]
    lines = _page(rng, donor.site, f"{a}: {rng.choice(WHAT)}", donor.chrome, _interleave(rng, body, pool, 0.5), pool)
    return "\n\n".join(lines) + "\n"


def _similar_pairs(arts: list[Article], top: int) -> set[tuple[int, int]]:
    """The ``top`` pairs by shared-word Jaccard, by shared capitalised names and by shared 3-word phrases."""
    wsets = [set(_words(" ".join(a.paragraphs))) for a in arts]
    nsets = [set(_NAME.findall(" ".join(a.paragraphs))) for a in arts]
    ssets = [shingles(words(" ".join(a.paragraphs)), 3) for a in arts]
    by_words, by_names, by_shingles = [], [], []
    for i, j in itertools.combinations(range(len(arts)), 2):
        shared = len(wsets[i] & wsets[j])
        by_words.append((shared / (len(wsets[i]) + len(wsets[j]) - shared), i, j))
        by_names.append((len(nsets[i] & nsets[j]), i, j))
        if shared > 40:  # what the detector itself sees: shared 3-word phrases (only worth it with many words)
            by_shingles.append((resemblance(ssets[i], ssets[j]).containment, i, j))
    out: set[tuple[int, int]] = set()
    for ranked in (by_words, by_names, by_shingles):
        ranked.sort(reverse=True)
        out |= {(i, j) for v, i, j in ranked[:top] if v > 0}
    return out


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def build(folder: Path, limit: int, seed: int, clean, seeds: Path = DEFAULT_SEEDS) -> Bench:
    """The benchmark documents of one extraction set (``limit`` originals), cleaned with ``clean(text, url)``."""
    name = folder.name
    rng = random.Random(f"newsdex-copies:{seed}:{name}")
    everything = load_articles(folder)
    # Follow-ups take their fresh text from articles that are not originals here: text of a sampled original
    # would make the follow-up a partial copy of it, a true match the ground truth would call a false one.
    # Each follow-up has two fillers of its own: two follow-ups sharing a filler would be copies of each other.
    filler_n = max(10, len(everything) // 5)
    shuffled = rng.sample(everything, len(everything))
    filler = shuffled[:filler_n]
    arts = sorted(shuffled[filler_n : filler_n + limit], key=lambda a: a.key)
    donors = [a for a in everything if a.chrome]
    docs: list[Doc] = []
    negatives: dict[str, set[tuple[str, str]]] = {
        "same-site": set(),
        "similar": set(),
        "follow-up": set(),
        "seeds": set(),
    }
    gid = [f"{name}:{i}" for i in range(len(arts))]
    for i, art in enumerate(arts):
        raw = (
            "\n\n".join(
                _page(
                    rng,
                    art.site,
                    art.title,
                    art.chrome,
                    _interleave(rng, list(art.paragraphs), everything, 0.5),
                    everything,
                )
            )
            + "\n"
        )
        docs.append(Doc(f"{gid[i]}/0", gid[i], "original", art.site, art.url, raw))
        for c in range(1, rng.randint(1, 4) + 1):
            donor = rng.choice([d for d in donors if d.site != art.site] or donors)
            text, recipe = make_copy(rng, art, donor, everything)
            url = f"https://{donor.site}/news/{seed}-{i}-{c}"
            docs.append(Doc(f"{gid[i]}/{c}", gid[i], "copy", donor.site, url, text, recipe=recipe))
    # (a) every pair of different articles of one site
    for i, j in itertools.combinations(range(len(arts)), 2):
        if arts[i].site == arts[j].site:
            negatives["same-site"].add(_pair(gid[i], gid[j]))
    # (b) the most similar non-copy pairs of the set
    negatives["similar"] = {_pair(gid[i], gid[j]) for i, j in _similar_pairs(arts, top=max(20, len(arts) // 10))}
    # (c) follow-ups on a fifth of the originals: same names and background, a different story
    for n, i in enumerate(rng.sample(range(len(arts)), min(len(filler) // 2, max(5, len(arts) // 5)))):
        others = filler[2 * n : 2 * n + 2]
        donor = rng.choice(donors)
        fid = f"{name}:f{n}"
        raw = make_followup(rng, arts[i], others, donor, everything)
        docs.append(Doc(f"{fid}/0", fid, "followup", donor.site, f"https://{donor.site}/news/f{seed}-{n}", raw))
        negatives["follow-up"].add(_pair(fid, gid[i]))
    # the seeds as they are (scraped pages), each its own story
    seed_ids = []
    for path in sorted(Path(seeds).glob("*.txt")):
        sid = f"seed:{path.stem}"
        seed_ids.append(sid)
        docs.append(
            Doc(
                f"{sid}/0",
                sid,
                "seed",
                "fakti.bg",
                f"https://fakti.bg/en/{path.stem}",
                path.read_text(encoding="utf-8", errors="replace"),
            )
        )
    negatives["seeds"] = {_pair(a, b) for a, b in itertools.combinations(seed_ids, 2)}
    for d in docs:
        d.body = clean(d.raw, d.url)
    return Bench(name, docs, negatives)
