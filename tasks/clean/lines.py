"""Line shapes for the cleaner: splitting, normalising, and the cheap per-line measurements rules look at."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from newsdex.tasks.clean.rules import normalise

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_WORD = re.compile(r"\w+")
_ALPHA_WORD = re.compile(r"[^\W\d_]+")
# A sentence ends with . ! ? (or … ;), possibly followed by closing quotes or brackets; the full stops of
# Chinese and Japanese (。！？；), Arabic and Urdu (؟ ۔), the Indic danda (।), Armenian (։) and Ethiopic (።) too.
_SENTENCE_END = re.compile(r"[.!?…;。！？；؟۔।։።][\"'”’»)\]」』）]*$")
# Scripts written without spaces between words: CJK ideographs, kana, Thai, Lao, Khmer, Myanmar. A line of them
# is one \w+ "word"; its words are counted as its characters / CHARS_PER_WORD instead.
SPACELESS = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHARS_PER_WORD = 2  # Chinese words average 1.5-2 characters, Japanese about 2 (counting kana)

STOPWORDS = frozenset(
    """a about after all also an and any are as at be been but by can could did do does for from had has have he
    her his how i if in into is it its just may me might more most my no not of on one or other our out over
    said says she so some such than that the their them then there these they this those to up was we were what
    when where which while who will with would you your""".split()
)


def word_count(text: str) -> int:
    """Words of a text: its whitespace-separated pieces, and CHARS_PER_WORD characters of a spaceless script as
    one word (a Chinese article of 2,000 characters holds a few dozen spaces: its words were under-counted and
    the HTML path took it for a page without text)."""
    n = len(text.split())
    if SPACELESS.search(text):
        n += len(SPACELESS.findall(text)) // CHARS_PER_WORD
    return n


def split_lines(text: str) -> list[str]:
    """Non-empty lines, with odd spaces folded and ends stripped (blank lines carry nothing)."""
    # One substitution for the whole text: the odd spaces never include a line break.
    return [line for raw in _SPACES.sub(" ", text).splitlines() if (line := raw.strip())]


@dataclass(slots=True)
class Line:
    text: str
    norm: str
    words: int
    tokens: list[str] = field(repr=False)
    stop_ratio: float
    cap_ratio: float  # share of alphabetic words that start with a capital letter
    sentence_end: bool
    # decision, filled by the cleaner
    kept: bool | None = None
    rule: str | None = None
    role: str = "paragraph"

    @classmethod
    def of(cls, text: str, stopwords: frozenset[str] = STOPWORDS, stop_scale: float = 1.0) -> Line:
        """``stopwords``/``stop_scale``: the page language's list (tasks/clean/stoplists.py); English by default."""
        tokens = _WORD.findall(text.lower())
        alpha = _ALPHA_WORD.findall(text)
        n = len(tokens)
        stops = sum(map(stopwords.__contains__, tokens))
        if n and SPACELESS.search(text):
            # One "word" per clause otherwise: every Chinese line looked like a menu item, none like prose.
            chars = SPACELESS.findall(text)
            n += len(chars) // CHARS_PER_WORD
            stops += sum(map(stopwords.__contains__, chars))  # single-character function words of the language
        caps = sum(1 for w in alpha if w[0].isupper())
        return cls(
            text=text,
            # the tokens joined are the normalised form unless "_" (a word character, not a letter) occurs
            norm=" ".join(tokens) if "_" not in text else normalise(text),
            words=n,
            tokens=tokens,
            stop_ratio=min(1.0, stop_scale * stops / n) if n else 0.0,
            cap_ratio=caps / len(alpha) if alpha else 0.0,
            sentence_end=bool(_SENTENCE_END.search(text)),
        )

    def decide(self, kept: bool, rule: str | None, role: str) -> None:
        self.kept, self.rule, self.role = kept, rule, role

    @property
    def open(self) -> bool:
        return self.kept is None


def is_dense(line: Line, min_words: int) -> bool:
    """Article prose: enough ordinary words (stopwords) ending a sentence; not a headline, names or links."""
    return line.words >= min_words and line.stop_ratio >= 0.15 and (line.sentence_end or line.words >= 3 * min_words)


def is_headline_like(line: Line, max_words: int) -> bool:
    """A short line that does not end a sentence: a headline, subheading, teaser or menu item."""
    return 0 < line.words <= max_words and not line.sentence_end and not line.text.endswith(":")


def is_keyboard_junk(line: Line, min_len: int, max_distinct: int) -> bool:
    """One long token in the Latin alphabet made of very few distinct letters ("fdfddfdffddfdfdf") or with no
    vowel at all. Only Latin letters are judged: a line of Chinese, Japanese, Thai or Arabic is one long
    "token" with no Latin vowel, and is text (it was removed as junk before)."""
    t = line.text
    if " " in t or len(t) < min_len or not t.isalpha():
        return False
    low = strip_marks(t.lower())
    if not _LATIN_WORD.fullmatch(low):
        return False
    if len(set(low)) <= max_distinct:
        return True
    return len(t) >= 8 and not _VOWEL.search(low)


_LATIN_WORD = re.compile(r"[a-z\u00df\u00e6\u00f0\u00f8\u00fe\u0131\u0142\u0153]+")
_VOWEL = re.compile(r"[aeiouyw\u00e6\u00f8\u0153]")  # w: a vowel in Welsh ("cwmwd")


def strip_marks(text: str) -> str:
    """Letters without their accents ("ř" → "r"), for comparing shapes across Latin-script languages."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(r"\b(?P<mon>[a-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b", re.I),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]{3})[a-z]*\.?,?\s+(?P<y>\d{4})\b", re.I),
)


def parse_date(text: str) -> str | None:
    """ISO date from a dateline ("Jan 21, 2025 10:35", "21 January 2025", "2025-01-21"), else None."""
    for pat in _DATE_PATTERNS:
        m = pat.search(text)
        if not m:
            continue
        g = m.groupdict()
        month = int(g["m"]) if g.get("m") else _MONTHS.get(g["mon"].lower()[:3], 0)
        try:
            return date(int(g["y"]), month, int(g["d"])).isoformat()
        except ValueError:
            continue
    return None
