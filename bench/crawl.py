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
    python bench/crawl.py --pages 200000 --runs 1 --only govpress --page-size 100 --mem-every 10000
    python bench/crawl.py --pages 5000 --runs 1 --only govpress --tracemalloc 2000,4500

Memory flags (bench only; nothing is installed in the crawl when they are off):
``--mem-every N`` prints one ``MEM`` line every N responses (the crawl process's RSS and
peak, its largest descendant's RSS, the spider's frontier state, Scrapy's queue and the
items in flight), live, so a partial long run still yields its curve; ``--tracemalloc A,B``
traces allocations in the crawl process and prints the top growth between the snapshots
taken at A and B responses.  When ``--page-size`` × 20 list pages cannot hold the site,
the bench raises the column's ``max_pages`` (and ``LIST_MAX_LINKS`` /
``FRONTIER_MAX_REQUESTS``) so that every generated article is reachable.

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


def _rss_kib(pid: int | str = "self") -> tuple[int, int]:
    """``(VmRSS, VmHWM)`` of a process in KiB (0, 0 once it is gone)."""
    rss = hwm = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def _native_memory() -> dict[str, float]:
    """SQLite's own allocations and glibc's heap (in use / free inside it), in MiB."""
    import ctypes

    out: dict[str, float] = {}
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")  # the library _sqlite3 links: the same process-wide counter
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        out["sqlite_mib"] = round(lib.sqlite3_memory_used() / 2**20, 1)
    except (OSError, AttributeError):
        pass
    try:
        class MallInfo2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                         "usmblks", "fsmblks", "uordblks", "fordblks",
                                                         "keepcost")]

        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = MallInfo2
        mi = libc.mallinfo2()
        out["malloc_used_mib"] = round((mi.uordblks + mi.hblkhd) / 2**20, 1)
        out["malloc_free_mib"] = round(mi.fordblks / 2**20, 1)
    except (OSError, AttributeError):
        pass
    return out


class MemProbe:
    """Bench-only: RSS samples and tracemalloc snapshots at given response counts."""

    def __init__(self, crawler: Any, every: int, snaps: list[int]) -> None:
        self.crawler = crawler
        self.every = every
        self.snaps = sorted(snaps)
        self.taken: list[Any] = []
        self.count = 0
        self.t0 = time.perf_counter()
        if self.snaps:
            import tracemalloc

            tracemalloc.start(int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "1")))

    def on_response(self, response: Any = None, request: Any = None, spider: Any = None) -> None:
        self.count += 1
        if self.every and self.count % self.every == 0:
            self.sample()
        if self.snaps and self.count == self.snaps[0]:
            self.snapshot()

    def sample(self) -> None:
        import gc

        rss, hwm = _rss_kib()
        kids = max((_rss_kib(k)[0] for k in _descendants(os.getpid())), default=0)
        engine = self.crawler.engine
        spider = self.crawler.spider
        slot = getattr(engine, "_slot", None)
        queued = len(slot.scheduler) if slot is not None and slot.scheduler is not None else -1
        scraper = engine.scraper.slot if engine is not None else None
        state = {
            "pages": self.count,
            "t": round(time.perf_counter() - self.t0, 1),
            "rss_mib": round(rss / 1024, 1),
            "hwm_mib": round(hwm / 1024, 1),
            "worker_rss_mib": round(kids / 1024, 1),
            "queued": queued,
            "in_flight_responses": len(scraper.active) if scraper is not None else -1,
            "in_flight_bytes": scraper.active_size if scraper is not None else -1,
            "downloading": len(engine.downloader.active) if engine is not None else -1,
            "scheduled": len(getattr(spider, "scheduled", ())),
            "stats_keys": len(self.crawler.stats.get_stats()),
            "gc_objects": len(gc.get_objects()),
            **_native_memory(),
        }
        frontier = getattr(spider, "frontier", None)
        if frontier is not None and hasattr(frontier, "memory_bytes"):
            state["frontier_bytes"] = frontier.memory_bytes()
        print("MEM " + json.dumps(state), flush=True)

    def snapshot(self) -> None:
        import gc
        import tracemalloc

        self.snaps.pop(0)
        gc.collect()
        snap = tracemalloc.take_snapshot().filter_traces([
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
        ])
        traced, peak = tracemalloc.get_traced_memory()
        rss, _ = _rss_kib()
        print(f"MEM snapshot at {self.count} responses: traced {traced / 2**20:.1f} MiB "
              f"(peak {peak / 2**20:.1f}), RSS {rss / 1024:.1f} MiB", flush=True)
        self.taken.append((self.count, snap))
        if len(self.taken) >= 2:
            (n0, a), (n1, b) = self.taken[-2], self.taken[-1]
            for key in ("lineno", "filename"):
                diff = b.compare_to(a, key)
                grown = sum(d.size_diff for d in diff)
                print(f"MEM tracemalloc growth {n0} -> {n1} responses by {key}: "
                      f"{grown / 2**20:+.2f} MiB = {grown / max(1, n1 - n0):+.0f} B/response", flush=True)
                for d in diff[:25]:
                    frame = d.traceback[0]
                    print(f"MEM   {d.size_diff / 1024:+10.1f} KiB {d.count_diff:+8d} blocks  "
                          f"{frame.filename}:{frame.lineno if key == 'lineno' else ''}", flush=True)


