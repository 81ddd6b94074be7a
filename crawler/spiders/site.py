"""The one generic spider: a ``SiteSpider`` subclass per site definition.

``scrapy list`` shows one spider per ``sites/*.toml`` file and
``scrapy crawl SLUG`` crawls one.  List pages are always fetched; an article
already in the archive is fetched again only when it is due for a revisit (or
with ``INCREMENTAL_REFRESH``), and then conditionally (ETag / Last-Modified).
Pagination stops at the first list page holding only known articles unless
``INCREMENTAL_FULL`` is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.record import DocumentRecord
from core.siteconfig import ListPage, SiteDefinition
from core.urls import canonicalize, is_followable
from crawler import multipage
from crawler.apilists import list_page

BLOCKED_STATUSES = {403, 412, 521}
"""Answers of WAFs and anti-bot systems (Ruishu 412, Jiasule 521): reported, never retried."""


class SiteSpider(scrapy.Spider):
    """Crawl one site's list pages and the articles they link to."""

    site: SiteDefinition
    allowed_domains: list[str]
    max_list_pages: int
    """Cap on list pages per column (``LIST_MAX_PAGES``; 0: the site's ``max_pages``)."""
    scheduled: set[str]
    """Canonical article URLs and list URLs already requested (the crawl's own dupefilter)."""
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
        spider.scheduled = set()
        spider.allow_private = bool(settings.getdict("HOSTMAP"))
        if settings.getfloat("DOWNLOAD_DELAY") <= 0:
            spider.logger.warning(
                "DOWNLOAD_DELAY is 0: Scrapy then releases a site's queued requests together, "
                "past CONCURRENT_REQUESTS_PER_DOMAIN; use at least 0.01"
            )
        return spider

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
                stats.inc_value("lists/empty")
                self.logger.error(
                    "%s: list page has no article links: %s", self.site.slug, response.url
                )
            return
        canon = {url: self.canonical(url) for url in links}
        for url in links:
            if canon[url] not in self.scheduled:
                if self._frontier_full():
                    return
                yield self._article_request(url, canon[url], lst, response.url)
        if self.max_list_pages and page >= self.max_list_pages:
            return
        nxt = result.next_url if page < lst.max_pages else None
        if nxt and nxt in self.scheduled:
            stats.inc_value("lists/cycle")
            self.logger.warning("%s: pagination returns to %s; stopping", self.site.slug, nxt)
        elif nxt and not self._frontier_full():
            self.scheduled.add(nxt)
            yield scrapy.Request(
                nxt, callback=self.parse_list, errback=self.on_error,
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
        self.logger.error("%s: %s: %s", self.site.slug, message, url)

    def parse_article(self, response: Response) -> Any:
        meta = response.meta
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
    """``(kind, message, is_error)`` for a failed request, for stats and the log."""
    if failure.check(HttpError):  # type: ignore[no-untyped-call]
        status = failure.value.response.status  # type: ignore[union-attr]
        if status in BLOCKED_STATUSES:
            return "blocked", f"blocked (HTTP {status}, anti-bot or access control)", True
        return f"http_{status}", f"HTTP {status}", True
    if failure.check(IgnoreRequest):  # type: ignore[no-untyped-call]
        message = str(failure.value) or "ignored"
        lowered = message.lower()
        if "robots.txt unreachable" in lowered:  # RFC 9309 complete disallow: the run must say so
            return "robots_unreachable", message, True
        if "robots.txt" in lowered or "offsite" in lowered:
            return "ignored", message, False  # by design: politeness and allowed_domains
        if "redirect" in lowered:
            return "redirect_loop", message, True
        if "maxsize" in lowered or "max size" in lowered:
            return "too_large", message, True
        return "ignored_error", message, True
    name = failure.type.__name__ if failure.type else "Error"
    return name, f"{name}: {failure.getErrorMessage()}", True
