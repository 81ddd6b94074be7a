"""SiteTLSDownloadHandler: Scrapy's HTTP/1.1 handler with each site's own TLS settings.

The request's ``govpress_tls`` meta (a ``core.siteconfig.TLSConfig``, set by
``crawler.middlewares.siteaccess`` from the site file) picks the TLS policy; a
request without it gets the default policy (modern OpenSSL defaults,
certificates checked when ``TLS_VERIFY`` is on).  One policy is built per
distinct ``[tls]`` table and kept for the crawl; connections stay pooled per host.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler, _ScrapyAgent
from scrapy.crawler import Crawler
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import Response
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.web.client import HTTPConnectionPool

from core.siteconfig import TLSConfig
from crawler.tls import SiteTLSPolicy, describe

logger = logging.getLogger(__name__)

HANDLER = "crawler.handlers.sitetls.SiteTLSDownloadHandler"
META = "govpress_tls"


class SiteTLSDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.verify = crawler.settings.getbool("TLS_VERIFY", True)
        self.ca_file = crawler.settings.get("TLS_CA_FILE", "") or ""
        self._policies: dict[TLSConfig, SiteTLSPolicy] = {}
        self._pools: dict[TLSConfig, HTTPConnectionPool] = {TLSConfig(): self._pool}
        """One connection pool per ``[tls]`` table: a legacy connection is never reused elsewhere."""

    def pool(self, tls: TLSConfig | None) -> HTTPConnectionPool:
        tls = tls or TLSConfig()
        pool = self._pools.get(tls)
        if pool is None:
            from twisted.internet import reactor

            pool = self._pools[tls] = HTTPConnectionPool(reactor, persistent=True)  # type: ignore[no-untyped-call]
            pool.maxPersistentPerHost = self._pool.maxPersistentPerHost
            pool._factory = self._pool._factory
        return pool

    def policy(self, tls: TLSConfig | None) -> SiteTLSPolicy:
        tls = tls or TLSConfig()
        policy = self._policies.get(tls)
        if policy is None:
            policy = self._policies[tls] = SiteTLSPolicy(tls, verify=self.verify, ca_file=self.ca_file)
            if not tls.is_default or not self.verify:
                log = logger.warning if not policy.verify else logger.info
                log("TLS for %s: %s", "a site" if tls.is_default else "sites with this [tls]",
                    describe(tls, verify=self.verify))
        return policy

    async def download_request(self, request: Request) -> Response:
        meta = request.meta.get(META)
        tls = meta if isinstance(meta, TLSConfig) else None
        agent = _ScrapyAgent(
            contextFactory=self.policy(tls),  # type: ignore[arg-type]  # implements IPolicyForHTTPS
            bindAddress=self._bind_address,
            pool=self.pool(tls),
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise

    async def close(self) -> None:
        for tls, pool in list(self._pools.items()):
            if tls != TLSConfig():
                await maybe_deferred_to_future(pool.closeCachedConnections())  # type: ignore[no-untyped-call]
        await super().close()
