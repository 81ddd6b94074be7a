"""DomainLeaseMiddleware: one request per site across the whole cluster, ``DOWNLOAD_DELAY`` apart.

Before a request goes out the worker takes ``{prefix}:lease:{host}`` with
``SET NX PX``.  When the answer (or the error) is in, the lease is re-set to
expire ``DOWNLOAD_DELAY`` later, so the next request to that host, from any
worker, starts at least one delay after this one finished.  ``LEASE_ENABLED``
off (bench mode) skips it.

The middleware sits at 950, next to the downloader: it takes the lease after every
other middleware's ``process_request`` (a retry's back-off wait, robots.txt, a cache
answer that needs no lease) and releases it before any ``process_response`` can turn
the answer into a new request (a redirect, a meta refresh, a retry), so a redirect
does not keep the site locked until the lease lapses.  The lease is held for
``hold_ms`` = the download timeout plus the longest local wait between taking it and
sending (the delay with its jitter, or ``AUTOTHROTTLE_MAX_DELAY``), so it cannot lapse
while its request waits in the local slot; a killed worker's lease lapses after that.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task

from crawler.distributed import connect

logger = logging.getLogger(__name__)

# Re-set the lease's expiry only while we still hold it.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return nil
"""


ORDER = 950
"""The middleware's place in ``DOWNLOADER_MIDDLEWARES``: after every built-in one (HttpCache is 900)."""


def hold_ms(settings: Any) -> int:
    """How long a taken lease lasts if never released: the download plus the longest local wait."""
    delay = settings.getfloat("DOWNLOAD_DELAY")
    local = delay * (1 + settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5))
    if settings.getbool("AUTOTHROTTLE_ENABLED"):
        local = max(local, settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0))
    return int((delay + local + settings.getfloat("DOWNLOAD_TIMEOUT", 30)) * 1000) + 1000


class DomainLeaseMiddleware:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL") or not settings.getbool("LEASE_ENABLED", True):
            raise NotConfigured("no Redis, or LEASE_ENABLED is off")
        self.server: Any = connect(settings.get("REDIS_URL"))
        self.prefix = settings.get("REDIS_PREFIX", "govpress")
        self.delay_ms = max(1, int(settings.getfloat("DOWNLOAD_DELAY") * 1000))
        self.hold_ms = hold_ms(settings)
        self.poll = min(0.05, self.delay_ms / 4000)
        self.release = self.server.register_script(_RELEASE)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DomainLeaseMiddleware:
        return cls(crawler)

    def _key(self, request: Request) -> str:
        return f"{self.prefix}:lease:{urlsplit(request.url).hostname or ''}"

    async def process_request(self, request: Request) -> None:
        key, token = self._key(request), uuid.uuid4().hex
        waited = time.monotonic()
        while not self.server.set(key, token, nx=True, px=self.hold_ms):
            await maybe_deferred_to_future(task.deferLater(reactor, self.poll, lambda: None))
        request.meta["govpress_lease"] = token
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("distributed/lease_wait_ms", int((time.monotonic() - waited) * 1000))

    def _release(self, request: Request) -> None:
        token = request.meta.pop("govpress_lease", None)
        if token:
            self.release(keys=[self._key(request)], args=[token, self.delay_ms])

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
