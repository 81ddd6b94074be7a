"""ArchivePipeline: each record saved in one transaction through the crawl's archive session."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro

from archive import ArchiveError
from archive.record import DocumentRecord
from archive.session import ArchiveSession
from pipelines.fingerprint import body_hash
from pipelines.session import session_for

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Write the document (new / updated / unchanged / duplicate) and count the outcome."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.session: ArchiveSession | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.session = session_for(self.crawler)
            site = getattr(self.crawler.spider, "site", None)
            if site is not None:
                self.session.upsert_site(site)
        except ArchiveError as exc:
            self._failed(exc)
            raise CloseSpider("archive_error") from None

    def _failed(self, exc: ArchiveError) -> None:
        """One ERROR line, and the message kept for the run summary."""
        logger.error("archive write failed, stopping the crawl: %s", exc)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("archive/errors")
        if not stats.get_value("archive/error"):
            stats.set_value("archive/error", str(exc))

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        stats = self.crawler.stats
        assert stats is not None and self.session is not None
        if not item.body_hash and not item.not_modified:  # dedup switched off: still hash
            item.body_hash = body_hash(item.body)
        try:
            result = self.session.save(item, run_id=stats.get_value("govpress/run_id"))
        except ArchiveError as exc:
            self._failed(exc)
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_error"))
            raise DropItem(f"not archived: {item.url}") from None
        item.outcome, item.document_id, item.identity = result.outcome, result.document_id, result.identity
        stats.inc_value(f"archive/{item.outcome}")
        if result.identity in ("exact", "near", "url_known"):
            stats.inc_value(f"dedup/{result.identity}")
        logger.debug("%s %s: %s", item.outcome, item.url, item.title)
        return item
