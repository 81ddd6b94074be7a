"""Archive scale benchmark: bulk insert, size on disk, search latency, export rate.

    python bench/archive_scale.py                  # 1,000,000 documents
    python bench/archive_scale.py --docs 100000    # quick run
    python bench/archive_scale.py --docs 100000 --path /tmp/a.sqlite --keep
    python bench/archive_scale.py --path /tmp/a.sqlite --fill-only       # fill now ...
    python bench/archive_scale.py --path /tmp/a.sqlite --reuse --only-search   # ... measure when quiet

Documents come from ``simulator.synthetic`` (Zipf vocabulary of pseudo-words and
government phrases, 300-1500 characters, 16 MinHash band keys, a raw HTML page);
2 % are exact duplicates of an earlier document.  They are written with
``archive.store.save_documents`` - the same code path as the crawl's
``save_document`` - in batches of ``--batch`` records per transaction.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Archive, fts, open_archive, store
from archive.record import DocumentRecord
from simulator.synthetic import RANKS, Generator

logger = logging.getLogger(__name__)

QUERIES = {
    2: ["发展", "营商", "绿色", "医保", "防汛"],
    3: ["数字化", "城中村", "新能源", "产业链", "自贸区", "示范区"],
    4: ["营商环境", "疫情防控", "乡村振兴", "安全生产", "生态环境", "城市更新"],
}
FILTERED = ["发展", "营商", "数字化", "城中村", "营商环境", "城市更新"]
DUPLICATE_EVERY = 50


def _records(gen: Generator, n: int) -> Iterator[DocumentRecord]:
    recent: list[DocumentRecord] = []
    for i in range(n):
        if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and recent:
            src = recent[-1]
            url = src.canonical_url.replace(".html", f"_copy{i}.html")
            yield dataclasses.replace(src, url=url, canonical_url=url)  # same body: an exact duplicate
            continue
        r = gen.record(i)
        recent[:] = [r]
        yield r


def _size(path: Path) -> int:
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
    return sum(f.stat().st_size for f in files if f.is_file())


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def insert(path: Path, n: int, batch: int, seed: int) -> None:
    t0 = time.perf_counter()
    gen = Generator(seed=seed, pool_chars=min(20_000_000, max(400_000, n * 20)))
    print(f"generator ready in {time.perf_counter() - t0:.1f}s")
    db = open_archive(path)
    spent, done, outcomes = 0.0, 0, {"new": 0, "duplicate": 0}
    chunk: list[DocumentRecord] = []
    report = max(batch, n // 20)
    mark = (0.0, 0)  # (spent, done) at the previous progress line
    for r in _records(gen, n):
        chunk.append(r)
        if len(chunk) == batch or done + len(chunk) == n:
            t = time.perf_counter()
            for res in store.save_documents(db, chunk):
                outcomes[res.outcome] = outcomes.get(res.outcome, 0) + 1
            spent += time.perf_counter() - t
            done += len(chunk)
            chunk = []
            if done % report == 0 or done == n:
                interval = (done - mark[1]) / max(1e-9, spent - mark[0])
                mark = (spent, done)
                print(f"  {done:>9,} docs  {done / spent:,.0f} docs/s overall, {interval:,.0f} docs/s since the"
                      f" last line  {_mb(_size(path))}  load {os.getloadavg()[0]:.1f}  {time.strftime('%H:%M:%S')}",
                      flush=True)
    print(f"insert: {n:,} docs in {spent:,.1f}s = {n / spent:,.0f} docs/s "
          f"(store.save_documents, {batch} per transaction; {outcomes})")
    t = time.perf_counter()
    store.optimize(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"optimize (FTS merge + PRAGMA optimize): {time.perf_counter() - t:,.1f}s")
    db.conn.close()


def sizes(path: Path) -> None:
    size = _size(path)
    print(f"size on disk: {_mb(size)} ({size / max(1, _count(path)):,.0f} bytes/doc)")
    a = Archive(path)
    groups = {"documents": 0, "documents indexes": 0, "documents_fts": 0, "minhash_bands": 0,
              "raw_pages": 0, "other": 0}
    for name, bytes_ in a.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        if name.startswith("documents_fts"):
            groups["documents_fts"] += bytes_
        elif name.startswith(("idx_documents", "sqlite_autoindex_documents")):
            groups["documents indexes"] += bytes_
        elif name in groups:
            groups[name] += bytes_
        elif name.startswith("idx_raw_pages"):
            groups["raw_pages"] += bytes_
        else:
            groups["other"] += bytes_
    print("  " + ", ".join(f"{k} {_mb(v)}" for k, v in groups.items()))
    a.close()


def _count(path: Path) -> int:
    with Archive(path) as a:
        return a.count(include_duplicates=True)


WINDOW: int | None = None
"""``--window``: ranking window passed to ``Archive.search`` (None: its default)."""


class _Plans(logging.Handler):
    """Collects the plan ``archive.search`` logs for each query (bm25, bm25 words, recency)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.last = str(record.args[0]) if record.args else ""


