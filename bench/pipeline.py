"""CPU per page of the whole item pipeline (clean -> dedup -> archive) against lxml parse-only.

Two page sets, each measured in the same run:

* ``corpus``: the real article pages of ``shared/corpus`` (``manifest.tsv`` kind ``article``);
* ``sim``: every article page the simulator renders, cleaned with its site's selectors.

For each set and repetition the pages go through the crawl's own three item pipelines
(built with ``get_crawler``: ``CleaningPipeline``, ``DedupPipeline``, ``ArchivePipeline``)
into a fresh archive in a temporary directory, one page at a time, timed per stage with
``time.process_time``; the baseline is ``lxml.html.document_fromstring`` on the same bytes.
The ratio is pipeline pages per CPU second / parse-only pages per CPU second (medians over
the repetitions).  The last line is ``RESULT ratio=<corpus ratio> sim_ratio=<…> …``.

    python bench/pipeline.py            # 5 repetitions
    python bench/pipeline.py --quick    # 3 repetitions
    python bench/pipeline.py --profile  # cProfile of the corpus pipeline, top 25 by tottime
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import logging
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = Path(os.environ.get("GOVPRESS_CORPUS", "/work/shared/corpus"))


class _Spider:
    """Stands in for the site spider: the cleaning and archive pipelines read ``spider.site``."""

    def __init__(self, site: Any) -> None:
        self.site = site


def corpus_pages() -> list[tuple[str, str, bytes, Any]]:
    """``(site slug, url, raw bytes, site definition)`` of the corpus article pages."""
    out = []
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["page_kind"] != "article":
                continue
            path = CORPUS / "html" / f"{row['id']}.html"
            if path.exists():
                out.append(("corpus", f"http://{row['site_domain']}/corpus/{row['id']}.html",
                            path.read_bytes(), None))
    return out


def sim_pages() -> list[tuple[str, str, bytes, Any]]:
    """Every article the simulator serves, rendered without HTTP, with its site definition."""
    from core.siteconfig import load_sites
    from simulator.server import Simulator

    sites, _ = load_sites()
    sim = Simulator()
    out = []
    for art in sim.articles():
        page = sim._apps[art.slug].render_article(art)
        body = page.body if isinstance(page.body, bytes) else page.body.encode("utf-8")
        out.append((art.slug, art.url, body, sites.get(art.slug)))
    return out


def parse_only(pages: list[tuple[str, str, bytes, Any]]) -> float:
    """CPU seconds per page to parse the raw bytes with lxml."""
    import lxml.html

    gc.collect()
    t0 = time.process_time()
    for _, _, raw, _ in pages:
        lxml.html.document_fromstring(raw)
    return (time.process_time() - t0) / len(pages)


def pipeline(pages: list[tuple[str, str, bytes, Any]], rep: int,
             profile: cProfile.Profile | None = None) -> dict[str, float]:
    """CPU seconds per page for each stage and in all, into a fresh archive."""
    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler

    from archive.record import DocumentRecord
    from pipelines.archiving import ArchivePipeline
    from pipelines.cleaning import CleaningPipeline
    from pipelines.dedup import DedupPipeline

    spent = {"clean": 0.0, "dedup": 0.0, "archive": 0.0}
    with tempfile.TemporaryDirectory(prefix="govpress-bench-") as tmp:
        settings = {"ARCHIVE_PATH": str(Path(tmp) / "a.sqlite"), "LOG_LEVEL": "ERROR",
                    "CLEANING_WORKERS": 0}  # CPU per page on one core: extraction inline
        by_site: dict[str, tuple[Any, list[Any]]] = {}
        for slug, _, _, site in pages:
            if slug not in by_site:
                crawler = get_crawler(settings_dict=settings)
                crawler.spider = _Spider(site)  # type: ignore[assignment]
                stages = [CleaningPipeline.from_crawler(crawler), DedupPipeline.from_crawler(crawler),
                          ArchivePipeline.from_crawler(crawler)]
                stages[2].open_spider()
                by_site[slug] = (crawler, stages)
        gc.collect()
        dropped = 0
        if profile:
            profile.enable()
        for i, (slug, url, raw, _) in enumerate(pages):
            _, (cleaning, dedup, archiving) = by_site[slug]
            item = DocumentRecord(site=slug, url=url, canonical_url=url, raw=raw,
                               headers={"content-type": "text/html"},
                               fetched_at=f"2026-11-{1 + rep % 28:02d}T00:00:{i % 60:02d}+00:00")
            t0 = time.process_time()
            try:
                _sync(cleaning.process_item(item))
            except DropItem:
                dropped += 1
                spent["clean"] += time.process_time() - t0
                continue
            t1 = time.process_time()
            dedup.process_item(item)
            t2 = time.process_time()
            archiving.process_item(item)
            t3 = time.process_time()
            spent["clean"] += t1 - t0
            spent["dedup"] += t2 - t1
            spent["archive"] += t3 - t2
        if profile:
            profile.disable()
        from pipelines.session import session_for

        for crawler, stages in by_site.values():
            stages[0].close_spider()
            session_for(crawler).close()
    out = {k: v / len(pages) for k, v in spent.items()}
    out["total"] = sum(out.values())
    out["dropped"] = dropped
    return out


def _sync(result: Any) -> Any:
    """The value of a pipeline call; an inline ``async def`` step completes without awaiting."""
    if not hasattr(result, "send"):
        return result
    try:
        result.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("the pipeline step awaited something: run it with CLEANING_WORKERS=0")


def minhash_vs_datasketch(pages: list[tuple[str, str, bytes, Any]], log: Callable[[str], None]) -> None:
    """Signature time per page of ``fingerprint.signature_from_hashes`` and of datasketch, same hashes."""
    import numpy as np

    from pipelines import fingerprint
    from pipelines.extract import extract

    try:
        import datasketch  # noqa: F401
    except ImportError:
        log("minhash: datasketch not installed, comparison skipped (pip install -e '.[bench]')")
        return
    hashes = [fingerprint.shingle_hashes(extract(raw, url).body) for _, url, raw, _ in pages]
    spent = {"numpy": 0.0, "datasketch": 0.0}
    same = True
    for _ in range(3):
        for h in hashes:
            t0 = time.process_time()
            a = fingerprint.signature_from_hashes(h)
            t1 = time.process_time()
            b = fingerprint.datasketch_signature(h)
            t2 = time.process_time()
            spent["numpy"] += t1 - t0
            spent["datasketch"] += t2 - t1
            same = same and bool(np.array_equal(a, b))
    n = 3 * len(hashes)
    log(f"minhash ({np.mean([len(h) for h in hashes]):.0f} shingles/page): fingerprint.signature_from_hashes "
        f"{spent['numpy'] / n * 1e3:.3f} ms, datasketch {spent['datasketch'] / n * 1e3:.3f} ms per page; "
        f"identical signatures: {same}")


def measure(name: str, pages: list[tuple[str, str, bytes, Any]], reps: int,
            log: Callable[[str], None]) -> dict[str, float]:
    parse, totals = [], []
    stages: dict[str, list[float]] = {"clean": [], "dedup": [], "archive": []}
    for rep in range(reps):
        parse.append(parse_only(pages))
        res = pipeline(pages, rep)
        totals.append(res["total"])
        for k, values in stages.items():
            values.append(res[k])
        log(f"  {name} rep {rep + 1}: parse {parse[-1] * 1e3:.2f} ms  pipeline {res['total'] * 1e3:.2f} ms "
            f"(clean {res['clean'] * 1e3:.2f}, dedup {res['dedup'] * 1e3:.2f}, "
            f"archive {res['archive'] * 1e3:.2f}; {int(res['dropped'])} dropped)  "
            f"ratio {parse[-1] / res['total']:.3f}")
    p, t = statistics.median(parse), statistics.median(totals)
    med = {k: statistics.median(v) for k, v in stages.items()}
    log(f"{name}: {len(pages)} pages, median CPU/page parse-only {p * 1e3:.2f} ms, pipeline {t * 1e3:.2f} ms "
        f"(clean {med['clean'] * 1e3:.2f}, dedup {med['dedup'] * 1e3:.2f}, archive {med['archive'] * 1e3:.2f}); "
        f"ratio {p / t:.3f} (range {min(a / b for a, b in zip(parse, totals)):.3f}"
        f"-{max(a / b for a, b in zip(parse, totals)):.3f})")
    return {"ratio": p / t, "parse_ms": p * 1e3, "pipeline_ms": t * 1e3, **{k: v * 1e3 for k, v in med.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repetitions instead of 5")
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--profile", action="store_true", help="cProfile one corpus pass, print the top 25")
    args = ap.parse_args(argv)
    reps = args.reps or (3 if args.quick else 5)
    logging.disable(logging.CRITICAL)  # the pipelines' per-page warnings would flood the output
    corpus, sim = corpus_pages(), sim_pages()
    if not corpus:
        print(f"no corpus article pages under {CORPUS}", file=sys.stderr)
        return 2
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"{len(corpus)} corpus article pages, {len(sim)} simulator pages, {reps} repetitions")
    pipeline(corpus[:3], 99)  # warm-up: imports, compiled patterns, selector caches
    if args.profile:
        prof = cProfile.Profile()
        pipeline(corpus, 0, prof)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return 0
    minhash_vs_datasketch(corpus, print)
    c = measure("corpus", corpus, reps, print)
    s = measure("sim", sim, reps, print)
    print(f"RESULT ratio={c['ratio']:.3f} sim_ratio={s['ratio']:.3f} "
          f"corpus_ms={c['pipeline_ms']:.2f} corpus_parse_ms={c['parse_ms']:.2f} "
          f"sim_ms={s['pipeline_ms']:.2f} sim_parse_ms={s['parse_ms']:.2f} load={os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
