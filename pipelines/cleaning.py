"""CleaningPipeline: raw article HTML to clean text and metadata (``pipelines.extract``).

With ``CLEANING_WORKERS`` > 0 the extraction runs in a process pool (``pipelines.pool``)
and ``process_item`` awaits it, so the reactor thread keeps fetching while both cores
extract; each page gets ``CLEANING_TIMEOUT`` seconds, and a page that takes longer is
dropped with a counted reason (``cleaning/timeout``), as is a page whose worker died
(``cleaning/worker_died``).
"""

from __future__ import annotations

import logging
import os
import re

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from core.items import ArticleItem
from core.siteconfig import ArticleSelectors
from pipelines import pool as pagepool
from pipelines.extract import Extraction, extract

logger = logging.getLogger(__name__)

BOILERPLATE = re.compile(r"ICP备|公网安备|网站标识码|版权所有|技术支持[:：]|(?:初审|责任)编辑[:：]|打印本页|关闭窗口")
"""Markers that must never survive cleaning; a hit is counted and checked by the monitors."""


ATTACHMENT_LINE = re.compile(r"^\s*(?:相关)?附件(?:下载)?\s*\d*\s*[:：]|\.(?:pdf|docx?|xlsx?|zip|rar|wps|ofd)\s*$", re.I)


def prose_chars(body: str) -> int:
    """Characters of article text, not counting attachment lines (附件：….pdf)."""
    return sum(len(line.strip()) for line in body.split("\n") if not ATTACHMENT_LINE.search(line))


def clean(item: ArticleItem, selectors: ArticleSelectors | None = None,
          encoding: str | None = None) -> ArticleItem:
    """Fill ``item``'s content fields from its raw HTML (shared with ``govpress reprocess``)."""
    return apply(item, extract_page(item.raw, item.url, item.headers.get("content-type"), selectors, encoding))


def extract_page(raw: bytes, url: str, content_type: str | None, selectors: ArticleSelectors | None,
                 encoding: str | None) -> Extraction:
    """The extraction call, a module-level function so a pool worker can run it."""
    return extract(raw, url, content_type=content_type, selectors=selectors, encoding=encoding)


def apply(item: ArticleItem, ex: Extraction) -> ArticleItem:
    """Copy an extraction's fields onto the item."""
    item.title, item.published, item.published_raw = ex.title, ex.published, ex.published_raw
    item.source, item.author, item.editors, item.body = ex.source, ex.author, ex.editors, ex.body
    item.site_name, item.column_meta = ex.site_name, ex.column
    item.keywords, item.description = ex.keywords, ex.description
    item.attachments, item.images = ex.attachments, ex.images
    item.encoding, item.replacement_chars = ex.encoding, ex.replacement_chars
    item.extraction_method, item.flags = ex.method, list(ex.flags)
    return item


def default_workers() -> int:
    """One extraction worker per core, none on a single core (the pool would only add IPC)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


class CleaningPipeline:
    """Fill the item's content fields; drop pages with neither text nor attachments."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.min_chars = crawler.settings.getint("CLEANING_MIN_CHARS", 20)
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

    async def _extract(self, item: ArticleItem, site: object) -> Extraction:
        args = (item.raw, item.url, item.headers.get("content-type"),
                getattr(site, "selectors", None), (getattr(site, "encoding", "") or None))
        if self.pool is None:
            return extract_page(*args)
        try:
            return await self.pool.run(extract_page, *args)
        except pagepool.PageTimeout:
            self.stats.inc_value("cleaning/timeout")
            logger.error("%s: extraction took more than %.0f s; page dropped: %s",
                         item.site, self.budget, item.url)
            raise DropItem(f"{item.site}: extraction over its time budget: {item.url}") from None
        except pagepool.WorkerDied:
            self.stats.inc_value("cleaning/worker_died")
            logger.error("%s: the extraction worker died on this page; dropped: %s", item.site, item.url)
            raise DropItem(f"{item.site}: extraction worker died: {item.url}") from None

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.not_modified:
            return item
        site = getattr(self.crawler.spider, "site", None)
        apply(item, await self._extract(item, site))
        prose = prose_chars(item.body)
        if prose < self.min_chars and not (item.attachments or item.images):
            self.stats.inc_value("cleaning/too_short")
            raise DropItem(f"{item.site}: no article text ({prose} chars): {item.url}")
        if prose < self.min_chars:
            item.flags.append("no_text")  # image-only or attachment-only: kept, flagged
        if not item.title:
            item.flags.append("no_title")
            logger.error("%s: no headline found: %s", item.site, item.url)
        if not item.published:
            item.flags.append("no_date")
            logger.error(
                "%s: no usable publish date (raw %r): %s", item.site, item.published_raw, item.url
            )
        item.flags = list(dict.fromkeys(item.flags))
        for flag in item.flags:
            self.stats.inc_value(f"cleaning/{flag}")
        if BOILERPLATE.search(item.body):
            self.stats.inc_value("cleaning/boilerplate")
            logger.warning("%s: boilerplate left in the body: %s", item.site, item.url)
        if item.replacement_chars:
            self.stats.inc_value("cleaning/replacement_chars")
            logger.warning(
                "%s: %d undecodable characters (%s): %s",
                item.site, item.replacement_chars, item.encoding, item.url,
            )
        self.stats.inc_value("cleaning/ok")
        logger.debug("cleaned %s (%d chars, %s)", item.url, len(item.body), item.extraction_method)
        return item
