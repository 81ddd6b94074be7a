"""CleaningPipeline: raw article HTML to clean text and metadata (``pipelines.process.clean``).

With ``CLEANING_WORKERS`` > 0 the extraction runs in a process pool (``pipelines.pool``)
and ``process_item`` awaits it, so the reactor thread keeps fetching while both cores
extract; each page gets ``CLEANING_TIMEOUT`` seconds, and a page that takes longer is
dropped with a counted reason (``cleaning/timeout``), as is a page whose worker died
(``cleaning/worker_died``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Coroutine
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.record import DocumentRecord
from pipelines import pool as pagepool
from pipelines.extract import Extraction
from pipelines.process import Options, clean, extract_args, extract_page

logger = logging.getLogger(__name__)


def default_workers() -> int:
    """One extraction worker per core, none on a single core (the pool would only add IPC)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


class CleaningPipeline:
    """Fill the record's content fields; drop pages with neither text nor attachments."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.options = Options(min_chars=crawler.settings.getint("CLEANING_MIN_CHARS", 20),
                               max_nodes=crawler.settings.getint("EXTRACT_MAX_NODES", Options.max_nodes))
        workers = crawler.settings.get("CLEANING_WORKERS")
        self.workers = default_workers() if workers in (None, "") else int(workers)
        self.budget = crawler.settings.getfloat("CLEANING_TIMEOUT", 30.0)
        self.pool: pagepool.PagePool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = pagepool.acquire(self.workers, self.budget)

    def close_spider(self) -> None:
        if self.pool is not None:
            pagepool.release(self.pool)
            self.pool = None

    async def _extract(self, item: DocumentRecord, site: object) -> Extraction:
        """The page's extraction from the pool."""
        assert self.crawler.stats is not None and self.pool is not None
        try:
            return await self.pool.run(extract_page, *extract_args(item, site, self.options))  # type: ignore[arg-type]
        except pagepool.PageTimeout:
            self.crawler.stats.inc_value("cleaning/timeout")
            logger.error("%s: extraction took more than %.0f s; page dropped: %s",
                         item.site, self.budget, item.url)
            raise DropItem(f"{item.site}: extraction over its time budget: {item.url}") from None
        except pagepool.WorkerDied:
            self.crawler.stats.inc_value("cleaning/worker_died")
            logger.error("%s: the extraction worker died on this page; dropped: %s", item.site, item.url)
            raise DropItem(f"{item.site}: extraction worker died: {item.url}") from None

    def process_item(self, item: DocumentRecord) -> DocumentRecord | Coroutine[Any, Any, DocumentRecord]:
        """The cleaned record; with the pool, a coroutine Scrapy awaits (the reactor stays free)."""
        if item.not_modified:
            return item
        site = getattr(self.crawler.spider, "site", None)
        if self.pool is None:
            return self._finish(item, site, None)
        return self._pooled(item, site)

    async def _pooled(self, item: DocumentRecord, site: Any) -> DocumentRecord:
        return self._finish(item, site, await self._extract(item, site))

    def _finish(self, item: DocumentRecord, site: Any, extraction: Extraction | None) -> DocumentRecord:
        cleaned = clean(item, site, self.options, extraction=extraction)
        assert self.crawler.stats is not None
        for note in cleaned.notes:
            self.crawler.stats.inc_value(note)
        if cleaned.dropped:
            raise DropItem(f"{item.site}: no article text ({cleaned.dropped}): {item.url}", log_level="INFO")
        return item
