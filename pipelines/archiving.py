"""ArchivePipeline: each item saved in one transaction through ``archive.store``."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro

from archive import ArchiveError, open_archive, store
from core.items import ArticleItem

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Write the document (new / updated / unchanged / duplicate) and count the outcome."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.store_raw = crawler.settings.getbool("ARCHIVE_STORE_RAW", True)
        self.db: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.db = open_archive(self.path)
            site = getattr(self.crawler.spider, "site", None)
            if site is not None:
                store.upsert_site(self.db, site)
        except ArchiveError as exc:
            self._failed(exc)
            raise CloseSpider("archive_error") from None

    def _failed(self, exc: ArchiveError) -> None:
        """One ERROR line, and the message kept for the run summary."""
        logger.error("archive write failed, stopping the crawl: %s", exc)
        self.stats.inc_value("archive/errors")
        if not self.stats.get_value("archive/error"):
            self.stats.set_value("archive/error", str(exc))

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        run_id = self.stats.get_value("govpress/run_id")
        try:
            if item.not_modified:
                store.touch_document(
                    self.db, item.canonical_url, seen_at=item.fetched_at,
                    etag=item.headers.get("etag"), last_modified=item.headers.get("last-modified"),
                )
                item.outcome = "unchanged"
            else:
                record = dataclasses.asdict(item)
                site = getattr(self.crawler.spider, "site", None)
                record["region_code"] = site.region_code if site else ""
                if not self.store_raw:
                    record["raw"] = b""
                item.outcome = store.save_document(self.db, record, run_id=run_id).outcome
        except ArchiveError as exc:
            self._failed(exc)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_error"))
            raise DropItem(f"not archived: {item.url}") from None
        self.stats.inc_value(f"archive/{item.outcome}")
        logger.debug("%s %s: %s", item.outcome, item.url, item.title)
        return item
