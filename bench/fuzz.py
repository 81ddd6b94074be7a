"""The full fuzz run of issue #17: hostile pages, site-file and setting cases, hostile servers.

    python bench/fuzz.py [--pages 500] [--configs 3000] [--articles 100] [--links 100000]

Prints, for each part, how many cases ran, how many were refused or flagged as they
should be, and how many raised something else (must be 0), with timings.  The suite
runs the same harness at CI size (``tests/test_fuzz.py``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.hostile import SENTENCE, Hosts, article_path, hostile_page, scenario


def pages(n: int) -> None:
    import logging

    from pipelines.extract import extract

    logging.disable(logging.WARNING)  # one warning per skipped link would drown the figures

    rng = random.Random(2026)
    times: list[float] = []
    flags: Counter[str] = Counter()
    used: Counter[str] = Counter()
    crashed = kept = 0
    for i in range(n):
        raw, ctype, constructs = hostile_page(rng, i)
        used.update(constructs)
        start = time.perf_counter()
        try:
            ex = extract(raw, f"http://www.fuzz.gov.cn{article_path(i)}", content_type=ctype)
        except Exception as exc:  # the guarantee under test
            crashed += 1
            print(f"  RAISED on page {i} ({constructs}): {type(exc).__name__}: {exc}")
            continue
        times.append(time.perf_counter() - start)
        flags.update(ex.flags)
        kept += SENTENCE.format(i=i)[:8] in ex.body
    print(f"hostile pages: {n} pages, {len(times)} extracted, raised {crashed}, "
          f"text kept on {kept} ({kept / n:.1%})")
    print(f"  time per page: median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print("  constructs: " + ", ".join(f"{k} {v}" for k, v in used.most_common()))
    print("  flags: " + ", ".join(f"{k} {v}" for k, v in flags.most_common()))


def configs(n: int) -> None:
    from app.crawl import project_settings
    from core.siteconfig import SiteConfigError, parse_site
    from crawler.config import SETTINGS, ConfigError
    from tests.test_fuzz import _mutations
    from tests.test_siteconfig import GOOD

    rng = random.Random(1717)
    outcome: Counter[str] = Counter()
    fields: Counter[str] = Counter()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sd_test.toml"
        for _ in range(n):
            path.write_text(_mutations(rng, GOOD), "utf-8")
            try:
                parse_site(path)
                outcome["accepted"] += 1
            except SiteConfigError as exc:
                outcome["refused in one line" if "\n" not in str(exc) else "refused, multi-line"] += 1
                fields[str(exc).split(": ")[1].split("[")[0]] += 1
            except Exception as exc:
                outcome[f"RAISED {type(exc).__name__}"] += 1
    took = time.perf_counter() - start
    print(f"site-file cases: {n} random edits in {took:.1f} s: " + ", ".join(f"{k} {v}" for k, v in outcome.items()))
    print("  refused fields: " + ", ".join(f"{k} {v}" for k, v in fields.most_common(12)))
    values = ["nan", "inf", "-inf", "abc", "", "-1", "0", "1e309", "1" * 400, "TRUE", "debug", "{", "[]",
              '{"a": "127.0.0.1:1"}', "2026-13-45", "\x00", "0.5", "3", "yes", "None"]
    outcome = Counter()
    for name in SETTINGS:
        for value in values:
            try:
                project_settings({name: value})
                outcome["accepted"] += 1
            except ConfigError as exc:
                outcome["refused in one line" if "\n" not in str(exc) else "refused, multi-line"] += 1
            except Exception as exc:
                outcome[f"RAISED {type(exc).__name__}"] += 1
    print(f"setting cases: {len(SETTINGS)} settings x {len(values)} values: "
          + ", ".join(f"{k} {v}" for k, v in outcome.items()))


def servers(articles: int, links: int) -> None:
    from archive import Archive
    from tests.conftest import crawl

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        hosts = scenario(articles, links)
        for server in hosts.values():
            server.start()
            server.write_site(folder)
        os.environ["GOVPRESS_SITES"] = str(folder)
        start = time.perf_counter()
        try:
            runs = crawl(Hosts(list(hosts.values())), folder / "a.sqlite", [s.slug for s in hosts.values()],
                         LIST_MAX_LINKS=200, FRONTIER_MAX_REQUESTS=500, RETRY_TIMES=0, DOWNLOAD_TIMEOUT=10,
                         INCREMENTAL_FULL=True, LOG_LEVEL="ERROR", STATS_DUMP=False)
        finally:
            for server in hosts.values():
                server.stop()
        took = time.perf_counter() - start
        reader = Archive(folder / "a.sqlite")
        print(f"hostile servers: {len(hosts)} sites crawled at once in {took:.1f} s")
        for name, server in hosts.items():
            run = next(r for r in runs if r["site"] == server.slug)
            stats = reader.runs(site=server.slug)[0].stats
            notes = {k: v for k, v in stats.items() if k.split("/")[0] in
                     ("lists", "frontier", "cookies", "robotstxt", "metarefresh", "item_errors")
                     and k not in ("lists/pages", "lists/first_page_links") and isinstance(v, int)}
            print(f"  {name:13} {run['status']:8} requests {len(server.paths()):5} new {run['new']:4} "
                  f"dup {run['duplicate']:3} errors {run['errors']:3}  {notes}  {run['error'][:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--configs", type=int, default=3000)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--links", type=int, default=50_000, help="Links on the flood list page (100k is past the 8 MiB size cap).")
    parser.add_argument("--no-crawl", action="store_true", help="Skip the hostile-server crawl.")
    args = parser.parse_args()
    pages(args.pages)
    configs(args.configs)
    if not args.no_crawl:
        servers(args.articles, args.links)


if __name__ == "__main__":
    main()