PLANS = _Plans()


def _search(a: Archive, w: str, **kw: Any) -> Any:
    return a.search(w, **kw) if WINDOW is None else a.search(w, window=WINDOW or None, **kw)


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]


def search(path: Path, repeat: int) -> None:
    logger = logging.getLogger("archive.search")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(PLANS)
    logger.propagate = False
    a = Archive(path)
    total = a.count()
    print(f"search (limit 20, bm25 + snippets, read-only connection, {repeat} runs per query after 1 warm-up):")
    for length, words in QUERIES.items():
        times: list[float] = []
        for w in words:
            hits = a.conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?",
                                  (fts.scoped(fts.parse_query(w).match),)).fetchone()[0]
            _search(a, w)
            mine = []
            for _ in range(repeat):
                t = time.perf_counter()
                _search(a, w)
                mine.append((time.perf_counter() - t) * 1000)
            times += mine
            print(f"    {w:<6} rank {RANKS.get(w, 0):>5}  matches {hits:>9,} ({hits / total:6.1%})"
                  f"  median {statistics.median(mine):8.1f} ms  p95 {_p95(mine):8.1f} ms  {PLANS.last}")
        q = statistics.quantiles(times, n=20)
        print(f"  {length}-char: p50 {statistics.median(times):.1f} ms  p95 {q[18]:.1f} ms")
    newest = a.conn.execute("SELECT max(published) FROM documents").fetchone()[0][:10]
    since = f"{int(newest[:4]) - 1}{newest[4:]}"
    older = f"{int(newest[:4]) - 3}{newest[4:]}"
    until = f"{int(newest[:4]) - 2}{newest[4:]}"
    filters: dict[str, dict[str, str]] = {
        "site": {"site": "sd_site03"}, "since": {"since": since},
        "site+since": {"site": "sd_site03", "since": since}, "range": {"since": older, "until": until}}
    print(f"  filtered (site=sd_site03 = 1/20 of docs; since={since} = last 12 months;"
          f" range = {older}..{until}):")
    by_filter: dict[str, list[float]] = {k: [] for k in filters}
    for w in FILTERED:
        for label, kw in filters.items():
            _search(a, w, **kw)
            mine = []
            for _ in range(repeat):
                t = time.perf_counter()
                _search(a, w, **kw)
                mine.append((time.perf_counter() - t) * 1000)
            by_filter[label] += mine
            print(f"    {w:<6} {label:<10} median {statistics.median(mine):8.1f} ms  p95 {_p95(mine):8.1f} ms"
                  f"  {PLANS.last}")
    for label, times in by_filter.items():
        print(f"  {label}: p50 {statistics.median(times):.1f} ms  p95 {_p95(times):.1f} ms")
    a.close()


