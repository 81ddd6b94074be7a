"""The one generic spider: a ``SiteSpider`` subclass per site definition.

``scrapy list`` shows one spider per ``sites/*.toml`` file and
``scrapy crawl SLUG`` crawls one.  List pages are always fetched; an article
already in the archive is fetched again only when it is due for a revisit (or
with ``INCREMENTAL_REFRESH``), and then conditionally (ETag / Last-Modified).
Pagination stops at the first list page holding only known articles unless
``INCREMENTAL_FULL`` is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.record import DocumentRecord
from archive.urlset import UrlSet
from core.siteconfig import ListPage, SiteDefinition
from core.urls import canonicalize, is_followable
from crawler import multipage
from crawler.apilists import api_request, list_page, rows_html
from crawler.blocks import KINDS, Block, classify_exception, classify_list_page, classify_response
from crawler.links import article_links

NEXT_LIST_PRIORITY = -1
"""Priority of the request for a column's next list page, below its articles' (0): the
crawl fetches what one list page links to before it reads the next, so the request queue
holds at most about one list page of articles per column, not the whole site (a 200k
article backfill would otherwise queue every article before fetching the first)."""

LIST_API_HOOK = "list_api_requests"
"""Name of the spider method that turns an empty-shell list page into data-API requests
(``crawler.apilists.api_request``; the platform dialects may override it)."""


class SiteSpider(scrapy.Spider):
    """Crawl one site's list pages and the articles they link to."""

    site: SiteDefinition
    allowed_domains: list[str]
    max_list_pages: int
    """Cap on list pages per column (``LIST_MAX_PAGES``; 0: the site's ``max_pages``)."""
    scheduled: UrlSet
    """Canonical article URLs and list URLs already requested (the crawl's own dupefilter),
    kept on disk (``archive.urlset``) so that it costs no memory per URL."""
    allow_private: bool
    max_links: int
    """Article links taken from one list page (``LIST_MAX_LINKS``)."""
    max_requests: int
    """Requests one crawl schedules at most (``FRONTIER_MAX_REQUESTS``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider: SiteSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.allowed_domains = list(spider.site.allowed_domains)
        spider.max_list_pages = settings.getint("LIST_MAX_PAGES", 0)
        spider.max_links = settings.getint("LIST_MAX_LINKS", 500)
        spider.max_requests = settings.getint("FRONTIER_MAX_REQUESTS", 50_000)
        spider.scheduled = UrlSet()
        spider.allow_private = bool(settings.getdict("HOSTMAP"))
        if settings.getfloat("DOWNLOAD_DELAY") <= 0:
            spider.logger.warning(
                "DOWNLOAD_DELAY is 0: Scrapy then releases a site's queued requests together, "
                "past CONCURRENT_REQUESTS_PER_DOMAIN; use at least 0.01"
            )
        return spider

    def closed(self, reason: str) -> None:
        """Drop the crawl's set of scheduled URLs (its temporary file goes with it)."""
        scheduled = getattr(self, "scheduled", None)
        if scheduled is not None:
            scheduled.close()

    def canonical(self, url: str) -> str:
        """The archive identity of ``url``; mobile mirrors (``m.`` hosts) fold to ``www.``."""
        return canonicalize(url, drop_params=self.site.canonical_drop_params, fold_mobile=True)

    # -- callbacks ------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = getattr(self, "url", None)  # scrapy crawl SLUG -a url=ARTICLE_URL
        if url:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                                 meta={"canonical_url": self.canonical(url)})
            return
        if self.settings.getbool("REDIS_WORKER"):  # distributed: `govpress enqueue` seeded the queue
            return
        for lst in self.site.lists:
            self.scheduled.add(lst.url)
            yield scrapy.Request(
                lst.url, callback=self.parse_list, errback=self.on_error,
                cb_kwargs={"lst": lst, "page": 1},
            )

    def parse_list(self, response: Response, lst: ListPage, page: int) -> Any:
        stats = self.crawler.stats
        if response.status == 404:  # only asked for past page 1: the list has ended
            self.logger.debug("%s: %s is past the last list page", self.site.slug, response.url)
            return
        block = classify_response(response.status, response.headers, response.body, response.url,
                                  redirected=_redirected(response))
        if block is not None and block.kind in KINDS:
            self.report_block(block)  # a challenge or WAF page answered 2xx: not a list page
            return
        stats.inc_value("lists/pages")
        html = page_text(response)

        def bad_link(href: str) -> None:
            stats.inc_value("lists/bad_links")
            self.logger.warning("%s: malformed link %r skipped on %s", self.site.slug, href[:200], response.url)

        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        result = list_page(html, response.url, lst, self.site, page, ctype, on_bad=bad_link)
        if result.data_url and not result.links:  # a JS shell: its rows come from a data call
            if result.data_url not in self.scheduled:
                self.scheduled.add(result.data_url)
                stats.inc_value("lists/data_calls")
                yield scrapy.Request(result.data_url, callback=self.parse_list, errback=self.on_error,
                                     cb_kwargs={"lst": lst, "page": page},
                                     headers={"Referer": response.url})
            return
        if result.problem:
            self.logger.error("%s: %s: %s", self.site.slug, result.problem, response.url)
        links = []
        for url in result.links:
            ok, reason = is_followable(url, allowed_domains=self.site.allowed_domains,
                                       allow_private=self.allow_private)
            if ok:
                links.append(url)
            else:
                stats.inc_value("lists/refused_links")
                self.logger.warning("%s: not following %s: %s", self.site.slug, url, reason)
        if len(links) > self.max_links:  # a hostile page with 100k links must not flood the queue
            stats.inc_value("lists/links_capped", len(links) - self.max_links)
            self.logger.warning("%s: %d article links on %s; taking the first %d (LIST_MAX_LINKS)",
                                self.site.slug, len(links), response.url, self.max_links)
            links = links[: self.max_links]
        stats.inc_value("lists/links", len(links))
        if page == 1:
            stats.inc_value("lists/first_page_links", len(links))
        if not links:
            if page == 1:
                shell = classify_list_page(response.status, response.headers, response.body,
                                           response.url, redirected=_redirected(response))
                if shell is not None:
                    api = list(self.list_api_requests(response, lst, shell))
                    if api:  # the site file says how to ask the data API: not a block
                        yield from api
                        return
                    self.report_block(shell)
                    return
                stats.inc_value("lists/empty")
                self.logger.error(
                    "%s: list page has no article links: %s", self.site.slug, response.url
                )
            return
        canon = yield from self._article_requests(links, lst, response.url)
        if self.max_list_pages and page >= self.max_list_pages:
            return
        nxt = result.next_url if page < lst.max_pages else None
        if nxt and nxt in self.scheduled:
            stats.inc_value("lists/cycle")
            self.logger.warning("%s: pagination returns to %s; stopping", self.site.slug, nxt)
        elif nxt and not self._frontier_full():
            self.scheduled.add(nxt)
            yield scrapy.Request(
                nxt, callback=self.parse_list, errback=self.on_error, priority=NEXT_LIST_PRIORITY,
                cb_kwargs={"lst": lst, "page": page + 1},
                meta={"handle_httpstatus_list": [404], "govpress": "next_list",
                      "page_links": sorted(set(canon.values())), "list_url": response.url},
            )

    def _frontier_full(self) -> bool:
        """True once this crawl has scheduled ``FRONTIER_MAX_REQUESTS`` (counted and logged once)."""
        if len(self.scheduled) < self.max_requests:
            return False
        stats = self.crawler.stats
        if not stats.get_value("frontier/capped"):
            self.logger.error("%s: %d requests scheduled; not scheduling more (FRONTIER_MAX_REQUESTS)",
                              self.site.slug, len(self.scheduled))
        stats.inc_value("frontier/capped")
        return True

    def _article_requests(self, links: list[str], lst: ListPage,
                          list_url: str) -> Generator[scrapy.Request, None, dict[str, str]]:
        """Requests for the links not yet scheduled; returns ``{url: canonical URL}``."""
        canon = {url: self.canonical(url) for url in links}
        for url in links:
            if canon[url] not in self.scheduled:
                if self._frontier_full():
                    return canon
                yield self._article_request(url, canon[url], lst, list_url)
        return canon

    def list_api_requests(self, response: Response, lst: ListPage, shell: Block) -> Iterator[scrapy.Request]:
        """Hook: requests for the data API an empty-shell list page names.

        With ``[links] api = true`` in the site file (or its profile) the request a browser
        would make is built by ``crawler.apilists.api_request`` from what the page shows; otherwise the
        shell is only reported.  A platform dialect may override this.
        """
        if not self.site.list_api:
            return
        request = api_request(shell, response.url, response.text, callback=self.parse_list_api,
                              errback=self.on_error, cb_kwargs={"lst": lst, "list_url": response.url})
        if request is not None:
            self.crawler.stats.inc_value("lists/api_requests")
            self.logger.info("%s: requesting the list's data API %s", self.site.slug, request.url)
            yield request

    def parse_list_api(self, response: Response, lst: ListPage, list_url: str) -> Any:
        """The rows a data API returned for an empty-shell list page: its article links."""
        stats = self.crawler.stats
        links = [u for u in article_links(rows_html(response.text), response.url, self.site)
                 if is_followable(u, allowed_domains=self.site.allowed_domains,
                                  allow_private=self.allow_private)[0]]
        stats.inc_value("lists/api_links", len(links))
        stats.inc_value("lists/links", len(links))
        stats.inc_value("lists/first_page_links", len(links))  # the API answers for the first page
        if not links:
            stats.inc_value("lists/empty")
            self.logger.error("%s: the data API gave no article links: %s", self.site.slug, response.url)
            return
        yield from self._article_requests(links, lst, list_url)

    def report_block(self, block: Block) -> None:
        """Record a recognised block in the stats (the first becomes the run's ``block/kind``)."""
        record_block(self.crawler.stats, block)
        self.crawler.stats.inc_value("blocks/pages")
        log = self.logger.warning if block.kind == "empty_shell" else self.logger.error
        log("%s: %s", self.site.slug, block.line())

    def _article_request(self, url: str, canonical: str, lst: ListPage, list_url: str) -> scrapy.Request:
        self.scheduled.add(canonical)
        meta: dict[str, Any] = {"govpress": "article", "canonical_url": canonical,
                                "column": lst.column, "list_url": list_url}
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error, meta=meta)

    def on_error(self, failure: Failure) -> None:
        """Count and log a request that failed for good (after retries), naming its URL."""
        kind, message, is_error = describe_failure(failure)
        url = failure.request.url  # type: ignore[attr-defined]
        stats = self.crawler.stats
        if not is_error:
            stats.inc_value("fetch_ignored/count")
            self.logger.info("%s: not fetched (%s): %s", self.site.slug, message, url)
            return
        stats.inc_value("fetch_errors/count")
        stats.inc_value(f"fetch_errors/{kind}")
        if stats.get_value("fetch_errors/first") is None:
            stats.set_value("fetch_errors/first", f"{message}: {url}")
        if kind in KINDS or kind.startswith("http_"):
            if kind in KINDS:
                stats.inc_value("fetch_errors/blocked")
            record_block(stats, Block(kind, message.removeprefix(f"{kind} (").removesuffix(")"), url))
        self.logger.error("%s: %s: %s", self.site.slug, message, url)

    def parse_article(self, response: Response) -> Any:
        meta = response.meta
        if response.status != 304:
            block = classify_response(response.status, response.headers, response.body, response.url,
                                      redirected=_redirected(response))
            if block is not None and block.kind in KINDS:
                self.report_block(block)  # never archive a challenge page as an article
                return
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
        }
        record = DocumentRecord.from_headers(
            headers,
            site=self.site.slug,
            url=response.url,
            canonical_url=meta.get("canonical_url") or self.canonical(response.url),
            raw=response.body,
            http_status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            list_url=meta.get("list_url", ""),
            column_name=meta.get("column", ""),
            not_modified=response.status == 304,
        )
        more = multipage.first_page(record, response, self.parse_article_page, self.on_page_error,
                                    self.settings.getint("ARTICLE_MAX_PAGES", 20))
        yield more or record

    def parse_article_page(self, response: Response) -> Any:
        """A later page of a multi-page article (``crawler/multipage.py``)."""
        yield multipage.next_page(response, self.parse_article_page, self.on_page_error)

    def on_page_error(self, failure: Failure) -> Any:
        yield multipage.page_failed(failure, self.parse_article_page, self.on_page_error)


