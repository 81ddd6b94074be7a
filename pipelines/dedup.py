"""DedupPipeline: the fingerprints that decide a document's identity.

The URL layer already ran in the spider (``canonical_url``).  Here the body is
hashed (exact layer) and MinHash-signed (near layer); the archive compares them
with the archived documents inside the save transaction, so identity is decided
once, where it is written (``archive.save``).  Nothing is dropped.  In a crawl with
an extraction pool the worker has already computed them with the extraction
(``pipelines.process.prepare_page``) and this pipeline finds nothing left to do.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.record import DocumentRecord
from pipelines.process import Options, fingerprint


class DedupPipeline:
    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        self.options = Options(near=crawler.settings.getbool("DEDUP_NEAR_ENABLED", True))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        if not item.not_modified:
            fingerprint(item, self.options)
        return item
