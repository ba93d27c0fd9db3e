"""Fingerprints of a cleaned body for finding copies of a story (syndication, re-publication, re-scrapes).

Pure functions over text, no I/O. A body becomes words (case, quotes, dashes and line breaks folded away, so a
reflowed paragraph or curly quotes change nothing), word shingles (``Params.shingle`` words each), a MinHash
signature (``bands × rows`` values from one multiply-shift hash per value) and LSH band keys: two bodies whose
shingle sets overlap enough share a band key with high probability, so candidates are found by key lookups
whose cost does not grow with the archive. A candidate is then *confirmed* on the two bodies' shingle sets
(``resemblance``): MinHash only proposes pairs, it never decides.

The chosen settings and the measurements behind them are in docs/copies.md (``python -m bench.copies``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"\w+")
# Folded before splitting: the apostrophe variants inside words ("don’t" and "don't" are one word).
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
MAX_WORDS = 20_000  # a body longer than this is fingerprinted on its first MAX_WORDS words (bounded work)
NORMALISATION = "nfkc-lower-apostrophes-w1"  # change it whenever ``words`` changes


@dataclass(frozen=True)
class Params:
    """How copies are found. ``version`` names the band keys: rows fingerprinted under other settings are
    recomputed from their stored bodies (index/copies.py)."""

    # Chosen by bench/copies.py on one extraction set and reported on the other (docs/copies.md): every held-out
    # fit chose 2-word shingles and 40 bands of 3 rows (candidates down to a resemblance of ~0.3: a copy keeps
    # another site's residue or loses paragraphs); confirm 0.7 keeps the follow-ups apart that 0.5 merged.
    shingle: int = 2  # words per shingle
    bands: int = 40
    rows: int = 3
    confirm: float = 0.7  # containment of the smaller body's shingles in the other's, to call two bodies copies
    min_jaccard: float = 0.1  # and at least this much resemblance overall (a short brief inside a long report)
    min_words: int = 25  # shorter bodies are never clustered (too little text to tell a copy from a template)

    @property
    def perms(self) -> int:
        return self.bands * self.rows

    @property
    def version(self) -> str:
        """Names every setting and the word normalisation: placements made under another are redone."""
        settings = (
            f"{NORMALISATION}|{self.shingle}|{self.bands}|{self.rows}|{self.confirm}|{self.min_jaccard}|"
            f"{self.min_words}|{MAX_WORDS}"
        )
        return f"mh-k{self.shingle}-b{self.bands}-r{self.rows}-" + hashlib.sha1(settings.encode()).hexdigest()[:8]


DEFAULT = Params()


class Fingerprint(NamedTuple):
    body_hash: str  # sha256 of the normalised words: equal for exact copies
    words: int
    signature: bytes  # uint32 × perms, little-endian
    bands: list[int]  # one signed 64-bit key per band (SQLite integers)
    version: str


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, punctuation, quotes, dashes and whitespace dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    out: list[str] = []
    for m in _WORD.finditer(text):
        out.append(m.group())
        if len(out) >= MAX_WORDS:
            break
    return out


PERMS_MAX = 1024


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hash constants, made on first use: numpy is imported only by what fingerprints (ingest, duplicates),
    never by a search that merely reads the copies tables."""
    import numpy as np

    rng = np.random.default_rng(20261130)
    # One odd 64-bit multiplier per position in a shingle: a shingle's hash is a weighted sum of its word hashes.
    position = rng.integers(1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)
    perm_a = rng.integers(1, 2**63, size=PERMS_MAX, dtype=np.uint64) | np.uint64(1)
    perm_b = rng.integers(0, 2**63, size=PERMS_MAX, dtype=np.uint64)
    return position, perm_a, perm_b


def shingles(tokens: list[str], k: int) -> np.ndarray:
    """The distinct ``k``-word shingles of ``tokens`` as sorted uint32 hashes (one shingle when shorter)."""
    import numpy as np

    position = _tables()[0]
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    ids = np.fromiter((zlib.crc32(t.encode()) for t in tokens), dtype=np.uint64, count=len(tokens))
    k = max(1, min(k, len(ids)))
    n = len(ids) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(k):  # wraps modulo 2**64 on purpose (numpy does not warn for arrays)
        acc += ids[j : j + n] * position[j]
    return np.unique((acc >> np.uint64(32)).astype(np.uint32))


def signature(hashes: np.ndarray, perms: int) -> np.ndarray:
    """MinHash over ``perms`` multiply-shift hashes of the shingle hashes: uint32 × perms."""
    import numpy as np

    if perms > PERMS_MAX:
        raise ValueError(f"at most {PERMS_MAX} permutations")
    _, perm_a, perm_b = _tables()
    h = hashes.astype(np.uint64)[:, None]
    values = (h * perm_a[None, :perms] + perm_b[None, :perms]) >> np.uint64(32)
    return values.min(axis=0).astype(np.uint32)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """One key per band: the band's position and values hashed to a signed 64-bit integer."""
    raw = sig.astype("<u4").tobytes()
    keys = []
    for b in range(bands):
        digest = hashlib.blake2b(raw[b * rows * 4 : (b + 1) * rows * 4], digest_size=8, person=b"band%04d" % b)
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def fingerprint(body: str, params: Params = DEFAULT) -> Fingerprint | None:
    """The fingerprint of a cleaned body; None when it is shorter than ``params.min_words`` words."""
    tokens = words(body)
    if len(tokens) < params.min_words:
        return None
    sig = signature(shingles(tokens, params.shingle), params.perms)
    return Fingerprint(
        hashlib.sha256(" ".join(tokens).encode()).hexdigest(),
        len(tokens),
        sig.astype("<u4").tobytes(),
        band_keys(sig, params.bands, params.rows),
        params.version,
    )


class Resemblance(NamedTuple):
    jaccard: float  # shared shingles over all shingles of the two
    containment: float  # shared shingles over the smaller body's shingles


def resemblance(a: np.ndarray, b: np.ndarray) -> Resemblance:
    """How much two shingle sets (from ``shingles``) overlap."""
    import numpy as np

    if not len(a) or not len(b):
        return Resemblance(0.0, 0.0)
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return Resemblance(shared / (len(a) + len(b) - shared), shared / min(len(a), len(b)))


def confirmed(r: Resemblance, params: Params = DEFAULT) -> bool:
    """The direct check of a candidate pair: most of the smaller body is in the other, and the two are not a
    short text and a long one that merely quotes it."""
    return r.containment >= params.confirm and r.jaccard >= params.min_jaccard


def similarity(r: Resemblance) -> float:
    """The one figure shown for a pair (``newsdex duplicates``): the containment, rounded."""
    return round(r.containment, 3)


def best_match(
    body: str, candidates: list[tuple[str, str]], params: Params = DEFAULT
) -> tuple[str, Resemblance] | None:
    """The candidate (id, body) that ``body`` is confirmed a copy of, the most contained one first (then the
    most resembling, then the first given); None when no candidate is confirmed."""
    mine = shingles(words(body), params.shingle)
    best: tuple[str, Resemblance] | None = None
    for cand_id, cand_body in candidates:
        r = resemblance(mine, shingles(words(cand_body), params.shingle))
        better = best is None or (r.containment, r.jaccard) > (best[1].containment, best[1].jaccard)
        if confirmed(r, params) and better:
            best = (cand_id, r)
    return best
