"""StreamPipeline: a worker's processed record goes to the Redis stream, never to SQLite."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.record import DocumentRecord
from crawler.distributed import connect, encode_record, keys

logger = logging.getLogger(__name__)


class StreamPipeline:
    """XADD the cleaned and fingerprinted record to ``{prefix}:items`` (``govpress ingest`` saves it)."""

    def __init__(self, crawler: Crawler):
        url = crawler.settings.get("REDIS_URL")
        if not url:
            raise NotConfigured("REDIS_URL is not set")
        self.crawler = crawler
        self.server: Any = connect(url)
        self.key = keys(crawler.settings.get("REDIS_PREFIX", "govpress"))["items"]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StreamPipeline:
        return cls(crawler)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        self.server.xadd(self.key, {"record": encode_record(item)})
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("distributed/streamed")
        logger.debug("streamed %s", item.url)
        return item
