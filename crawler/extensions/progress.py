"""ProgressExtension: a live per-site progress display for crawls run from a terminal.

``govpress crawl`` adds it to ``EXTENSIONS`` when standard error is a terminal;
under cron the crawl logs plain lines instead.  All
crawlers of one process share one display, one row per site.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_DISPLAY: dict[str, Any] = {}


def _progress() -> Any:
    """The process-wide rich ``Progress`` (created and started on first use)."""
    if "progress" not in _DISPLAY:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(
            SpinnerColumn(), TextColumn("{task.description:14}"),
            TextColumn("pages {task.fields[pages]:>4}  articles {task.fields[items]:>4}  "
                       "errors {task.fields[errors]:>3}  {task.fields[state]}"),
            TimeElapsedColumn(), console=Console(stderr=True), transient=False,
        )
        progress.start()
        _DISPLAY["progress"] = progress
        _DISPLAY["open"] = 0
    return _DISPLAY["progress"]


class ProgressExtension:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.task: Any = None
        self.counts = {"pages": 0, "items": 0, "errors": 0}
        for handler, signal in (
            (self.opened, signals.spider_opened), (self.closed, signals.spider_closed),
            (self.page, signals.response_received), (self.item, signals.item_scraped),
        ):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        return cls(crawler)

    def _update(self, **fields: Any) -> None:
        # Errors as the run record counts them: requests that failed for good.
        stats = self.crawler.stats
        self.counts["errors"] = stats.get_value("fetch_errors/count", 0) + stats.get_value(
            "spider_exceptions/count", 0)
        if self.task is not None:
            _progress().update(self.task, **self.counts, **fields)

    def opened(self, spider: Spider) -> None:
        self.task = _progress().add_task(spider.name, total=None, state="crawling", **self.counts)
        _DISPLAY["open"] += 1

    def page(self, response: Any, request: Any, spider: Spider) -> None:
        self.counts["pages"] += 1
        self._update()

    def item(self, item: Any, response: Any, spider: Spider) -> None:
        self.counts["items"] += 1
        self._update()

    def closed(self, spider: Spider, reason: str) -> None:
        self._update(state=reason)
        progress = _progress()
        progress.update(self.task, total=1, completed=1)
        _DISPLAY["open"] -= 1
        if _DISPLAY["open"] == 0:
            progress.stop()
            _DISPLAY.clear()