def lookups(path: Path) -> None:
    a = Archive(path)
    urls = [r[0] for r in a.conn.execute("SELECT canonical_url FROM documents ORDER BY random() LIMIT 1000")]
    keys = [r[0] for r in a.conn.execute("SELECT band_key FROM minhash_bands ORDER BY random() LIMIT 1000")]
    t = time.perf_counter()
    a.known(urls)
    t_known = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    for i in range(0, 1000, 16):
        a.near_candidates(keys[i : i + 16])
    t_near = (time.perf_counter() - t) * 1000 / len(range(0, 1000, 16))
    t = time.perf_counter()
    for u in urls[:200]:
        a.get(u)
    t_get = (time.perf_counter() - t) * 1000 / 200
    print(f"lookups: known(1000 urls) {t_known:.1f} ms, near_candidates(16 keys) {t_near:.2f} ms, "
          f"get(url) {t_get:.2f} ms")
    t = time.perf_counter()
    a.stats()
    new = time.perf_counter() - t
    t = time.perf_counter()
    for sql in _RECOUNT:  # what stats() ran before the counts tables (migration m006_counts)
        a.conn.execute(sql).fetchall()
    print(f"stats(): {new * 1000:.0f} ms from the counts tables; the scan it replaced: "
          f"{time.perf_counter() - t:.2f} s")
    a.close()


_RECOUNT = (
    "SELECT site, substr(published, 1, 10) AS day, count(*), sum(duplicate_of IS NOT NULL), max(last_seen)"
    " FROM documents GROUP BY site, day",
    "SELECT site, min(published), max(published) FROM documents GROUP BY site",
    "SELECT d.site, count(*) FROM revisions r JOIN documents d ON d.id = r.document_id GROUP BY d.site",
)


def export(path: Path) -> None:
    a = Archive(path)
    t = time.perf_counter()
    n = sum(1 for _ in a.documents())
    dt = time.perf_counter() - t
    print(f"export: documents() streamed {n:,} docs in {dt:.1f}s = {n / dt:,.0f} docs/s")
    a.close()


def crawl_path(path: Path, n: int = 1000) -> None:
    """The crawl's write path: one ``save_document`` transaction per article (adds ``n`` docs)."""
    db = open_archive(path)
    gen = Generator(seed=99, pool_chars=400_000)
    start = db.conn.execute("SELECT max(id) FROM documents").fetchone()[0] + 10_000_000
    recs = [gen.record(start + i) for i in range(n)]
    t = time.perf_counter()
    for r in recs:
        store.save_document(db, r)
    new = (time.perf_counter() - t) / n * 1000
    t = time.perf_counter()
    for r in recs:
        store.save_document(db, dataclasses.replace(r, fetched_at="2030-01-01T00:00:00+00:00"))
    same = (time.perf_counter() - t) / n * 1000
    print(f"crawl path (one transaction per save_document): new {new:.1f} ms/doc, "
          f"unchanged re-fetch {same:.2f} ms/doc")
    db.conn.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=1_000_000)
    p.add_argument("--path", type=Path, help="archive file to create (default: a temporary file)")
    p.add_argument("--batch", type=int, default=2000, help="records per transaction")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per search query")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the temporary archive")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --path")
    p.add_argument("--window", type=int, help="ranking window for search (0: rank every match)")
    p.add_argument("--only-search", action="store_true", help="with --reuse: search and lookups only")
    p.add_argument("--fill-only", action="store_true",
                   help="insert and report sizes, then stop (measure later with --reuse on a quiet machine)")
    p.add_argument("--reuse", action="store_true",
                   help="measure an existing --path archive again (no insert)")
    args = p.parse_args(argv)
    global WINDOW
    WINDOW = args.window
    if (args.reuse or args.fill_only) and args.path is None:
        p.error("--reuse and --fill-only need --path")
    tmp = None
    if args.path is None:
        tmp = Path(tempfile.mkdtemp(prefix="govpress-bench-"))
        path = tmp / "archive.sqlite"
    else:
        path = args.path
        if args.reuse:
            if not path.exists():
                p.error(f"{path} does not exist")
        elif path.exists():
            if not args.overwrite:
                p.error(f"{path} exists; pass --overwrite to replace it")
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    docs = _count(path) if args.reuse else args.docs
    print(f"archive scale benchmark: {docs:,} docs -> {path}  (SQLite {__import__('sqlite3').sqlite_version}, "
          f"{os.cpu_count()} CPUs)")
    try:
        if not args.reuse:
            insert(path, args.docs, args.batch, args.seed)
        if not args.only_search:
            sizes(path)
        if args.fill_only:
            return 0
        search(path, args.repeat)
        lookups(path)
        if not args.only_search:
            export(path)
            crawl_path(path)
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
