"""CappedCookiesMiddleware: Scrapy's cookie handling, offline and bounded.

* The Public Suffix List comes from tldextract's bundled snapshot (``suffix_list_urls=()``,
  no cache directory): Scrapy's own extractor downloads the list from the internet the
  first time a ``Set-Cookie`` names a domain, past the crawl's loopback host map.
* At most ``COOKIES_MAX_PER_DOMAIN`` cookies are kept per domain (the first ones win;
  later ones are dropped and counted ``cookies/dropped``), and a ``Cookie`` header longer
  than ``COOKIES_MAX_HEADER_BYTES`` is cut at a cookie boundary (``cookies/header_capped``):
  a hostile server could otherwise make every request carry a megabyte of cookies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http.cookiejar import Cookie

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.http import Response
from scrapy.http.cookies import CookieJar
from scrapy.utils.httpobj import urlparse_cached
from tldextract import TLDExtract

logger = logging.getLogger(__name__)

OFFLINE_PSL = TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True,
                         include_psl_private_domains=True)
"""The bundled Public Suffix List snapshot; never fetched, never cached on disk."""


def is_public_suffix(domain: str) -> bool:
    return not OFFLINE_PSL(domain).domain


class CappedCookiesMiddleware(CookiesMiddleware):
    max_per_domain: int = 50
    max_header_bytes: int = 4096

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CappedCookiesMiddleware:
        mw: CappedCookiesMiddleware = super().from_crawler(crawler)
        mw.max_per_domain = crawler.settings.getint("COOKIES_MAX_PER_DOMAIN", cls.max_per_domain)
        mw.max_header_bytes = crawler.settings.getint("COOKIES_MAX_HEADER_BYTES", cls.max_header_bytes)
        return mw

    def _process_cookies(self, cookies: Iterable[Cookie], *, jar: CookieJar, request: Request) -> None:
        hostname = urlparse_cached(request).hostname
        if hostname is None:
            return
        request_domain = hostname.lower()
        stored = jar.jar._cookies  # type: ignore[attr-defined]  # domain -> path -> name -> Cookie
        for cookie in cookies:
            cookie_domain = cookie.domain.removeprefix(".")
            if cookie_domain and is_public_suffix(cookie_domain):
                if cookie_domain != request_domain:
                    continue
                cookie.domain = request_domain
            held = stored.get(cookie.domain, {})
            known = any(cookie.name in names for names in held.values())
            if not known and sum(len(names) for names in held.values()) >= self.max_per_domain:
                self.crawler.stats.inc_value("cookies/dropped")
                logger.debug("cookie %s for %s dropped: %d cookies held", cookie.name, cookie.domain,
                             self.max_per_domain)
                continue
            jar.set_cookie_if_ok(cookie, request)

    def process_request(self, request: Request) -> Request | Response | None:  # type: ignore[override]
        result = super().process_request(request)
        header = request.headers.get(b"Cookie")
        if header and len(header) > self.max_header_bytes:
            head = header[: self.max_header_bytes]
            kept = head.rsplit(b"; ", 1)[0] if b"; " in head else b""
            if kept:
                request.headers[b"Cookie"] = kept
            else:
                request.headers.pop(b"Cookie", None)
            self.crawler.stats.inc_value("cookies/header_capped")
            logger.warning("Cookie header of %d bytes cut to %d for %s", len(header), len(kept), request.url)
        return result
