"""SiteAccessMiddleware: a site file's ``[tls]`` and ``proxy`` applied to that site's requests only.

Every request of a site spider (robots.txt included) gets the site's
``TLSConfig`` in ``govpress_tls`` (read by ``crawler.handlers.sitetls``) and,
when the site file or ``PROXY_URL`` (``GOVPRESS_PROXY``) names one, its proxy in
``proxy`` (read by Scrapy's ``HttpProxyMiddleware``, which runs after this one).
``govpress_egress`` records the route taken (``direct`` or the proxy, without
credentials) for probes and captures.  Download slots stay keyed by the site's
host, so per-site politeness is the same through a proxy.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.handlers.sitetls import META as TLS_META

logger = logging.getLogger(__name__)

SITE_META = "govpress_site"
"""A ``SiteDefinition`` on the request (probes); otherwise the spider's ``site``."""
EGRESS_META = "govpress_egress"


def egress_label(proxy: str | None) -> str:
    """``direct`` or the proxy URL with any credentials removed."""
    if not proxy:
        return "direct"
    parts = urlsplit(proxy)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, "", "", ""))


class SiteAccessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("SITEACCESS_ENABLED", True):
            raise NotConfigured("SITEACCESS_ENABLED is off")
        self.crawler = crawler
        self.proxy = crawler.settings.get("PROXY_URL", "") or ""
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteAccessMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        spider = self.crawler.spider
        site = request.meta.get(SITE_META) or getattr(spider, "site", None)
        if site is None and hasattr(spider, "site_for_host"):  # probes: robots.txt of each site
            site = spider.site_for_host(urlsplit(request.url).hostname or "")
        if site is None:
            return
        if not site.tls.is_default:
            request.meta.setdefault(TLS_META, site.tls)
        proxy = site.proxy or self.proxy
        if proxy and "proxy" not in request.meta:
            request.meta["proxy"] = proxy
        request.meta[EGRESS_META] = egress_label(request.meta.get("proxy"))
        if site.slug not in self._logged:
            self._logged.add(site.slug)
            logger.info("%s: egress %s", site.slug, request.meta[EGRESS_META])
            if not site.tls.verify:
                logger.warning("%s: certificate checks are OFF for this site ([tls] verify = false in %s)",
                               site.slug, site.path)
            elif not site.tls.is_default:
                logger.info("%s: site TLS: %s", site.slug, site.tls)
        return
