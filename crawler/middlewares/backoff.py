"""BackoffRetryMiddleware: Scrapy's retries, spaced out, honouring ``Retry-After``.

Scrapy retries at once; a struggling government server then gets the same
request again within milliseconds.  Here retry N waits
``RETRY_BACKOFF_BASE * 2 ** (N - 1)`` seconds (at most ``RETRY_BACKOFF_MAX``),
or what the server's ``Retry-After`` asks for (capped the same way).  The wait
happens in ``process_request``, before the request takes its download slot, so
the site's other requests are not held up.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep

logger = logging.getLogger(__name__)

NOT_BEFORE = "govpress_retry_not_before"


def retry_after_seconds(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    async def process_request(self, request: Request, spider: Any = None) -> None:
        wait = request.meta.get(NOT_BEFORE, 0.0) - time.monotonic()
        if wait > 0:
            await sleep(wait)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry", False):
            request.meta["govpress_retry_after"] = retry_after_seconds(response.headers.get("Retry-After"))
        return super().process_response(request, response)

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is None:
            return None
        asked = request.meta.pop("govpress_retry_after", None)
        retry.meta.pop("govpress_retry_after", None)
        n = retry.meta.get("retry_times", 1)
        delay = min(self.cap, asked if asked is not None else self.base * 2 ** (n - 1))
        retry.meta[NOT_BEFORE] = time.monotonic() + delay
        logger.info("retry %d of %s in %.1fs (%s)", n, request.url, delay, reason)
        return retry
