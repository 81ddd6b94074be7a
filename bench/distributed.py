"""Distributed crawl benchmark: worker throughput with 1, 2, 4 workers, and one ingester's rate.

    python bench/distributed.py                    # 1, 2, 4 workers, 10 list pages per column
    python bench/distributed.py --workers 1 2 --pages 2

Bench mode only: politeness is off (``LEASE_ENABLED`` false, ``DOWNLOAD_DELAY``
0.01, 8 requests per domain), so the figures show what the queue, the workers'
processing (clean + fingerprint) and the stream sustain, not what a site allows.
Every simulated site is crawled from one local simulator; a fresh ``redis-server``
on a free loopback port serves each round.  Workers are ``govpress worker``
processes; the rate counts document records (attachment entries are counted apart)
in the stream between its first and its last entry
(stream ids carry the time, so process start-up is left out); ``wall_s`` is from
the workers' start to their exit minus ``MAX_IDLE_TIME_BEFORE_CLOSE``.  The ingester
rate is one ``ingest`` call draining that round's stream into a fresh archive.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.distributed import enqueue, ingest
from core.siteconfig import load_sites
from crawler.handlers.loopback import loopback_settings
from simulator import Simulator

IDLE = 1


def _redis() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    import redis

    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def one_round(n: int, pages: int, workdir: Path) -> dict[str, Any]:
    import redis

    slugs = list(load_sites()[0])
    proc, url = _redis()
    try:
        with Simulator() as sim:
            settings = {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": 0.01, "AUTOTHROTTLE_ENABLED": False,
                        "LEASE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LIST_MAX_PAGES": pages,
                        "MAX_IDLE_TIME_BEFORE_CLOSE": IDLE, "REDIS_HEARTBEAT": 0.5, "LOG_LEVEL": "WARNING",
                        "GOVPRESS_NOW": "2026-11-22T09:00:00+08:00"}
            seed_archive = workdir / f"seed-{n}.sqlite"
            enqueue(url, slugs, archive=str(seed_archive), overrides=settings)
            sets: list[str] = []
            for k, v in settings.items():
                sets += ["-s", f"{k}={json.dumps(v) if isinstance(v, dict) else v}"]
            start = time.monotonic()
            workers = [subprocess.Popen([sys.executable, "-m", "app.cli", "worker", *slugs, "--redis", url, *sets,
                                         "-s", f"REDIS_WORKER_ID=b{i}"], stderr=subprocess.DEVNULL)
                       for i in range(n)]
            for w in workers:
                w.wait()
            crawl_s = time.monotonic() - start - IDLE
            server = redis.Redis.from_url(url)
            entries = server.xrange("govpress:items")
            records = sum(1 for _, fields in entries if b"record" in fields)
            first, last = server.xrange("govpress:items", count=1), server.xrevrange("govpress:items", count=1)
            span_s = (int(last[0][0].split(b"-")[0]) - int(first[0][0].split(b"-")[0])) / 1000
            t = time.monotonic()
            report = ingest(url, archive=str(seed_archive), finish=True)
            ingest_s = time.monotonic() - t
            if os.environ.get("BENCH_RUNS"):  # diagnostics: each site's run record
                from archive import Archive

                with Archive(seed_archive) as a:
                    for r in a.runs(limit=100):
                        print(json.dumps({"site": r.site, "status": r.status, "pages": r.pages, "new": r.new,
                                          "unchanged": r.unchanged, "errors": r.errors, "error": r.error[:120],
                                          "requeued": r.stats.get("distributed/requeued")}), flush=True)
        return {"workers": n, "records": records, "attachments": len(entries) - records, "wall_s": round(crawl_s, 2),
                "records_per_s": round((records - 1) / span_s, 1) if span_s else None, "ingested": report.saved,
                "ingest_per_s": round(report.saved / ingest_s, 1) if ingest_s else None,
                "outcomes": report.outcomes, "load_avg_1m": round(os.getloadavg()[0], 2)}
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pages", type=int, default=10, help="LIST_MAX_PAGES for every site")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is not installed (apt-get install -y redis-server)")
    print(json.dumps({"cores": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()],
                      "pages": args.pages, "sites": len(load_sites()[0])}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.workers:
            print(json.dumps(one_round(n, args.pages, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
