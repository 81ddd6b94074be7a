"""Crawl throughput: govpress against a bare Scrapy spider on the simulator, same run.

The simulator runs in its own process (``--serve``) with one site grown to ``--pages``
generated articles (``Simulator.grow``).  Each crawl runs in a fresh process against it:

* ``bare``: the same ``SiteSpider`` (same URLs: list pages, their article links, the
  pagination) with ``ITEM_PIPELINES`` and ``EXTENSIONS`` empty, so only fetching and
  link parsing remain;
* ``govpress``: the project's settings as they are (cleaning, dedup, archive, run record,
  monitors) into a fresh archive.

Both use the same bench-mode settings: politeness off (``DOWNLOAD_DELAY`` 0, no
AutoThrottle, ``CONCURRENT_REQUESTS_PER_DOMAIN`` = ``--concurrency``), robots.txt still
obeyed.  Runs alternate bare/govpress; the ratio is of the medians.  Wall clock is the
child's lifetime; CPU is the user+system time of the child and all its descendants (this
process is their subreaper, so the extraction workers are counted), peak RSS the largest
single process's.

    python bench/crawl.py              # 10,000 pages, 3 runs of each
    python bench/crawl.py --quick      # 2,000 pages, 2 runs of each
    python bench/crawl.py --pages 50000 --runs 1 --only govpress   # memory at 50k

The last line is ``RESULT ratio=<govpress pages/s / bare pages/s, wall> cpu_ratio=<…> …``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE = "sd_jinan"


def serve(pages: int, page_size: int) -> None:
    """The simulator process: grow the site, print the host map, serve until stdin closes."""
    import logging

    logging.disable(logging.WARNING)
    from simulator import Simulator

    sim = Simulator(page_size=page_size)
    sim.grow(SITE, pages)
    sim.start()
    print(json.dumps({"hostmap": sim.hostmap(), "articles": len(sim.articles(SITE))}), flush=True)
    sys.stdin.read()
    sim.stop()


def crawl(mode: str, hostmap: dict[str, str], archive: str, concurrency: int) -> None:
    """One crawl in this process (the child); prints its stats as JSON."""
    import logging

    from scrapy.crawler import CrawlerProcess

    from app.crawl import project_settings, spider_class
    from archive import open_archive
    from crawler.handlers.loopback import loopback_settings

    bench = {
        **loopback_settings(hostmap), "ARCHIVE_PATH": archive, "LOG_LEVEL": "ERROR",
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 2 * concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "INCREMENTAL_FULL": True,
        "GOVPRESS_TRIGGER": "manual",
    }
    if mode == "bare":
        bench.update(ITEM_PIPELINES={}, EXTENSIONS={}, INCREMENTAL_ENABLED=False)
    settings = project_settings(bench)
    open_archive(archive).close()
    logging.getLogger("scrapy").setLevel(logging.ERROR)
    process = CrawlerProcess(settings, install_root_handler=False)
    crawler = process.create_crawler(spider_class(SITE))
    process.crawl(crawler)
    t0 = time.perf_counter()
    process.start()
    wall = time.perf_counter() - t0
    stats = crawler.stats.get_stats()
    print(json.dumps({
        "pages": stats.get("response_received_count", 0),
        "items": stats.get("item_scraped_count", 0),
        "archived": stats.get("archive/new", 0),
        "dropped": stats.get("item_dropped_count", 0),
        "reactor_wall": wall,
    }))


def _subreaper() -> None:
    """Adopt orphaned descendants (the extraction pool's forkserver and workers), so their
    CPU time reaches this process's ``RUSAGE_CHILDREN`` once reaped (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        print("warning: no PR_SET_CHILD_SUBREAPER: pool workers' CPU not counted", file=sys.stderr)


def _reap_orphans(keep: set[int], timeout: float = 10.0) -> None:
    """Wait for every child except ``keep`` (the simulator) to exit and reap it."""
    deadline = time.monotonic() + timeout
    me = str(os.getpid())
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and int(stat.parent.name) not in keep:
                alive.append(stat.parent.name)
        if not alive:
            return
        time.sleep(0.05)


def _cpu_of(pid: int) -> float:
    """User+system seconds of a live process (its own threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(mode: str, hostmap: dict[str, str], concurrency: int, keep: set[int]) -> dict[str, Any]:
    sim_cpu = _cpu_of(min(keep))
    with tempfile.TemporaryDirectory(prefix="govpress-crawl-bench-") as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--hostmap", json.dumps(hostmap),
             "--archive", str(Path(tmp) / "a.sqlite"), "--concurrency", str(concurrency)],
            capture_output=True, text=True, check=False,
        )
        wall = time.perf_counter() - t0
        _reap_orphans(keep)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{mode} crawl failed ({out.returncode}):\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = wall
    res["sim_cpu"] = _cpu_of(min(keep)) - sim_cpu
    res["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    res["maxrss_mib"] = after.ru_maxrss / 1024  # of the largest child so far (Linux: KiB)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 pages, 2 runs of each")
    ap.add_argument("--pages", type=int, default=0, help="generated articles (default 10,000)")
    ap.add_argument("--runs", type=int, default=0, help="runs of each kind (default 3)")
    ap.add_argument("--page-size", type=int, default=0,
                    help="articles per list page (default: 100, more when the site's 20 list pages "
                         "would not hold them all)")
    ap.add_argument("--concurrency", type=int, default=8, help="CONCURRENT_REQUESTS_PER_DOMAIN")
    ap.add_argument("--only", choices=["bare", "govpress"], help="run one kind only (memory runs)")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=["bare", "govpress"], help=argparse.SUPPRESS)
    ap.add_argument("--hostmap", help=argparse.SUPPRESS)
    ap.add_argument("--archive", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    pages = args.pages or (2000 if args.quick else 10_000)
    runs = args.runs or (2 if args.quick else 3)
    args.page_size = args.page_size or max(100, -(-(pages + 20) // 19))  # sites cap lists at 20 pages
    if args.serve:
        serve(pages, args.page_size)
        return 0
    if args.child:
        crawl(args.child, json.loads(args.hostmap), args.archive, args.concurrency)
        return 0

    _subreaper()
    sim = subprocess.Popen([sys.executable, __file__, "--serve", "--pages", str(pages),
                            "--page-size", str(args.page_size)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert sim.stdout is not None
        info = json.loads(sim.stdout.readline())
        print(f"python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
              f"simulator pid {sim.pid}: {SITE} with {info['articles']:,} articles, {args.page_size} per list "
              f"page; concurrency {args.concurrency} per domain, no delay; {runs} run(s) of each")
        kinds = [args.only] if args.only else ["bare", "govpress"]
        results: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
        for i in range(runs):
            for kind in kinds:
                r = run_child(kind, info["hostmap"], args.concurrency, {sim.pid})
                r["rate"] = r["pages"] / r["wall"]
                r["cpu_ms"] = r["cpu"] / max(1, r["pages"]) * 1000
                results[kind].append(r)
                print(f"  {kind:8} run {i + 1}: {r['pages']:,} pages in {r['wall']:.1f} s = {r['rate']:.0f} pages/s, "
                      f"CPU {r['cpu']:.1f} s ({r['cpu_ms']:.1f} ms/page), archived {r['archived']:,}, "
                      f"dropped {r['dropped']}, peak RSS {r['maxrss_mib']:.0f} MiB; simulator CPU "
                      f"{r['sim_cpu']:.1f} s ({r['sim_cpu'] / r['wall']:.0%} of a core)", flush=True)
    finally:
        if sim.stdin:
            sim.stdin.close()
        sim.wait(timeout=30)
    med = {k: (statistics.median(r["rate"] for r in v), statistics.median(r["cpu_ms"] for r in v))
           for k, v in results.items()}
    if len(kinds) == 1:
        k = kinds[0]
        print(f"RESULT {k}_rate={med[k][0]:.1f} {k}_cpu_ms={med[k][1]:.2f} pages={pages}")
        return 0
    ratio = med["govpress"][0] / med["bare"][0]
    cpu_ratio = med["bare"][1] / med["govpress"][1]
    print(f"RESULT ratio={ratio:.3f} cpu_ratio={cpu_ratio:.3f} govpress_rate={med['govpress'][0]:.1f} "
          f"bare_rate={med['bare'][0]:.1f} govpress_cpu_ms={med['govpress'][1]:.2f} "
          f"bare_cpu_ms={med['bare'][1]:.2f} pages={pages} load={os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
