"""ReplayDownloadHandler: answers every request from a capture folder (``REPLAY_DIR``), offline.

A request is matched by method, URL and (for POSTs) form body; the newest capture
of it answers.  Redirects, decompression, robots.txt and parsing then run as in
the crawl that made the capture.  A request the capture does not hold is refused
(``IgnoreRequest``, counted in ``replay/missing`` and logged with its URL), and a
captured failure is raised again with its message, so it is classified the same way.
Used by ``govpress check SLUG --replay DIR``.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadFailedError, IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.capture import Entry, body_of, read_capture

logger = logging.getLogger(__name__)

HANDLER = "crawler.handlers.replay.ReplayDownloadHandler"


class ReplayDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.folder = crawler.settings.get("REPLAY_DIR", "")
        if not self.folder:
            raise NotConfigured("REPLAY_DIR is not set")
        self.stats = crawler.stats
        self.entries: dict[tuple[str, str, str], Entry] = {}
        for entry in read_capture(self.folder):
            self.entries[entry.key()] = entry  # the newest capture of a request wins

    async def download_request(self, request: Request) -> Response:
        body = request.body.decode("utf-8", "replace") if request.method == "POST" else ""
        entry = self.entries.get((request.method, request.url, body))
        if entry is None:
            self.stats.inc_value("replay/missing")
            logger.warning("replay: not in the capture: %s %s", request.method, request.url)
            raise IgnoreRequest(f"not in the capture: {request.url}")
        self.stats.inc_value("replay/answered")
        if entry.error:
            raise DownloadFailedError(entry.error)
        raw = body_of(self.folder, entry)
        headers = Headers(dict(entry.headers.items()))
        cls = responsetypes.from_args(headers=headers, url=entry.final_url or entry.url, body=raw)
        return cls(url=entry.final_url or entry.url, status=entry.status or 200, headers=headers,
                   body=raw, request=request)
