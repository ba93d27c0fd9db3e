"""Analysis per language: which index fields a document's text goes to, and the analyzer of each.

Each language family has its own text fields (``title_de``, ``headings_de``, ``body_de``, ``captions_de``), as
Elasticsearch users lay out a multilingual index (docs/languages.md says why):

- English, and documents whose language is unknown, keep the original unsuffixed fields and their analyzer
  (Whoosh's StemmingAnalyzer: Porter, no stop list), so an English index is what it always was;
- a language Snowball covers (PyStemmer: German, French, Spanish, Russian, Arabic, Greek…) is lower-cased and
  stemmed by its own stemmer;
- Chinese is segmented by jieba, Japanese by Sudachi (its core dictionary), Korean by Kiwi (morphemes, the
  particles and endings dropped so a noun is found with its particle attached);
- every other language (``xx``): words unstemmed, lower-cased and accent-folded, and any run of Chinese,
  Japanese or Korean script cut into overlapping bigrams as Lucene's CJKAnalyzer does.

A query is analysed for each family the index holds (``families_of``), or those of ``--lang``: a word becomes
one clause per family's field, each made by that field's analyzer. The schema is pickled into every index's
table of contents with these classes in it: keep their import path (``newsdex.index.analysis``) and names.

Nothing here loads a segmenter until text of its language comes: an English search never loads jieba, Sudachi
or Kiwi. Every dictionary and model ships in a locked package; nothing is downloaded.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    Token,
    Tokenizer,
)
from whoosh.fields import TEXT

BASE = ""  # the family of English and of documents whose language is unknown: the unsuffixed fields
FALLBACK = "xx"  # every language without a stemmer or segmenter of its own
TEXT_FIELDS = ("title", "headings", "body", "captions")  # one of each per family; byline (names) is shared
BOOSTS = {"title": 2.0, "headings": 1.5}
SPELLING = ("title", "body")  # fields whose unstemmed words Whoosh keeps for did-you-mean

# ISO 639-1 code (as py3langid gives it) -> Snowball algorithm (PyStemmer's name).
SNOWBALL: dict[str, str] = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "eo": "esperanto",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "fa": "persian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
SEGMENTED = ("zh", "ja", "ko")  # jieba, Sudachi, Kiwi
_SAME_FAMILY = {"nn": "no", "nb": "no", "yue": "zh", "wuu": "zh"}  # Nynorsk/Bokmål, Cantonese, Wu Chinese
FAMILIES: tuple[str, ...] = (BASE, *sorted(SNOWBALL), *SEGMENTED, FALLBACK)


def family(language: str | None) -> str:
    """The field family of a document in ``language`` (an ISO 639-1 code, or None when unknown)."""
    if not language:
        return BASE
    code = language.strip().lower().replace("_", "-").split("-")[0]
    code = _SAME_FAMILY.get(code, code)
    if code == "en":
        return BASE
    if code in SNOWBALL or code in SEGMENTED:
        return code
    return FALLBACK


def field_name(base: str, fam: str) -> str:
    """``body`` in family ``de`` is ``body_de``; in the base family, ``body``."""
    return f"{base}_{fam}" if fam else base


def base_of(field: str | None) -> str:
    """The text field a family's field stands for (``body_de`` -> ``body``); any other field as it is (a query
    leaf without a field, such as the parser's error placeholder: "")."""
    if not field:
        return ""
    head, _, tail = field.rpartition("_")
    return head if head in TEXT_FIELDS and tail in FAMILIES else field


def family_of_field(field: str) -> str | None:
    """The family of a text field (``body_de`` -> ``de``, ``body`` -> ``""``); None for other fields."""
    if field in TEXT_FIELDS:
        return BASE
    head, _, tail = field.rpartition("_")
    return tail if head in TEXT_FIELDS and tail in FAMILIES else None


def families_of(languages: Iterable[str | None]) -> list[str]:
    """The families of these languages, in FAMILIES order (the base family first)."""
    found = {family(code) for code in languages}
    return [f for f in FAMILIES if f in found]


