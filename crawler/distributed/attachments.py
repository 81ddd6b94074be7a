"""StreamAttachmentPipeline: a worker fetches an article's attached files and streams them.

A worker never opens the archive, so ``pipelines.attachments.AttachmentPipeline``
(which asks the archive which files are missing and saves each one) cannot run
there.  This subclass keeps its requests and its reading (``_fetched``,
``_failed``, the caps, the kinds) and changes only where the answers come from
and go to:

* which files are already stored with a final status: ``{prefix}:attachments``
  (canonical URL -> JSON list of URLs), published by ``govpress enqueue``;
* each file is fetched with ``engine.download_async`` (every downloader middleware:
  robots.txt, the site's TLS and proxy, the cluster lease, retries) while the article
  is still being processed, so the article's request stays in flight until its files
  are in the stream: a worker killed meanwhile has the article fetched again;
* each file's ``AttachmentRecord`` is XADDed to the items stream after the article's
  record; ``govpress ingest`` saves it with ``ArchiveSession.save_attachment`` when the
  article was saved new, updated or unchanged (the local pipeline's rule).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.python.failure import Failure

from archive.attachments import AttachmentRecord
from archive.record import DocumentRecord
from crawler.distributed import connect, encode_attachment, keys
from pipelines.attachments import AttachmentPipeline

logger = logging.getLogger(__name__)


class StreamAttachmentPipeline(AttachmentPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        url = crawler.settings.get("REDIS_URL")
        if not url:
            raise NotConfigured("REDIS_URL is not set")
        self.server: Any = connect(url)
        self.keys = keys(crawler.settings.get("REDIS_PREFIX", "govpress"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StreamAttachmentPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        """Nothing to open: the stored files are in Redis, the archive is the ingester's."""

    def stored(self, canonical_url: str) -> set[str]:
        value = self.server.hget(self.keys["attachments"], canonical_url)
        return set(json.loads(value)) if value else set()

    async def process_item(self, item: DocumentRecord) -> DocumentRecord:  # type: ignore[override]
        if item.not_modified or not item.attachments:
            return item
        wanted = self._wanted(item)
        stored = self.stored(item.canonical_url)
        engine = self.crawler.engine
        assert engine is not None
        for request in self._requests(item, wanted, [u for u in wanted if u not in stored]):
            try:
                response = await engine.download_async(request)
            except Exception as exc:
                failure = Failure(exc)  # type: ignore[no-untyped-call]
                failure.request = request  # type: ignore[attr-defined]
                self._failed(failure)
            else:
                self._fetched(response)
        return item

    def _save(self, item_or_doc: DocumentRecord | str, rec: AttachmentRecord) -> None:
        doc = item_or_doc if isinstance(item_or_doc, str) else item_or_doc.canonical_url
        site = getattr(self.crawler.spider, "name", "")
        self.server.xadd(self.keys["items"], {"attachment": encode_attachment(site, doc, rec)})
        self._stat(rec.status.split(":")[0])
        logger.debug("attachment %s (%s) streamed: %s", rec.url, rec.kind, rec.status)
