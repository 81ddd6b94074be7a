"""Exact and near-duplicate fingerprints of article bodies (pure functions, no I/O).

* Exact layer: ``body_hash`` = SHA-256 of ``normalize_body`` (NFKC, no whitespace, one
  form per punctuation mark), so a re-typeset copy hashes the same.
* Near layer: MinHash over character ``SHINGLE_K``-grams of the body's letters and digits
  (Chinese has no word boundaries), ``NUM_PERM`` permutations, LSH with ``BANDS`` bands of
  ``ROWS`` rows.  ``band_keys`` gives the integers the archive indexes; candidates sharing a
  key are confirmed with ``is_near_duplicate`` (estimated Jaccard >= ``NEAR_THRESHOLD``).

All parameters were chosen by measurement: ``bench/dedup_threshold.py``, ``docs/dedup.md``.
Changing any of them (or the permutation scheme) changes every signature and
band key: bump ``SIGNATURE_VERSION`` and re-sign the archive.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable

import numpy as np

from pipelines.textfold import nfkc

logger = logging.getLogger(__name__)

SHINGLE_K = 4
"""Characters per shingle."""
NUM_PERM = 128
"""MinHash permutations (signature length)."""
BANDS = 32
ROWS = 4
"""LSH banding: ``BANDS * ROWS == NUM_PERM``; collision probability ``1-(1-s**ROWS)**BANDS``."""
NEAR_THRESHOLD = 0.4
"""Estimated Jaccard at or above which two bodies are near-duplicates (bench: negatives <= 0.352)."""
SEED = 1
SCHEME = "affine64"
"""The permutation scheme (datasketch's name for it); ``signature_from_hashes`` implements it."""
SIGNATURE_VERSION = 1
"""Bumped whenever any parameter above changes; stored signatures of another version are void."""

_SIG_DTYPE = np.dtype("<u8")
_EMPTY = np.uint64(2**64 - 1)
_BAND_PERSON = b"govpress-lsh"

# One form per punctuation mark, applied after NFKC (which already folds full-width
# ASCII such as ，：；？！（）％ to , : ; ? ! ( ) %).
_FOLD = str.maketrans(
    {
        **dict.fromkeys("「」『』“”‘’„‟〝〞〟‹›«»\"'`＇＂", '"'),
        **dict.fromkeys("‐‑‒–—―─━⸺⸻﹘﹣−", "-"),
        **dict.fromkeys("·•・‧∙●⋅", "·"),
        **dict.fromkeys("〔【〖〘〚[{", "("),
        **dict.fromkeys("〕】〗〙〛]}", ")"),
        **dict.fromkeys("〈《", "《"),
        **dict.fromkeys("〉》", "》"),
        **dict.fromkeys("〜～", "~"),
        "⋯": "…",
        "｡": "。",
        "､": "、",
    }
)
_RUNS = [
    (re.compile(r"(?:\.{3,}|…)+"), "…"),  # ... …… ⋯⋯ -> …
    (re.compile(r"-{2,}"), "-"),  # —— -> -
]
_WS_RE = re.compile(r"\s+")
_NON_ALNUM_RE = re.compile(r"[\W_]+")  # str.isalnum(): Unicode letters and digits survive
_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the shingle polynomial hash
_CHUNK = 256


_FOLD_RE = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
_FOLD_MAP = {chr(k): v for k, v in _FOLD.items()}


def _fold(m: re.Match[str]) -> str:
    return _FOLD_MAP[m.group()]


def normalize_body(text: str) -> str:
    """NFKC, case-folded, all whitespace and invisible format characters removed, punctuation folded."""
    text = _WS_RE.sub("", _FOLD_RE.sub(_fold, nfkc(text).casefold()))
    if not text.isprintable():  # only format characters (Cf: U+200B, U+FEFF …) are left to drop
        text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))
    for pattern, repl in _RUNS:
        text = pattern.sub(repl, text)
    return text


def body_hash(text: str) -> str:
    """SHA-256 hex digest of ``normalize_body(text)``."""
    return hash_normalized(normalize_body(text))


def hash_normalized(norm: str) -> str:
    """``body_hash`` of a text already passed through ``normalize_body``."""
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def shingle_text(text: str) -> str:
    """The text shingles are cut from: the normalised body's letters and digits only."""
    return _NON_ALNUM_RE.sub("", normalize_body(text))


def shingles(text: str, k: int = SHINGLE_K) -> set[str]:
    """Distinct character ``k``-grams of ``shingle_text(text)`` (the whole text if shorter)."""
    s = shingle_text(text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def shingle_hashes(text: str, k: int = SHINGLE_K) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the ``k``-grams of ``shingle_text(text)``.

    Polynomial hash of the code points, ``h = sum(c[i+j] * P**(k-1-j)) mod 2**64``,
    vectorised (about 10x faster than hashing each shingle with SHA-1) and, being plain
    uint64 arithmetic, identical on every platform.  ``signature_from_hashes`` pre-mixes
    it (MurmurHash3 finaliser) before its permutations.
    """
    return _hashes_of(shingle_text(text), k)


def _hashes_of(s: str, k: int = SHINGLE_K) -> np.ndarray:
    cps = np.frombuffer(s.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    n = max(len(cps) - k + 1, 1 if len(cps) else 0)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(cps))):
        h = h * _POLY + cps[j : j + n]
    return np.unique(h)


def fingerprints(text: str) -> tuple[str, np.ndarray]:
    """``(body_hash(text), signature(text))`` with the body normalised once."""
    norm = normalize_body(text)
    return hash_normalized(norm), signature_from_hashes(_hashes_of(_NON_ALNUM_RE.sub("", norm)))


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``NUM_PERM`` affine permutations ``h -> a*h + b mod 2**64`` (``a`` odd).

    Drawn exactly as datasketch 1.6+/2.x draws them for ``scheme="affine64"``
    (``numpy.random.RandomState(SEED)``, whose stream numpy keeps frozen), so
    signatures equal ``datasketch.MinHash(num_perm=NUM_PERM, seed=SEED,
    scheme="affine64")`` fed the same hashes; ``tests/test_pipelines_fingerprint.py``
    checks this against datasketch when it is installed.
    """
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 64, NUM_PERM, dtype=np.uint64)
    return a, b