def indexed_families(reader: Any, languages: Iterable[str] | None = None) -> list[str]:
    """The families whose fields a query must meet: those of the languages the index holds (its ``language``
    terms), or of ``languages`` (``--lang``). Only families whose body field the schema has."""
    held: set[str] = set()
    if "language" in reader.schema:
        held = {t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("language")}
    wanted = [c.strip().lower() for c in languages or [] if c.strip()]
    # The base fields always: an index written before languages had fields of their own holds every text there.
    fams = [BASE, *families_of(wanted or held)]
    return [f for f in dict.fromkeys(fams) if field_name("body", f) in reader.schema]


# Analyzers


class SnowballStem:
    """A picklable stemming function for Whoosh's StemFilter: the Snowball algorithm of one language (PyStemmer,
    in C). Only the language's name is pickled; the stemmer is made on first use in each process."""

    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm
        self._stemmer: Any = None

    def __call__(self, word: str) -> str:
        if self._stemmer is None:
            import Stemmer

            self._stemmer = Stemmer.Stemmer(self.algorithm)
        return self._stemmer.stemWord(word)

    def __getstate__(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.algorithm = state["algorithm"]
        self._stemmer = None

    def __eq__(self, other: object) -> bool:
        return type(other) is SnowballStem and other.algorithm == self.algorithm

    def __hash__(self) -> int:
        return hash(("snowball", self.algorithm))


_FOLDED_BELOW = 0x0400  # Latin and Greek letters and combining marks: their diacritics are dropped
_FOLDED_EXTRA = (0x1E00, 0x1FFF)  # Latin Extended Additional (Vietnamese), Greek Extended


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """``word`` with Latin and Greek letters stripped of their diacritics (é -> e, ά -> α; ł stays), Cyrillic ё as
    е, and compatibility forms unified (full-width Ａ -> A, half-width ｶ -> カ). Other scripts keep their marks:
    Cyrillic й is a letter of its own, and a Japanese dakuten or a Hangul syllable is never taken apart."""
    if word.isascii():
        return word
    word = unicodedata.normalize("NFKC", word)
    out: list[str] = []
    for ch in word:
        o = ord(ch)
        if o < _FOLDED_BELOW or _FOLDED_EXTRA[0] <= o <= _FOLDED_EXTRA[1]:
            out.extend(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        else:
            out.append(ch)
    return "".join(out).replace("ё", "е")


class FoldFilter(Filter):
    """Accent folding (``fold``): a reader who types ``economie`` finds ``économie``."""

    def __eq__(self, other: object) -> bool:
        return type(other) is FoldFilter

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2FFFF
        or 0xF900 <= o <= 0xFAFF  # Han
        or 0x3040 <= o <= 0x30FF
        or 0x31F0 <= o <= 0x31FF
        or 0xFF66 <= o <= 0xFF9F  # kana
        or 0xAC00 <= o <= 0xD7AF
        or 0x1100 <= o <= 0x11FF
        or 0x3130 <= o <= 0x318F  # Hangul
    )


def _mark_class() -> str:
    """Every combining mark of the Basic Multilingual Plane as a regex class body: Python's ``\\w`` leaves them out,
    so the vowel signs of Hindi, Bengali or Tamil would cut every word in pieces."""
    ranges: list[list[int]] = []
    for o in range(0x300, 0x10000):
        if unicodedata.category(chr(o)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == o - 1:
                ranges[-1][1] = o
            else:
                ranges.append([o, o])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if b > a else f"\\u{a:04x}" for a, b in ranges)


_MARKS = (  # _mark_class() under Unicode 14.0.0 (Python 3.11): computing it costs ~25 ms an import
    r"\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7\u0610-"
    r"\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed\u0711\u0730-"
    r"\u074a\u07a6-\u07b0\u07eb-\u07f3\u07fd\u0816-\u0819\u081b-\u0823\u0825-\u0827\u0829-"
    r"\u082d\u0859-\u085b\u0898-\u089f\u08ca-\u08e1\u08e3-\u0903\u093a-\u093c\u093e-\u094f\u0951-"
    r"\u0957\u0962-\u0963\u0981-\u0983\u09bc\u09be-\u09c4\u09c7-\u09c8\u09cb-\u09cd\u09d7\u09e2-"
    r"\u09e3\u09fe\u0a01-\u0a03\u0a3c\u0a3e-\u0a42\u0a47-\u0a48\u0a4b-\u0a4d\u0a51\u0a70-"
    r"\u0a71\u0a75\u0a81-\u0a83\u0abc\u0abe-\u0ac5\u0ac7-\u0ac9\u0acb-\u0acd\u0ae2-\u0ae3\u0afa-"
    r"\u0aff\u0b01-\u0b03\u0b3c\u0b3e-\u0b44\u0b47-\u0b48\u0b4b-\u0b4d\u0b55-\u0b57\u0b62-"
    r"\u0b63\u0b82\u0bbe-\u0bc2\u0bc6-\u0bc8\u0bca-\u0bcd\u0bd7\u0c00-\u0c04\u0c3c\u0c3e-\u0c44\u0c46-"
    r"\u0c48\u0c4a-\u0c4d\u0c55-\u0c56\u0c62-\u0c63\u0c81-\u0c83\u0cbc\u0cbe-\u0cc4\u0cc6-"
    r"\u0cc8\u0cca-\u0ccd\u0cd5-\u0cd6\u0ce2-\u0ce3\u0d00-\u0d03\u0d3b-\u0d3c\u0d3e-\u0d44\u0d46-"
    r"\u0d48\u0d4a-\u0d4d\u0d57\u0d62-\u0d63\u0d81-\u0d83\u0dca\u0dcf-\u0dd4\u0dd6\u0dd8-\u0ddf\u0df2-"
    r"\u0df3\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18-"
    r"\u0f19\u0f35\u0f37\u0f39\u0f3e-\u0f3f\u0f71-\u0f84\u0f86-\u0f87\u0f8d-\u0f97\u0f99-"
    r"\u0fbc\u0fc6\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-"
    r"\u1074\u1082-\u108d\u108f\u109a-\u109d\u135d-\u135f\u1712-\u1715\u1732-\u1734\u1752-"
    r"\u1753\u1772-\u1773\u17b4-\u17d3\u17dd\u180b-\u180d\u180f\u1885-\u1886\u18a9\u1920-\u192b\u1930-"
    r"\u193b\u1a17-\u1a1b\u1a55-\u1a5e\u1a60-\u1a7c\u1a7f\u1ab0-\u1ace\u1b00-\u1b04\u1b34-"
    r"\u1b44\u1b6b-\u1b73\u1b80-\u1b82\u1ba1-\u1bad\u1be6-\u1bf3\u1c24-\u1c37\u1cd0-\u1cd2\u1cd4-"
    r"\u1ce8\u1ced\u1cf4\u1cf7-\u1cf9\u1dc0-\u1dff\u20d0-\u20f0\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-"
    r"\u302f\u3099-\u309a\ua66f-\ua672\ua674-\ua67d\ua69e-\ua69f\ua6f0-\ua6f1\ua802\ua806\ua80b\ua823-"
    r"\ua827\ua82c\ua880-\ua881\ua8b4-\ua8c5\ua8e0-\ua8f1\ua8ff\ua926-\ua92d\ua947-\ua953\ua980-"
    r"\ua983\ua9b3-\ua9c0\ua9e5\uaa29-\uaa36\uaa43\uaa4c-\uaa4d\uaa7b-\uaa7d\uaab0\uaab2-\uaab4\uaab7-"
    r"\uaab8\uaabe-\uaabf\uaac1\uaaeb-\uaaef\uaaf5-\uaaf6\uabe3-\uabea\uabec-\uabed\ufb1e\ufe00-"
    r"\ufe0f\ufe20-\ufe2f"
)
_LETTER = r"[\w" + _MARKS + "]"
WORD_PATTERN = re.compile(_LETTER + r"+(?:\." + _LETTER + r"+)*")  # Whoosh's default word, marks kept in it
_WORD = WORD_PATTERN
CJK_TEXT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _start(positions: bool, chars: bool, removestops: bool, mode: str, kwargs: dict) -> Token:
    t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
    t.boost = 1.0
    t.stopped = False
    return t


class _SegmentingTokenizer(Tokenizer):
    """A tokenizer over (word, start, end, same_position) pieces of the text (``pieces``); lower-cased."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def pieces(self, text: str, mode: str) -> Iterator[tuple[str, int, int, bool]]:
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = _start(positions, chars, removestops, mode, kwargs)
        if not tokenize:
            t.original = t.text = value
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        for word, start, end, same in self.pieces(value, mode):
            if not same:
                pos += 1
            t.text = word.lower()
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


def _words_and_bigrams(text: str, offset: int = 0) -> Iterator[tuple[str, int, int, bool]]:
    """Words; runs of CJK script inside them as overlapping bigrams (a lone character as itself)."""
    for m in _WORD.finditer(text):
        word, start = m.group(0), m.start()
        if not CJK_TEXT.search(word):
            yield word, offset + start, offset + m.end(), False
            continue
        i = 0
        while i < len(word):
            j = i
            cjk = _is_cjk(word[i])
            while j < len(word) and _is_cjk(word[j]) == cjk:
                j += 1
            if not cjk:
                yield word[i:j], offset + start + i, offset + start + j, False
            elif j - i == 1:
                yield word[i], offset + start + i, offset + start + j, False
            else:
                for k in range(i, j - 1):
                    yield word[k : k + 2], offset + start + k, offset + start + k + 2, False
            i = j


class BigramTokenizer(_SegmentingTokenizer):
    """Lucene's CJKAnalyzer idea for scripts without spaces and no segmenter of their own: words as Whoosh's
    default tokenizer finds them, and CJK runs as overlapping bigrams."""

    def pieces(self, text: str, mode: str) -> Iterator[tuple[str, int, int, bool]]:
        return _words_and_bigrams(text)


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _LOCK:
        jieba.dt.check_initialized()
    return jieba.dt


class ChineseTokenizer(_SegmentingTokenizer):
    """jieba's words. Indexing also adds the dictionary words inside a long word at its position (jieba's
    search mode), so ``房地产`` is found inside ``房地产市场`` and a phrase across them still matches."""

    def pieces(self, text: str, mode: str) -> Iterator[tuple[str, int, int, bool]]:
        for run, offset, cjk in _runs(text):
            if not cjk:  # Latin words and numbers between Chinese ones: as any other language's
                yield from _words_and_bigrams(run, offset)
                continue
            dt = _jieba()  # loaded only when Chinese script comes: an English query never loads it
            for word, start, end in dt.tokenize(run, HMM=True):
                yield from self._word(dt, word, offset + start, offset + end, mode)

    @staticmethod
    def _word(dt: Any, word: str, start: int, end: int, mode: str) -> Iterator[tuple[str, int, int, bool]]:
        if not any(ch.isalnum() for ch in word):
            return  # punctuation
        yield word, start, end, False
        if mode != "query" and len(word) > 2:
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    gram = word[i : i + n]
                    if gram != word and dt.FREQ.get(gram):
                        yield gram, start + i, start + i + n, True


@lru_cache(maxsize=1)
def _sudachi() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


# Sudachi's parts of speech that carry no word to search: particles, auxiliary verbs, symbols, blanks.
_JA_DROP = ("助詞", "助動詞", "補助記号", "空白")
_SUDACHI_MAX = 40_000  # Sudachi refuses input over 49,149 bytes: longer text is analysed in pieces


class JapaneseTokenizer(_SegmentingTokenizer):
    """Sudachi's shortest units (mode A), each as its normalised form (``増え`` -> ``増える``), particles and
    auxiliaries dropped (positions count only the words kept, so a phrase matches without them)."""

    def pieces(self, text: str, mode: str) -> Iterator[tuple[str, int, int, bool]]:
        for run, at, cjk in _runs(text):
            if cjk:
                yield from self._morphemes(run, at)
            else:  # Latin words and numbers: as written (Sudachi would respell English words in katakana)
                yield from _words_and_bigrams(run, at)

    @staticmethod
    def _morphemes(text: str, at: int) -> Iterator[tuple[str, int, int, bool]]:
        tok = _sudachi()
        for offset, piece in _chunks(text, _SUDACHI_MAX // 3):
            offset += at
            with _LOCK:
                morphemes = [
                    (m.normalized_form(), m.part_of_speech()[0], m.begin(), m.end()) for m in tok.tokenize(piece)
                ]
            for form, pos, begin, end in morphemes:
                if pos in _JA_DROP or not any(ch.isalnum() for ch in form):
                    continue
                if not CJK_TEXT.search(form):
                    yield from _words_and_bigrams(piece[begin:end], offset + begin)
                    continue
                yield form, offset + begin, offset + end, False


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    return Kiwi()


# Kiwi's tags that carry no word to search: particles (J), endings (E), affixes making verbs and adjectives
# (XSV, XSA), punctuation and symbols (SF, SP, SS*, SE, SO, SW), interjections.
_KO_DROP = re.compile(r"^(J|E|XSV|XSA|XSM|S[FPSEOWB]|IC|UN|W_)")


class KoreanTokenizer(_SegmentingTokenizer):
    """Kiwi's morphemes, particles and endings dropped: ``정부가`` (government + subject particle) is indexed as
    ``정부``; verbs and adjectives as their stems (positions count only the morphemes kept)."""

    def pieces(self, text: str, mode: str) -> Iterator[tuple[str, int, int, bool]]:
        if not CJK_TEXT.search(text):  # no Hangul: Kiwi is not loaded for an English query word
            yield from _words_and_bigrams(text)
            return
        kiwi = _kiwi()
        for offset, piece in _chunks(text, 20_000):
            with _LOCK:
                tokens = [(t.form, t.tag, t.start, t.len) for t in kiwi.tokenize(piece)]
            for form, tag, start, length in tokens:
                if _KO_DROP.match(tag) or not any(ch.isalnum() for ch in form):
                    continue
                if not CJK_TEXT.search(form):  # Latin words, numbers
                    yield from _words_and_bigrams(piece[start : start + length], offset + start)
                    continue
                yield form, offset + start, offset + start + length, False


_CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
    r"\u30fc\u3005]+"
)


def _runs(text: str) -> Iterator[tuple[str, int, bool]]:
    """``text`` as alternating runs of Chinese/Japanese script (with its punctuation) and anything else."""
    pos = 0
    for m in _CJK_RUN.finditer(text):
        if m.start() > pos:
            yield text[pos : m.start()], pos, False
        yield m.group(0), m.start(), True
        pos = m.end()
    if pos < len(text):
        yield text[pos:], pos, False


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``text`` in pieces of about ``size`` characters, cut after a line break or sentence end where possible."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind("。", start, end), text.rfind(". ", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


@cache
def analyzer(fam: str) -> Any:
    """The analyzer of a family's text fields."""
    if fam == BASE:
        return StemmingAnalyzer(stoplist=None)  # no stop list: phrases such as "sent to the gulags" match whole
    if fam in SNOWBALL:
        return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | StemFilter(stemfn=SnowballStem(SNOWBALL[fam]))
    if fam == "zh":
        return ChineseTokenizer() | FoldFilter()
    if fam == "ja":
        return JapaneseTokenizer() | FoldFilter()
    if fam == "ko":
        return KoreanTokenizer() | FoldFilter()
    return BigramTokenizer() | FoldFilter()


