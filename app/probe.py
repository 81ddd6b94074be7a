"""``govpress probe``: can we reach each site, and if not, why?  One polite request per list URL
and per sample article (``crawler.probe.ProbeSpider``); the results go to the archive's
``probes`` table and are shown by ``govpress sites``.
"""

from __future__ import annotations

import logging
from typing import Any

from core.siteconfig import SiteDefinition
from crawler.probe import ProbeResult, ProbeSpider

logger = logging.getLogger(__name__)

PROBE_SETTINGS: dict[str, Any] = {
    "RETRY_ENABLED": False,
    "INCREMENTAL_ENABLED": False,
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {
        "crawler.extensions.sitelock.SiteLockExtension": None,
        "crawler.extensions.runrecord.RunRecordExtension": None,
        "crawler.extensions.monitors.MonitorExtension": None,
    },
    # Every failure is in the results table; Scrapy's own tracebacks (robots.txt) would only repeat it.
    "LOG_LEVEL": "CRITICAL",
}


def run_probe(sites: list[SiteDefinition], extra: dict[str, Any] | None = None) -> list[ProbeResult]:
    """Probe ``sites`` in this process (the reactor starts once per process)."""
    from scrapy.crawler import CrawlerProcess

    from app.crawl import project_settings

    process = CrawlerProcess(project_settings({**PROBE_SETTINGS, **(extra or {})}))
    crawler = process.create_crawler(ProbeSpider)
    process.crawl(crawler, sites=sites)
    process.start()
    spider = crawler.spider
    results: list[ProbeResult] = list(spider.results) if isinstance(spider, ProbeSpider) else []
    order = {s.slug: i for i, s in enumerate(sites)}
    return sorted(results, key=lambda r: (order.get(r.site, 0), r.kind != "list", r.column, r.url))


def site_state(rows: list[dict[str, Any]]) -> str:
    """A site's probe state: ``ok`` when every request was, else the first other state."""
    bad = [r["state"] for r in rows if r["state"] != "ok"]
    return bad[0] if bad else ("ok" if rows else "")


def save(path: str, results: list[ProbeResult]) -> int:
    """Keep the results in the archive at ``path``; raises ``ArchiveError``."""
    from archive import open_archive, store

    db = open_archive(path)
    try:
        return store.save_probes(db, [r.row() | {"column_name": r.column} for r in results])
    finally:
        db.close()