_PERM_A, _PERM_B = _permutations()
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection), the pre-mix of the affine64 scheme."""
    s, m1, m2 = _FMIX
    h = h ^ (h >> s)
    h = h * m1
    h = h ^ (h >> s)
    h = h * m2
    out: np.ndarray = h ^ (h >> s)
    return out


def signature_from_hashes(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint64) of a set of shingle hashes.

    ``min_k(a_k * fmix64(h) + b_k)`` over the hashes, vectorised in numpy in chunks of
    ``_CHUNK`` rows so the ``chunk x NUM_PERM`` working matrix stays in cache (uint64
    wraparound is the modulo).  Same values as datasketch's affine64 ``MinHash``
    at about half its time (``bench/pipeline.py`` compares both in one run).
    """
    out = np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
    hv = np.asarray(hashes, dtype=np.uint64)
    if not len(hv):
        return out
    with np.errstate(over="ignore"):
        hv = _fmix64(hv)
        for i in range(0, len(hv), _CHUNK):
            np.minimum(out, (hv[i : i + _CHUNK, None] * _PERM_A + _PERM_B).min(axis=0), out=out)
    return out


def datasketch_signature(hashes: np.ndarray) -> np.ndarray:
    """The same signature computed by datasketch (for the equivalence test and the benchmark)."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=lambda h: h)
    m.update_batch(np.asarray(hashes, dtype=np.uint64).tolist())
    return np.asarray(m.hashvalues, dtype=np.uint64)


def signature(text: str) -> np.ndarray:
    """MinHash signature of ``text``'s shingles; all ``2**64-1`` (empty) if it has no letters or digits."""
    return signature_from_hashes(shingle_hashes(text))


def signatures(texts: Iterable[str]) -> list[np.ndarray]:
    """``signature`` of many texts (one permutation set-up shared by all)."""
    return [signature(t) for t in texts]


def is_empty(sig: np.ndarray) -> bool:
    """True for the signature of a body without letters or digits."""
    return bool(np.all(sig == _EMPTY))


def signature_to_bytes(sig: np.ndarray) -> bytes:
    """Little-endian uint64 bytes (``8 * NUM_PERM``), the same on every platform."""
    return np.asarray(sig, dtype=np.uint64).astype(_SIG_DTYPE).tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    """Inverse of ``signature_to_bytes``; ``ValueError`` on a wrong length."""
    if len(data) != 8 * NUM_PERM:
        raise ValueError(f"signature must be {8 * NUM_PERM} bytes, got {len(data)}")
    return np.frombuffer(data, dtype=_SIG_DTYPE).astype(np.uint64)


def band_keys(sig: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """One signed 64-bit key per band: blake2b-64 of the band index and its rows' bytes.

    Stable across processes, platforms and Python versions (no ``hash()``).  The empty
    signature has no keys: bodies without text must not all collide.
    """
    if len(sig) < bands * rows:
        raise ValueError(f"signature of {len(sig)} values cannot give {bands}x{rows} bands")
    if is_empty(sig):
        logger.debug("empty signature (no letters or digits): no band keys")
        return []
    raw = np.asarray(sig, dtype=np.uint64).astype(_SIG_DTYPE).tobytes()
    width = 8 * rows
    keys = []
    for b in range(bands):
        h = hashlib.blake2b(
            b.to_bytes(2, "little") + raw[b * width : (b + 1) * width],
            digest_size=8,
            person=_BAND_PERSON,
        )
        keys.append(int.from_bytes(h.digest(), "little", signed=True))
    return keys


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values (0.0 if either is empty)."""
    if len(sig_a) != len(sig_b):
        raise ValueError(f"signature lengths differ: {len(sig_a)} != {len(sig_b)}")
    if is_empty(sig_a) or is_empty(sig_b):
        return 0.0
    return float(np.count_nonzero(np.asarray(sig_a) == np.asarray(sig_b))) / len(sig_a)


def is_near_duplicate(sig_a: np.ndarray, sig_b: np.ndarray) -> bool:
    """True when the estimated Jaccard similarity reaches ``NEAR_THRESHOLD``."""
    return similarity(sig_a, sig_b) >= NEAR_THRESHOLD


def collision_probability(s: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """Probability that two bodies of Jaccard ``s`` share at least one band key."""
    return 1.0 - (1.0 - s**rows) ** bands


def similarity_bytes(a: bytes, b: bytes) -> float:
    """``similarity`` of two stored signatures (``ValueError`` on a foreign length)."""
    return similarity(signature_from_bytes(a), signature_from_bytes(b))