def text_fields(fam: str) -> dict[str, TEXT]:
    """The four text fields of a family, as the schema holds them."""
    out = {}
    for base in TEXT_FIELDS:
        field = TEXT(
            analyzer=analyzer(fam), field_boost=BOOSTS.get(base, 1.0), spelling=base in SPELLING, stored=base == "title"
        )  # a hit shows its title from the stored fields
        if fam and fam not in SNOWBALL:
            # A typed word that the analyzer cuts in several (a Chinese clause, bigrams) is a phrase of them.
            field.multitoken_query = "phrase"
        out[field_name(base, fam)] = field
    return out


def stored_title(fields: dict[str, Any]) -> str | None:
    """A hit's title from its stored fields, whichever family's title field holds it."""
    title = fields.get("title")
    if title:
        return title
    return next((v for k, v in fields.items() if v and k.startswith("title_") and family_of_field(k)), None)


def body_field(language: str | None) -> str:
    return field_name("body", family(language))


def title_field(language: str | None) -> str:
    return field_name("title", family(language))


# Queries


def search_fields(
    bases: list[str], boosts: dict[str, float], families: Iterable[str], schema: Any
) -> tuple[list[str], dict[str, float]]:
    """The fields a word without a field is searched in, for these families (those the schema has), and their
    boosts: each base field of ``bases`` in each family (fields that are not text fields, such as ``byline``,
    once)."""
    fields: list[str] = []
    out_boosts: dict[str, float] = {}
    for fam in families:
        for base in bases:
            if base not in TEXT_FIELDS and fam:
                continue
            name = field_name(base, fam)
            if name in schema and name not in fields:
                fields.append(name)
                if base in boosts:
                    out_boosts[name] = boosts[base]
    return fields, out_boosts


