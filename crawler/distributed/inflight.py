"""InflightMiddleware: a popped request is done once its callback's output has gone through."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class InflightMiddleware:
    """Outermost spider middleware: drop the request's in-flight entry after its output."""

    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("REDIS_WORKER"):
            raise NotConfigured("not a distributed worker")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InflightMiddleware:
        return cls(crawler)

    def _done(self, response: Response) -> None:
        token = response.request.meta.get("govpress_inflight") if response.request else None
        engine = self.crawler.engine
        scheduler: Any = getattr(getattr(engine, "_slot", None), "scheduler", None)
        if token and scheduler is not None and hasattr(scheduler, "done"):
            scheduler.done(token)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        yield from result
        self._done(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for o in result:
            yield o
        self._done(response)
