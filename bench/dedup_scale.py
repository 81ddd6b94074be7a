"""Near-duplicate lookup time and memory as the archive grows (10k, 100k, 1M documents).

A lookup is what ``DedupPipeline`` does per article: ``Archive.near_candidates(band_keys,
limit=50)`` (the indexed ``minhash_bands`` table) and ``fingerprint.similarity`` against
each candidate's stored signature.  It is timed apart from computing the probe's own
MinHash, which does not depend on the archive size.

Filler documents get signatures drawn from a model instead of MinHash of generated text
(MinHash costs ~5 ms per article; the model makes 1M signatures in seconds).  The model is
faithful where it matters: two MinHash signatures agree at each position with probability
J (their Jaccard), so a document is built from a *topic* centroid (each value copied with
probability 0-0.45, giving same-topic pairs J of 0-0.2, median ~0.04, like the same-group
negatives in ``bench/dedup_threshold.py``), plus 5% republished copies (values copied from another
document with probability 0.85).  Topics are Zipf-sized (exponent 1.1 over 2000
topics: the largest holds 12% of the archive), a stress case for hot band keys.  The real press releases of ``bench/data`` are archived
with real signatures first, and probed with perturbed copies (must be found).

Probes per size: ``copy`` (a re-published copy of an archived real release), ``unrelated``
(a new synthetic text), ``hot_topic`` (a new model document in one of the 20 largest topics).

Run: ``python bench/dedup_scale.py [--sizes 10000,100000,1000000] [--keep PATH]``.
Writes go through ``archive.store.save_documents`` only (no SQL here).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_threshold import DATA, edit, footer, retype

from archive import Archive, open_archive, store
from pipelines import fingerprint as fp
from simulator.synthetic import Generator

logger = logging.getLogger(__name__)
N_TOPICS = 2000
BATCH = 10_000


class FillerModel:
    """Signatures of synthetic archived documents (see module docstring)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.centroids = self.rng.integers(0, 2**64, (N_TOPICS, fp.NUM_PERM), dtype=np.uint64)
        w = 1.0 / np.arange(1, N_TOPICS + 1) ** 1.1
        self.topic_p = w / w.sum()

    def topic_docs(self, n: int, topics: np.ndarray | None = None) -> np.ndarray:
        rng = self.rng
        sigs = rng.integers(0, 2**64, (n, fp.NUM_PERM), dtype=np.uint64)
        if topics is None:
            topics = rng.choice(N_TOPICS, size=n, p=self.topic_p)
        share = rng.uniform(0.0, 0.45, size=(n, 1))
        mask = rng.random((n, fp.NUM_PERM)) < share
        sigs[mask] = self.centroids[topics][mask]
        return sigs

    def batch(self, n: int) -> np.ndarray:
        sigs = self.topic_docs(n)
        rng = self.rng
        copies = rng.choice(n, size=n // 20, replace=False)
        sources = rng.integers(0, n, size=len(copies))
        mask = rng.random((len(copies), fp.NUM_PERM)) < 0.85
        sigs[copies] = np.where(mask, sigs[sources], sigs[copies])
        return sigs


def url_of(i: int) -> str:
    return f"https://bench.example.gov.cn/art/{i}.html"


def record(i: int, sig: np.ndarray, title: str = "", body: str = "") -> dict[str, Any]:
    url = url_of(i)
    return {
        "site": "sd_bench", "url": url, "canonical_url": url, "title": title, "body": body,
        "region_code": "370000", "fetched_at": "2025-01-01T00:00:00+00:00",
        "body_hash": f"bench-{i}", "signature": fp.signature_to_bytes(sig),
        "minhash_keys": fp.band_keys(sig),
    }


def fill(db: Any, model: FillerModel, start: int, stop: int) -> None:
    for lo in range(start, stop, BATCH):
        hi = min(stop, lo + BATCH)
        sigs = model.batch(hi - lo)
        store.save_documents(db, (record(i, s) for i, s in zip(range(lo, hi), sigs)))
        if hi % 100_000 == 0:
            logger.info("archived %d documents", hi)


def lookup(reader: Archive, sig: np.ndarray) -> tuple[Any, float, int]:
    """The pipeline's near-duplicate lookup: candidates by band key, verified by similarity."""
    best, best_sim = None, 0.0
    cands = reader.near_candidates(fp.band_keys(sig), limit=50)
    for cand in cands:
        sim = fp.similarity(sig, fp.signature_from_bytes(cand.signature))
        if sim > best_sim:
            best, best_sim = cand, sim
    return best, best_sim, len(cands)


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def probes(model: FillerModel, bases: list[dict], seed: int) -> Iterator[tuple[str, np.ndarray, str]]:
    """(class, signature, expected canonical URL or '') for one round of probes."""
    rng = random.Random(seed)
    mat = json.loads(DATA.read_text("utf-8"))["material"]
    for i, b in enumerate(bases):
        for _ in range(8):
            paras = footer(rng, edit(rng, b["paragraphs"], mat, 1), mat)
            if rng.random() < 0.5:
                paras = retype(rng, paras, mat)
            yield "copy", fp.signature("\n".join(paras)), url_of(-1 - i)
    gen = Generator(seed=seed)
    for _ in range(150):
        yield "unrelated", fp.signature(gen.text(rng.randint(400, 1500))), ""
    for sig in model.topic_docs(150, topics=np.array([rng.randrange(20) for _ in range(150)])):
        yield "hot_topic", sig, ""


def measure(path: Path, n_docs: int, probe_list: list[tuple[str, np.ndarray, str]]) -> list[str]:
    rows = []
    with Archive(path) as reader:
        for _, sig, _ in probe_list[:20]:  # warm the page cache
            lookup(reader, sig)
        tracemalloc.start()
        times: dict[str, list[float]] = {}
        ncand: dict[str, list[int]] = {}
        found = 0
        for cls, sig, want in probe_list:
            t0 = time.perf_counter()
            best, sim, n = lookup(reader, sig)
            times.setdefault(cls, []).append((time.perf_counter() - t0) * 1000)
            ncand.setdefault(cls, []).append(n)
            if want:
                found += best is not None and sim >= fp.NEAR_THRESHOLD and best.canonical_url == want
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    size = sum(os.path.getsize(p) for p in path.parent.glob(path.name + "*"))
    n_copy = len(times.get("copy", []))
    for cls, ts in times.items():
        extra = f"{found}/{n_copy} found" if cls == "copy" else ""
        rows.append(
            f"{n_docs:>10,}{cls:>12}{len(ts):>6}{np.percentile(ts, 50):>9.2f}{np.percentile(ts, 95):>9.2f}"
            f"{np.mean(ncand[cls]):>8.1f}{rss_mib():>10.0f}{traced_peak / 2**20:>12.2f}"
            f"{size / 2**20:>10.0f}  {extra}"
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="archive sizes, ascending")
    ap.add_argument("--keep", type=Path, help="archive path to keep (default: a temporary file)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = tempfile.TemporaryDirectory(prefix="dedup_scale_")
    path = args.keep or Path(tmp.name) / "archive.db"
    bases = json.loads(DATA.read_text("utf-8"))["bases"]
    model = FillerModel(args.seed)

    t0 = time.perf_counter()
    probe_list = list(probes(model, bases, args.seed))
    sig_ms = (time.perf_counter() - t0) * 1000 / len(probe_list)
    db = open_archive(path)
    real = [record(-1 - i, fp.signature("\n".join(b["paragraphs"])), b["title"], "\n".join(b["paragraphs"]))
            for i, b in enumerate(bases)]
    store.save_documents(db, real)

    print(f"NUM_PERM={fp.NUM_PERM} BANDS x ROWS={fp.BANDS} x {fp.ROWS} NEAR_THRESHOLD={fp.NEAR_THRESHOLD}; "
          f"probe MinHash (text -> signature, not in the lookup times) {sig_ms:.1f} ms/document")
    print(f"{'archive':>10}{'probe':>12}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'cands':>8}{'RSS MiB':>10}"
          f"{'traced MiB':>12}{'db MiB':>10}")
    done = len(real)
    for n in sizes:
        t1 = time.perf_counter()
        fill(db, model, done, n)
        store.optimize(db)
        logger.info("filled to %d in %.0f s", n, time.perf_counter() - t1)
        done = n
        for row in measure(path, n, probe_list):
            print(row, flush=True)
    db.conn.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process {peak:.0f} MiB (includes filling)")
    tmp.cleanup()


if __name__ == "__main__":
    main()
