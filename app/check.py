"""``govpress check``: try a site definition on one list page and a few articles, archive nothing.

Runs the same spider and cleaning as a crawl, with the archive, the lock, the
run record and the monitors switched off, and collects what would be archived.
"""

from __future__ import annotations

import logging
from typing import Any

from app.crawl import project_settings, spider_class
from archive.record import DocumentRecord

logger = logging.getLogger(__name__)

COLLECTED: list[DocumentRecord] = []
STATS: dict[str, Any] = {}


class CollectPipeline:
    """Keeps cleaned items in ``COLLECTED`` instead of archiving them."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CollectPipeline:
        return cls(crawler)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        COLLECTED.append(item)
        return item

    def close_spider(self) -> None:
        STATS.update(self.crawler.stats.get_stats())


def check_settings(limit: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "ITEM_PIPELINES": {"pipelines.cleaning.CleaningPipeline": 300, "app.check.CollectPipeline": 900},
        "EXTENSIONS": {
            "crawler.extensions.sitelock.SiteLockExtension": None,
            "crawler.extensions.runrecord.RunRecordExtension": None,
            "crawler.extensions.monitors.MonitorExtension": None,
        },
        "INCREMENTAL_ENABLED": False,
        "LIST_MAX_PAGES": 1,
        "CLOSESPIDER_ITEMCOUNT": limit,
        "LOG_LEVEL": "WARNING",
        **(extra or {}),
    }


def run_check(slug: str, *, url: str = "", limit: int = 3, extra: dict[str, Any] | None = None) -> list[DocumentRecord]:
    """Crawl one list page of ``slug`` (or just ``url``) and return up to ``limit`` cleaned items."""
    from scrapy.crawler import CrawlerProcess

    COLLECTED.clear()
    process = CrawlerProcess(project_settings(check_settings(limit, extra)))
    process.crawl(spider_class(slug), url=url or None)
    process.start()
    return list(COLLECTED[:limit])
