"""Exact and near-duplicate fingerprints of article bodies (pure functions, no I/O).

* Exact layer: ``body_hash`` = SHA-256 of ``normalize_body`` (NFKC, no whitespace, one
  form per punctuation mark), so a re-typeset copy hashes the same.
* Near layer: MinHash over character ``SHINGLE_K``-grams of the body's letters and digits
  (Chinese has no word boundaries), ``NUM_PERM`` permutations, LSH with ``BANDS`` bands of
  ``ROWS`` rows.  ``band_keys`` gives the integers the archive indexes; candidates sharing a
  key are confirmed with ``is_near_duplicate`` (estimated Jaccard >= ``NEAR_THRESHOLD``).

All parameters were chosen by measurement: ``bench/dedup_threshold.py``, ``docs/dedup.md``.
Changing any of them (or the datasketch permutation scheme) changes every signature and
band key: bump ``SIGNATURE_VERSION`` and re-sign the archive.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash

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
"""datasketch permutation scheme, pinned so a library default change cannot move signatures."""
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
_CHUNK = 1024


def normalize_body(text: str) -> str:
    """NFKC, case-folded, all whitespace and invisible format characters removed, punctuation folded."""
    text = _WS_RE.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_FOLD))
    if not text.isprintable():  # only format characters (Cf: U+200B, U+FEFF …) are left to drop
        text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))
    for pattern, repl in _RUNS:
        text = pattern.sub(repl, text)
    return text


def body_hash(text: str) -> str:
    """SHA-256 hex digest of ``normalize_body(text)``."""
    return hashlib.sha256(normalize_body(text).encode("utf-8")).hexdigest()


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
    uint64 arithmetic, identical on every platform.  datasketch pre-mixes it (MurmurHash3
    finaliser) before its permutations.
    """
    cps = np.frombuffer(shingle_text(text).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    n = max(len(cps) - k + 1, 1 if len(cps) else 0)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(cps))):
        h = h * _POLY + cps[j : j + n]
    return np.unique(h)


def _identity(h: int) -> int:
    return h


_template: MinHash | None = None


def _minhash() -> MinHash:
    """A fresh MinHash with the pinned parameters (copies one template: cheap)."""
    global _template
    if _template is None:
        _template = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_identity)
    return _template.copy()


def signature_from_hashes(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint64) of a set of shingle hashes.

    Fed to datasketch in chunks of ``_CHUNK`` so its ``chunk x NUM_PERM`` working matrix
    stays in cache: about 3x faster than one ``update_batch`` (or ``MinHash.bulk``) call
    on a long article.
    """
    m = _minhash()
    values = np.asarray(hashes, dtype=np.uint64).tolist()
    for i in range(0, len(values), _CHUNK):
        m.update_batch(values[i : i + _CHUNK])
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
