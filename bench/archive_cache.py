"""The crawl session's SQLite page cache against its save cost, same run (``ARCHIVE_CACHE_MIB``).

Saves ``--docs`` synthetic documents (``simulator.synthetic``) through ``ArchiveSession``
as a crawl does (batches of 50, near-duplicate identity) into a fresh archive once per
cache size, alternating sizes over ``--runs`` repetitions, and prints the CPU time per
document (all of them, and the last 5,000) and SQLite's own allocations after the run.

    python bench/archive_cache.py --docs 15000 --cache-mib 8,16,64
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import open_archive
from archive.session import ArchiveSession
from pipelines.session import identity_for
from simulator.synthetic import Generator


def _sqlite_used() -> int:
    lib = ctypes.CDLL("libsqlite3.so.0")  # the library _sqlite3 links: one counter per process
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=15_000)
    ap.add_argument("--cache-mib", default="8,16,64")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args(argv)
    caches = [int(x) for x in args.cache_mib.split(",")]
    gen = Generator(seed=3, pool_chars=400_000)
    records = [gen.record(i) for i in range(args.docs)]
    tail = min(5000, args.docs)
    for rep in range(args.runs):
        for mib in caches:
            with tempfile.TemporaryDirectory(prefix="govpress-cache-bench-") as tmp:
                path = os.path.join(tmp, "a.sqlite")
                open_archive(path).close()
                session = ArchiveSession(path, identity=identity_for(True), batch_size=50, cache_kib=mib * 1024)
                used = _sqlite_used()
                t0 = time.process_time()
                t_tail = t0
                for i, record in enumerate(records):
                    if i == args.docs - tail:
                        t_tail = time.process_time()
                    session.save(record)
                session.flush()
                t1 = time.process_time()
                grown = (_sqlite_used() - used) / 2**20
                session.close()
                size = os.path.getsize(path) / 2**20
            print(f"cache {mib:>4} MiB run {rep + 1}: {(t1 - t0) / args.docs * 1000:.2f} ms/doc, last {tail:,} "
                  f"{(t1 - t_tail) / tail * 1000:.2f} ms/doc; SQLite memory {grown:.1f} MiB; file {size:.0f} MiB",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
