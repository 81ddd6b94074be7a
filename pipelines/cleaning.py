"""CleaningPipeline: raw article HTML to clean text and metadata (``pipelines.process.clean``).

With ``CLEANING_WORKERS`` > 0 the page's CPU-bound work (``pipelines.process.prepare_page``:
the extraction, the transcript and references, and the fingerprints ``DedupPipeline``
would otherwise compute) runs in a process pool (``pipelines.pool``) and ``process_item``
awaits it, so the reactor thread keeps fetching while both cores work and is left with
the archive's SQL; each page gets ``CLEANING_TIMEOUT`` seconds, and a page that takes
longer is dropped with a counted reason (``cleaning/timeout``), as is a page whose worker
died (``cleaning/worker_died``).

Backpressure: at most ``CLEANING_MAX_IN_FLIGHT`` pages are in the pool at once (the
others wait their turn here), and while the pool holds that many the crawl's engine
schedules no new download (``engine.pause``; ``cleaning/backpressure`` counts the
pauses).  So when extraction is slower than fetching, pages do not pile up in memory
(each waiting page is its response, its record and its raw bytes): at most the bound
plus the downloads already under way.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.record import DocumentRecord
from pipelines import pool as pagepool
from pipelines.process import Options, Prepared, clean, prepare_args, prepare_page

logger = logging.getLogger(__name__)


def default_workers() -> int:
    """One extraction worker per core, none on a single core (the pool would only add IPC)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


class CleaningPipeline:
    """Fill the record's content fields; drop pages with neither text nor attachments."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.options = Options(min_chars=settings.getint("CLEANING_MIN_CHARS", 20),
                               max_nodes=settings.getint("EXTRACT_MAX_NODES", Options.max_nodes),
                               near=settings.getbool("DEDUP_ENABLED", True)
                               and settings.getbool("DEDUP_NEAR_ENABLED", True))
        """``near``: the pool computes MinHash only when ``DedupPipeline`` would."""
        workers = crawler.settings.get("CLEANING_WORKERS")
        self.workers = default_workers() if workers in (None, "") else int(workers)
        self.budget = crawler.settings.getfloat("CLEANING_TIMEOUT", 30.0)
        bound = crawler.settings.getint("CLEANING_MAX_IN_FLIGHT", 0)
        self.max_in_flight = bound if bound > 0 else max(4, 4 * self.workers)
        """Pages in the pool at most (0 in the setting: four per worker)."""
        self.pool: pagepool.PagePool | None = None
        self.in_flight = 0
        """Pages submitted to the pool and not back yet (never above ``max_in_flight``)."""
        self.waiting = 0
        """Pages waiting for a place in the pool."""
        self._turns: asyncio.Semaphore | None = None
        self._paused = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = pagepool.acquire(self.workers, self.budget)

    def close_spider(self) -> None:
        if self._paused:
            self._paused = False
            engine = self._engine()
            if engine is not None:
                engine.unpause()
        if self.pool is not None:
            pagepool.release(self.pool)
            self.pool = None

    async def _prepare(self, item: DocumentRecord, site: object) -> Prepared:
        """The page's extraction, structure and fingerprints from the pool."""
        assert self.crawler.stats is not None and self.pool is not None
        try:
            return await self.pool.run(prepare_page, *prepare_args(item, site, self.options))  # type: ignore[arg-type]
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
        if self._turns is None:  # made on the running loop (Scrapy's asyncio reactor)
            self._turns = asyncio.Semaphore(self.max_in_flight)
        self.waiting += 1
        try:
            await self._turns.acquire()
        finally:
            self.waiting -= 1
        self.in_flight += 1
        self._throttle()
        try:
            prepared = await self._prepare(item, site)
        finally:
            self.in_flight -= 1
            self._turns.release()
            self._throttle()
        return self._finish(item, site, prepared)

    def _engine(self) -> Any:
        try:
            return self.crawler.engine
        except (AttributeError, RuntimeError):  # a crawler built for a test: no engine yet
            return None

    def _throttle(self) -> None:
        """Pause the engine's downloads while the pool is full; resume once a place frees."""
        engine = self._engine()
        if engine is None:
            return
        if self.in_flight >= self.max_in_flight and not self._paused:
            self._paused = True
            engine.pause()
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("cleaning/backpressure")
        elif self.in_flight < self.max_in_flight and self._paused:
            self._paused = False
            engine.unpause()
            slot = getattr(engine, "_slot", None)  # wake the engine now, not at its 5 s heartbeat
            if slot is not None:
                slot.nextcall.schedule()

    def _finish(self, item: DocumentRecord, site: Any, prepared: Prepared | None) -> DocumentRecord:
        cleaned = clean(item, site, self.options, prepared=prepared)
        assert self.crawler.stats is not None
        for note in cleaned.notes:
            self.crawler.stats.inc_value(note)
        if cleaned.dropped:
            raise DropItem(f"{item.site}: no article text ({cleaned.dropped}): {item.url}", log_level="INFO")
        return item