class FamilyFieldsPlugin:
    """``title:x`` searches ``x`` in the title field of every family of the query (each analysing it its way),
    as a word without a field is searched in every family's fields. Runs after Whoosh's FieldsPlugin gives
    nodes their field (priority 100) and before the MultifieldPlugin copies the unfielded ones (110)."""

    def __init__(self, families: Iterable[str], schema: Any) -> None:
        self.families = [f for f in families if f is not None]
        self.schema = schema

    def taggers(self, parser: Any) -> list:
        return []

    def filters(self, parser: Any) -> list:
        return [(self.expand, 105)]

    def expand(self, parser: Any, group: Any) -> Any:
        import copy

        from whoosh.qparser import syntax

        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
            elif node.has_fieldname and node.fieldname in TEXT_FIELDS:
                names = [field_name(node.fieldname, f) for f in self.families]
                names = [n for n in names if n in self.schema]
                if names == [node.fieldname] or not names:
                    continue
                copies = []
                for name in names:
                    twin = copy.copy(node)
                    twin.set_fieldname(name, override=True)
                    copies.append(twin)
                group[i] = syntax.OrGroup(copies)
        return group


# Reading a hit


def hit_field(schema: Any, base: str, language: str | None) -> str:
    """The field a hit's ``base`` text (``body``, ``title``) was indexed in: its language's, when this index has
    that field (an index made before languages had fields holds every text in the base fields)."""
    name = field_name(base, family(language))
    return name if name in schema else base


