"""ProbeSpider: one request per list URL and one per sample article of each site, nothing archived.

Used by ``govpress probe`` (``app.probe``).  Each result names the state (``ok``
or a block kind from ``crawler.blocks``), the HTTP status, the bytes, the time
from reaching the downloader to the answer, and the egress (``direct`` or the
proxy).  The site's ``[tls]`` and ``proxy`` apply as in a crawl
(``crawler.middlewares.siteaccess``); robots.txt, the per-site delay and
concurrency 1 are unchanged, and nothing is retried.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from core.siteconfig import SiteDefinition
from core.urls import is_followable
from crawler.blocks import classify_list_page, classify_response
from crawler.links import article_links
from crawler.middlewares.siteaccess import EGRESS_META, SITE_META, egress_label
from crawler.spiders.site import describe_failure

T0 = "govpress_probe_t0"


@dataclass
class ProbeResult:
    site: str
    column: str
    kind: str
    """``list`` or ``article``."""
    url: str
    state: str
    http_status: int | None
    bytes: int
    seconds: float | None
    egress: str
    detail: str = ""

    def row(self) -> dict[str, Any]:
        return asdict(self)


class ProbeSpider(scrapy.Spider):
    name = "govpress_probe"

    def __init__(self, sites: list[SiteDefinition], allow_private: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = sites
        self.results: list[ProbeResult] = []
        self.allow_private = allow_private
        self._by_host = {urlsplit(lst.url).hostname: s for s in sites for lst in s.lists}
        for s in sites:
            for host in s.allowed_domains:
                self._by_host.setdefault(host, s)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProbeSpider:
        spider: ProbeSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.allow_private = bool(crawler.settings.getdict("HOSTMAP"))
        crawler.signals.connect(spider._reached, signal=signals.request_reached_downloader)
        return spider

    def site_for_host(self, host: str) -> SiteDefinition | None:
        """The site a request (e.g. robots.txt) belongs to, for its TLS and proxy."""
        return self._by_host.get(host)

    def _reached(self, request: scrapy.Request, spider: Any = None) -> None:
        request.meta[T0] = time.monotonic()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites:
            for lst in site.lists:
                yield self._request(site, lst.column, "list", lst.url)
            for url in site.probe_urls:
                yield self._request(site, "", "article", url)

    def _request(self, site: SiteDefinition, column: str, kind: str, url: str) -> scrapy.Request:
        meta = {SITE_META: site, "probe": (site, column, kind), "dont_retry": True,
                # Every refusal reaches ``parse`` with its body; redirects are still followed.
                "handle_httpstatus_list": list(range(400, 600))}
        return scrapy.Request(url, callback=self.parse, errback=self.failed, meta=meta, dont_filter=True)

    def _elapsed(self, meta: Any) -> float | None:
        t0 = meta.get(T0)
        return round(time.monotonic() - t0, 3) if t0 is not None else None

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        site, column, kind = response.meta["probe"]
        redirected = bool(response.meta.get("redirect_urls"))
        if kind == "list":
            links = [u for u in article_links(response.text if hasattr(response, "text") else "",
                                              response.url, site)
                     if is_followable(u, allowed_domains=site.allowed_domains,
                                      allow_private=self.allow_private)[0]]
            block = classify_response(response.status, response.headers, response.body, response.url,
                                      redirected=redirected)
            if block is None and not links:
                block = classify_list_page(response.status, response.headers, response.body, response.url,
                                           redirected=redirected)
            state = block.kind if block else ("ok" if links else "no_links")
            detail = block.detail if block else f"{len(links)} article links"
        else:
            links = []
            block = classify_response(response.status, response.headers, response.body, response.url,
                                      redirected=redirected)
            state, detail = (block.kind, block.detail) if block else ("ok", "")
        self.results.append(ProbeResult(
            site.slug, column, kind, response.url, state, response.status, len(response.body),
            self._elapsed(response.meta), response.meta.get(EGRESS_META) or egress_label(None), detail))
        if kind == "list" and links and not site.probe_urls:
            yield self._request(site, column, "article", links[0])

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        site, column, kind = request.meta["probe"]
        state, message, _ = describe_failure(failure)
        response = getattr(failure.value, "response", None)
        self.results.append(ProbeResult(
            site.slug, column, kind, request.url, state, response.status if response is not None else None,
            len(response.body) if response is not None else 0, self._elapsed(request.meta),
            request.meta.get(EGRESS_META) or egress_label(request.meta.get("proxy")), message))
