"""IncrementalMiddleware: which articles and list pages a crawl fetches again.

The spider only parses: it yields a request for every article a list page links
to (``meta["govpress"] == "article"``) and for the next list page
(``"next_list"``, with the page's article URLs in ``meta["page_links"]``).  This
spider middleware asks the crawl's archive session, once per list page, what is
already archived, and then

* drops known articles that are not due for a revisit (younger than the site's
  ``revisit_days`` are due; ``INCREMENTAL_REFRESH`` makes every one due) and makes
  the revisits conditional (``If-None-Match`` / ``If-Modified-Since``);
* drops the next list page when the page held only known articles, unless the
  crawl walks every page (``INCREMENTAL_FULL``, or a site with no finished run yet:
  a first crawl cut short must not leave older pages unvisited forever).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive import ArchiveError
from archive.models import Known
from pipelines.session import session_for

logger = logging.getLogger(__name__)

SHANGHAI = timezone(timedelta(hours=8))


def crawl_now(value: str | None) -> datetime:
    """The crawl's notion of now; ``GOVPRESS_NOW`` pins it for tests."""
    if value:
        when = datetime.fromisoformat(value)
        return when if when.tzinfo else when.replace(tzinfo=SHANGHAI)
    return datetime.now(SHANGHAI)


def is_due(known: Known, *, now: datetime, revisit_days: int) -> bool:
    """A known article is fetched again while it is younger than the revisit window."""
    stamp = known.published or known.first_seen or ""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=SHANGHAI)
    return now - when < timedelta(days=revisit_days)


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED", True):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        self.crawler = crawler
        self.full = settings.getbool("INCREMENTAL_FULL")
        self.refresh = settings.getbool("INCREMENTAL_REFRESH")
        self.now = crawl_now(settings.get("GOVPRESS_NOW"))
        self.disabled = False
        self.redis: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def _state(self) -> Any:
        """The archive session, or in a distributed worker the state ``govpress enqueue`` published."""
        settings = self.crawler.settings
        if settings.getbool("REDIS_WORKER") and settings.get("REDIS_URL"):
            if self.redis is None:
                from crawler.distributed.state import RedisState

                self.redis = RedisState(settings.get("REDIS_URL"), settings.get("REDIS_PREFIX", "govpress"))
                self.full = self.full or self.redis.full(getattr(self.crawler.spider, "name", ""))
            return self.redis
        return session_for(self.crawler)

    def spider_opened(self, spider: Any) -> None:
        try:
            finished = self._state().has_finished_run(spider.name)
        except ArchiveError as exc:  # the archive pipeline reports it and stops the crawl
            logger.debug("incremental decisions off: %s", exc)
            self.disabled = True
            return
        if not self.full and not finished:
            logger.info("%s: no finished run yet; walking every list page", spider.name)
            self.full = True

    # -- the decision, once per callback's output -----------------------------------------------
    def _filter(self, outputs: list[Any]) -> list[Any]:
        articles = [o for o in outputs if isinstance(o, Request) and o.meta.get("govpress") == "article"]
        if self.disabled or (not articles and not any(
            isinstance(o, Request) and o.meta.get("govpress") == "next_list" for o in outputs
        )):
            return outputs
        page_links: set[str] = set()
        for o in outputs:
            if isinstance(o, Request) and o.meta.get("govpress") == "next_list":
                page_links.update(o.meta.get("page_links", ()))
        wanted = {o.meta["canonical_url"] for o in articles} | page_links
        known = self._state().known(wanted)
        spider = self.crawler.spider
        revisit_days = int(getattr(getattr(spider, "site", None), "revisit_days", 7))
        stats = self.crawler.stats
        assert stats is not None
        out: list[Any] = []
        for o in outputs:
            if not isinstance(o, Request):
                out.append(o)
            elif o.meta.get("govpress") == "article":
                info = known.get(o.meta["canonical_url"])
                if info is None:
                    out.append(o)
                elif self.refresh or is_due(info, now=self.now, revisit_days=revisit_days):
                    stats.inc_value("incremental/revisits")
                    out.append(self._conditional(o, info))
                else:
                    stats.inc_value("incremental/skipped_known")
            elif o.meta.get("govpress") == "next_list" and page_links and page_links <= known.keys() \
                    and not self.full:
                logger.info("%s: %s holds only known articles; not paging further",
                            getattr(spider, "name", "?"), o.meta.get("list_url", ""))
            else:
                out.append(o)
        return out

    @staticmethod
    def _conditional(request: Request, known: Known) -> Request:
        headers = dict(request.headers.to_unicode_dict())
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        meta = {**request.meta, "handle_httpstatus_list": [304]}
        return request.replace(headers=headers, meta=meta)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        yield from self._filter(list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [o async for o in result]
        for o in self._filter(outputs):
            yield o
