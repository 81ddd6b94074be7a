"""CaptureMiddleware: with ``CAPTURE_DIR`` set, every response fetched is written to that folder.

It sits next to the download handler (priority 950), so it sees each response before
redirects and decompression: bytes, status, headers, final URL and time exactly as
received, and each request that got no response with its recognised failure.
Used by ``govpress check SLUG --save DIR`` (format: ``crawler.capture``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.blocks import classify_exception
from crawler.capture import CaptureWriter, Entry
from crawler.middlewares.siteaccess import EGRESS_META

logger = logging.getLogger(__name__)

T0 = "govpress_capture_t0"


class CaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        folder = crawler.settings.get("CAPTURE_DIR", "")
        if not folder:
            raise NotConfigured("CAPTURE_DIR is not set")
        self.writer = CaptureWriter(folder)
        self.stats = crawler.stats
        logger.info("capturing every response into %s", folder)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        request.meta[T0] = time.monotonic()

    def _entry(self, request: Request) -> Entry:
        t0 = request.meta.get(T0)
        body = request.body.decode("utf-8", "replace") if request.method == "POST" else ""
        return Entry(0, request.method, request.url, fetched_at=datetime.now(UTC).isoformat(),
                     seconds=round(time.monotonic() - t0, 3) if t0 else None,
                     egress=request.meta.get(EGRESS_META, "direct"), request_body=body)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        entry = self._entry(request)
        entry.final_url, entry.status = response.url, response.status
        entry.headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs]
                         for k, vs in response.headers.items()}
        self.writer.write(entry, response.body)
        self.stats.inc_value("capture/responses")
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        entry = self._entry(request)
        block = classify_exception(exception, request.url)
        entry.error = block.line() if block else f"{type(exception).__name__}: {exception}"
        self.writer.write(entry, None)
        self.stats.inc_value("capture/errors")