_STOPLIST_NAMES = {
    "ar": "Arabic",
    "hy": "Armenian",
    "eu": "Basque",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "nl": "Dutch",
    "eo": "Esperanto",
    "et": "Estonian",
    "fi": "Finnish",
    "fr": "French",
    "de": "German",
    "el": "Greek",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "ga": "Irish",
    "it": "Italian",
    "lt": "Lithuanian",
    "no": "Norwegian_Bokmal",
    "fa": "Persian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sr": "Serbian",
    "es": "Spanish",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "bg": "Bulgarian",
    "hr": "Croatian",
    "sk": "Slovak",
    "sl": "Slovenian",
}


@lru_cache(maxsize=64)
def stop_terms(language: str | None) -> frozenset[str]:
    """The indexed forms of the function words of ``language`` (jusText's lists, analysed by its family's
    analyzer): words that say nothing of what two articles share. Empty for English (its fields keep what they
    did) and languages without a list."""
    fam = family(language)
    name = _STOPLIST_NAMES.get((language or "").lower())
    if not fam or name is None:
        return frozenset()
    try:
        import justext

        words = justext.get_stoplist(name)
    except (ImportError, ValueError, OSError):
        return frozenset()
    an = analyzer(fam)
    return frozenset(t.text for w in words for t in an(w, mode="index"))


def language_counts(reader: Any) -> dict[str, int]:
    """Live documents per language code (the ``language`` field's terms, deleted documents left out), the most
    frequent first, ties by code."""
    if "language" not in reader.schema:
        return {}
    counts = {}
    for term in reader.lexicon("language"):
        code = term.decode() if isinstance(term, bytes) else term
        ids = reader.postings("language", term).all_ids()
        n = sum(1 for d in ids if not reader.is_deleted(d)) if reader.has_deletions() else sum(1 for _ in ids)
        if n:
            counts[code] = n
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