def page_text(response: Response) -> str:
    """The page as text: Scrapy's decoding, or ours when the declared charset is not one
    (``charset=hex`` makes ``response.text`` raise ``LookupError``)."""
    try:
        return str(response.text)
    except (LookupError, ValueError, UnicodeError, AttributeError):
        from pipelines.extract.encoding import decode

        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        return decode(response.body, content_type=ctype).text


def describe_failure(failure: Failure) -> tuple[str, str, bool]:
    """``(kind, message, is_error)`` for a failed request, for stats and the log.

    ``kind`` is a block kind from ``crawler.blocks`` (``legacy_tls``, ``js_challenge``,
    ``http_404`` …) when the failure is recognised, else a politeness reason or the exception name.
    """
    if failure.check(HttpError):  # type: ignore[no-untyped-call]
        response = failure.value.response  # type: ignore[union-attr]
        block = classify_response(response.status, response.headers, response.body, response.url,
                                  redirected=_redirected(response))
        if block is None:  # pragma: no cover - HttpError is only raised for non-2xx
            return f"http_{response.status}", f"HTTP {response.status}", True
        if block.kind.startswith("http_"):
            return block.kind, block.detail, True
        return block.kind, f"{block.kind} ({block.detail})", True
    if failure.check(IgnoreRequest):  # type: ignore[no-untyped-call]
        message = str(failure.value) or "ignored"
        lowered = message.lower()
        if "robots.txt unreachable" in lowered:  # RFC 9309 complete disallow: the run must say so
            why = classify_exception(Exception(message))  # a recognised block behind robots.txt
            if why is not None:
                return why.kind, f"{why.kind} (robots.txt: {why.detail})", True
            return "robots_unreachable", message, True
        if "robots.txt" in lowered or "offsite" in lowered:
            return "ignored", message, False  # by design: politeness and allowed_domains
        if "redirect" in lowered:
            return "redirect_loop", message, True
        if "maxsize" in lowered or "max size" in lowered:
            return "too_large", message, True
        return "ignored_error", message, True
    request = getattr(failure, "request", None)
    block = classify_exception(failure.value, request.url if request is not None else "") \
        if failure.value is not None else None
    if block is not None:
        return block.kind, f"{block.kind} ({block.detail})", True
    name = failure.type.__name__ if failure.type else "Error"
    return name, f"{name}: {failure.getErrorMessage()}", True


def _redirected(response: Response) -> bool:
    """Whether ``response`` ends a redirect chain (False for a response built without a request)."""
    try:
        return bool(response.meta.get("redirect_urls"))
    except AttributeError:
        return False


def record_block(stats: Any, block: Block) -> None:
    """Count ``block`` under ``blocks/<kind>`` and keep the first as the run's block."""
    stats.inc_value(f"blocks/{block.kind}")
    if block.kind in KINDS:
        stats.inc_value("blocks/count")
    _first_block(stats, block)


def _first_block(stats: Any, block: Block) -> None:
    if stats.get_value("block/kind") is None:
        stats.set_value("block/kind", block.kind)
        stats.set_value("block/detail", block.detail)
        stats.set_value("block/url", block.url)
        if block.api:
            stats.set_value("block/api", block.api)
