"""Bytes → text for the load stage: a byte-order mark, a forced encoding, UTF-8, a declared charset, else a
confident detection (charset-normalizer); and the control characters that must never reach the index or a
terminal, removed. Pure functions: no file system access.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

# Longest marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# charset-normalizer's "chaos" (share of suspicious characters, 0–1) above which its best guess is not trusted.
# Real text in its own encoding measured 0–0.02 (English, French, German in Windows-1252, Czech in Windows-1250,
# Russian in Windows-1251 and KOI8-R, Japanese in Shift_JIS/EUC-JP); the wrong single-byte readings of the same
# bytes 0.04–0.16. The library keeps candidates up to 0.2: when its best is messier than half that, no candidate
# reads as text, and a guess would index mojibake.
MAX_CHAOS = 0.1
# When several single-byte encodings read the bytes equally well (short Western text decodes the same, or nearly,
# in Windows-1250/1252/1257), Windows-1252 is the right one for Western-European news (and the WHATWG fallback for
# unlabelled legacy pages) unless the text reads as a language that Windows-1250 serves.
_CP1250_LANGUAGES = frozenset(("Croatian", "Czech", "Hungarian", "Polish", "Romanian", "Serbian", "Slovak", "Slovene"))
_TIE = 0.005

# Terminal escape sequences, removed whole (not just their ESC byte): OSC (window title, hyperlink) up to BEL or
# ST; DCS/SOS/PM/APC up to ST; CSI (colours, cursor moves, clear screen); other ESC sequences; their 8-bit forms.
# Each piece is bounded, so the pattern stays linear on hostile input.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b\n]{0,4096}(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b\n]{0,4096}(?:\x1b\\)?"
    r"|\x1b\[[0-?]{0,64}[ -/]{0,8}[@-~]?"
    r"|\x1b[ -/]{0,8}[0-~]?"
    r"|\x9d[^\x07\x9c\n]{0,4096}[\x07\x9c]?"
    r"|\x9b[0-?]{0,64}[ -/]{0,8}[@-~]?"
)
# C0 controls but tab and newline, DEL, C1 controls (vertical tab and form feed become newlines first).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Invisible characters that split a word for every reader but a human: soft hyphen (U+00AD: "réorganisations"
# written "réor\u00adgani\u00adsa\u00adtions" is found only without them), word joiner and the invisible
# mathematical operators (U+2060-U+2064), a byte-order mark inside the text (U+FEFF), and the zero-width space
# (U+200B), except between letters of Thai, Lao, Myanmar and Khmer, which write no spaces and where it is the
# only mark of a word boundary. Zero-width joiner and non-joiner (U+200D, U+200C) stay: Persian, Urdu and the
# Indic scripts need them to spell words, and emoji sequences ("family", flags with a tag) are built with the
# joiner; they are removed only between two Latin characters, where they join nothing.
_INVISIBLE = re.compile(
    r"[\u00ad\u2060-\u2064\ufeff]+"
    r"|(?<![\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff])\u200b+"
    r"|\u200b+(?![\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff])"
    r"|(?<=[\x21-\x7e\u00c0-\u024f])[\u200c\u200d]+(?=[\x21-\x7e\u00c0-\u024f])"
)
_ANY_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060-\u2064\ufeff]")


class Decoded(NamedTuple):
    text: str | None
    encoding: str | None  # Python codec name (``utf-8``, ``utf-16-le``, ``cp1252``…); None when undecodable
    reason: str | None = None  # why there is no text


def normalize_encoding(name: str) -> str:
    """The codec name of a text encoding (``latin-1`` → ``iso8859-1``); ValueError for anything else."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding: {name}") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, zlib, base64…: codecs, not text encodings
        raise ValueError(f"not a text encoding: {name}")
    return info.name


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences, control characters (tab and newline kept) or invisible
    characters inside words (``strip_invisible``)."""
    text = strip_invisible(text)
    if _CONTROLS.search(text) is None:
        return text
    text = _ESCAPES.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))
    return _CONTROLS.sub("", text)


def strip_invisible(text: str) -> str:
    """Text without the invisible characters that split words (see _INVISIBLE); ZWJ/ZWNJ kept where a script
    needs them."""
    if _ANY_INVISIBLE.search(text) is None:
        return text
    return _INVISIBLE.sub("", text)


def looks_binary(text: str) -> bool:
    """Decoded text that is really binary: NUL characters, or many control characters."""
    sample = text[:8192]
    if "\x00" in sample:
        return True
    control = sum(1 for c in sample if c < " " and c not in "\t\n\x0c\r\x1b")
    return control > len(sample) * 0.05


def bom_encoding(data: bytes) -> str | None:
    for mark, name in _BOMS:
        if data.startswith(mark):
            return name
    return None


def _strict(data: bytes, encoding: str, label: str | None = None) -> Decoded:
    try:
        return Decoded(data.decode(encoding), normalize_encoding(encoding))
    except UnicodeDecodeError as exc:
        where = f"invalid byte 0x{data[exc.start]:02x} at offset {exc.start}"
        return Decoded(None, None, f"not {label or encoding}: {where}")
    except (LookupError, ValueError):
        return Decoded(None, None, f"unknown encoding {encoding}")


def with_bom(data: bytes) -> Decoded | None:
    """Text after a byte-order mark, decoded as it says (None: no mark)."""
    name = bom_encoding(data)
    if name is None:
        return None
    mark = next(m for m, n in _BOMS if n == name)
    return _strict(data[len(mark) :], name, f"{name.upper()} after its byte-order mark")


def forced(data: bytes, encoding: str) -> Decoded:
    """The bytes in the encoding the user named (``--encoding``), whatever they look like."""
    return _strict(data, encoding)


def utf8(data: bytes) -> Decoded:
    return _strict(data, "utf-8", "UTF-8")


def declared(data: bytes, name: str) -> Decoded | None:
    """Bytes in a charset a page declares; None when the declaration is unusable (unknown, or a UTF-16/32 label
    on bytes without a mark, which browsers read as UTF-8 too). Latin-1 and ASCII labels mean Windows-1252, as
    in browsers: such pages hold its curly quotes and dashes."""
    try:
        codec = normalize_encoding(name)
    except ValueError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return None
    if codec in ("iso8859-1", "ascii"):
        found = _strict(data, "cp1252")
        if found.text is not None:
            return found
    found = _strict(data, codec)
    return found if found.text is not None else None


def _damaged_utf8(data: bytes) -> bool:
    """Text written in UTF-8 with a few broken bytes (more valid multi-byte characters than invalid bytes):
    reading it in a legacy encoding would turn every accent into mojibake."""
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - invalid > invalid


def detect(data: bytes) -> Decoded:
    """A confident guess by charset-normalizer (see MAX_CHAOS), else why not."""
    first = utf8(data).reason or "not UTF-8"
    if _damaged_utf8(data):
        return Decoded(None, None, f"{first} in otherwise UTF-8 text")
    from charset_normalizer import from_bytes

    try:
        matches = list(from_bytes(data))
    except Exception as exc:  # a detector bug must quarantine one input, not stop the batch
        return Decoded(None, None, f"{first}, and encoding detection failed: {type(exc).__name__}")
    best = matches[0] if matches else None
    if best is None or best.chaos > MAX_CHAOS:
        return Decoded(
            None, None, f"{first}, and no other encoding detected with confidence (--encoding NAME forces one)"
        )
    order = [m.encoding for m in matches if m.chaos <= MAX_CHAOS]
    if "cp1252" in best.could_be_from_charset or (
        best.language not in _CP1250_LANGUAGES
        and any(
            "cp1252" in m.could_be_from_charset
            and m.chaos <= best.chaos + _TIE
            and m.coherence >= best.coherence - 0.05
            for m in matches
        )
    ):
        order.insert(0, "cp1252")  # the same text, or as good a reading: named as Western text
    for name in order:  # the library samples the bytes: the whole must decode too
        found = _strict(data, name)
        if found.text is not None:
            return found
    return Decoded(None, None, f"{first}, and no detected encoding decodes it all")
