"""CleaningPipeline: raw article HTML to clean text and metadata (``pipelines.process.clean``)."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.record import DocumentRecord
from pipelines.process import Options, clean

logger = logging.getLogger(__name__)


class CleaningPipeline:
    """Fill the record's content fields; drop pages with neither text nor attachments."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.options = Options(min_chars=crawler.settings.getint("CLEANING_MIN_CHARS", 20),
                               max_nodes=crawler.settings.getint("EXTRACT_MAX_NODES", Options.max_nodes))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        return cls(crawler)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        if item.not_modified:
            return item
        site = getattr(self.crawler.spider, "site", None)
        cleaned = clean(item, site, self.options)
        assert self.crawler.stats is not None
        for note in cleaned.notes:
            self.crawler.stats.inc_value(note)
        if cleaned.dropped:
            raise DropItem(f"{item.site}: no article text ({cleaned.dropped}): {item.url}", log_level="INFO")
        return item