def _deepen(spider_cls: Any, pages: int, page_size: int) -> Any:
    """Bench only: a subclass whose first column has enough list pages for ``pages`` articles."""
    import dataclasses

    site = spider_cls.site
    need = -(-pages // page_size) + 1
    if all(lst.max_pages >= need for lst in site.lists):
        return spider_cls
    lists = tuple(dataclasses.replace(lst, max_pages=max(lst.max_pages, need)) for lst in site.lists)
    deep = dataclasses.replace(site, lists=type(site.lists)(lists))
    return type(spider_cls.__name__, (spider_cls,), {"site": deep, "__module__": spider_cls.__module__})


def crawl(mode: str, hostmap: dict[str, str], archive: str, concurrency: int, *, pages: int = 0,
          page_size: int = 0, mem_every: int = 0, snaps: list[int] | None = None) -> None:
    """One crawl in this process (the child); prints its stats as JSON."""
    import logging

    from scrapy import signals
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
    if page_size > 500:
        bench["LIST_MAX_LINKS"] = page_size
    if pages > 40_000:
        bench["FRONTIER_MAX_REQUESTS"] = pages + pages // max(1, page_size) + 1000
    if mode == "bare":
        bench.update(ITEM_PIPELINES={}, EXTENSIONS={}, INCREMENTAL_ENABLED=False)
    settings = project_settings(bench)
    open_archive(archive).close()
    logging.getLogger("scrapy").setLevel(logging.ERROR)
    process = CrawlerProcess(settings, install_root_handler=False)
    cls = spider_class(SITE)
    if pages and page_size:
        cls = _deepen(cls, pages, page_size)
    crawler = process.create_crawler(cls)
    if mem_every or snaps:
        probe = MemProbe(crawler, mem_every, snaps or [])
        crawler.signals.connect(probe.on_response, signal=signals.response_received)
        crawler.signals.connect(probe.sample, signal=signals.spider_closed)
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


def run_child(mode: str, hostmap: dict[str, str], concurrency: int, keep: set[int],
              extra: list[str] | None = None) -> dict[str, Any]:
    sim_cpu = _cpu_of(min(keep))
    with tempfile.TemporaryDirectory(prefix="govpress-crawl-bench-") as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        err_path = Path(tmp) / "stderr.txt"
        with err_path.open("w") as err:
            child = subprocess.Popen(
                [sys.executable, __file__, "--child", mode, "--hostmap", json.dumps(hostmap),
                 "--archive", str(Path(tmp) / "a.sqlite"), "--concurrency", str(concurrency),
                 *(extra or [])],
                stdout=subprocess.PIPE, stderr=err, text=True,
            )
            assert child.stdout is not None
            lines = []
            for line in child.stdout:
                if line.startswith("MEM "):
                    print(f"  {mode:8} {line[4:].rstrip()}", flush=True)  # live: a partial run still counts
                else:
                    lines.append(line)
            returncode = child.wait()
        wall = time.perf_counter() - t0
        _reap_orphans(keep)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        stderr = err_path.read_text(errors="replace")
    if returncode != 0 or not lines:
        raise SystemExit(f"{mode} crawl failed ({returncode}):\n{stderr[-3000:]}")
    res: dict[str, Any] = json.loads(lines[-1].strip())
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
    ap.add_argument("--mem-every", type=int, default=0, metavar="N",
                    help="print the crawl's RSS and frontier state every N responses (MEM lines)")
    ap.add_argument("--tracemalloc", default="", metavar="A,B",
                    help="trace allocations; print the top growth between A and B responses")
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
    snaps = [int(x) for x in args.tracemalloc.split(",") if x.strip()]
    if args.child:
        crawl(args.child, json.loads(args.hostmap), args.archive, args.concurrency, pages=pages,
              page_size=args.page_size, mem_every=args.mem_every, snaps=snaps)
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
                extra = ["--pages", str(info["articles"]), "--page-size", str(args.page_size),
                         "--mem-every", str(args.mem_every), "--tracemalloc", args.tracemalloc]
                r = run_child(kind, info["hostmap"], args.concurrency, {sim.pid}, extra)
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
