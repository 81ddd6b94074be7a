"""RunRecordExtension: every crawl leaves a row in the archive's ``runs`` table.

The row is opened when the spider opens (status ``running``) and closed with the
outcome counts, a status and the full Scrapy stats when it closes, whatever
started the crawl (``scrapy crawl``, ``govpress crawl``, cron or the scheduler).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive import ArchiveError
from archive.backup import checkpoint
from archive.session import ArchiveSession
from crawler.blocks import KINDS
from pipelines.session import session_for

logger = logging.getLogger(__name__)

INTERRUPTED = {"shutdown", "cancelled", "closespider_timeout"}
ITEM_ERRORS = "item_errors/count"
"""Items lost to an exception in a pipeline (Scrapy logs them but keeps no stat); issue #17."""


def run_status(reason: str, stats: dict[str, Any]) -> str:
    """ok | partial | failed | blocked | skipped | interrupted, from the close reason and the stats."""
    if reason == "skipped":
        return "skipped"
    if reason in INTERRUPTED:
        return "interrupted"
    if reason != "finished":
        return "failed"
    items = stats.get("item_scraped_count")
    recognised = stats.get("block/kind") in KINDS or stats.get("fetch_errors/blocked")
    if not items and recognised and not (stats.get("lists/pages") and stats.get("lists/links")):
        # Nothing usable came back and we know why: a challenge, a WAF, legacy TLS, a shell …
        return "blocked"
    if not stats.get("lists/pages") and not items:
        return "failed"  # nothing usable came back: the site unreachable, or answering errors
    if run_counts(stats)["errors"] or stats.get("monitor/failed") or capped(stats):
        return "partial"
    return "ok"


def capped(stats: dict[str, Any]) -> str:
    """Why a crawl left articles unfetched on purpose (a link or frontier cap), or ``""``."""
    why = []
    if stats.get("lists/links_capped"):
        why.append(f"{stats['lists/links_capped']:,} article links over LIST_MAX_LINKS not taken")
    if stats.get("frontier/capped"):
        why.append(f"FRONTIER_MAX_REQUESTS reached, {stats['frontier/capped']:,} requests not scheduled")
    return "capped: " + "; ".join(why) if why else ""


def run_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The run's headline numbers, taken from Scrapy-style stats."""
    # Not log_count/ERROR: Scrapy counts every crawler's log records in each crawler of a process.
    # fetch_errors/count holds requests that failed for good, after their retries.
    errors = sum(stats.get(key, 0) for key in (
        "fetch_errors/count", "spider_exceptions/count", "archive/errors", "lists/empty",
        ITEM_ERRORS,
        "blocks/pages",
    ))
    return {
        "pages": stats.get("response_received_count", 0),
        "new": stats.get("archive/new", 0),
        "updated": stats.get("archive/updated", 0),
        "unchanged": stats.get("archive/unchanged", 0),
        "duplicate": stats.get("archive/duplicate", 0),
        "errors": errors,
    }


class RunRecordExtension:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.path = crawler.settings.get("ARCHIVE_PATH")
        if not self.path:
            raise NotConfigured("ARCHIVE_PATH is not set")
        self.trigger = crawler.settings.get("GOVPRESS_TRIGGER", "manual")
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecordExtension:
        return cls(crawler)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        """Count an item a pipeline raised on: the run is then not ``ok`` (issue #17)."""
        self.crawler.stats.inc_value(ITEM_ERRORS)

    def _write(self, action: Callable[[ArchiveSession], Any]) -> Any:
        """Run ``action(session)`` on the crawl's archive session; a failure is logged, not raised."""
        try:
            return action(session_for(self.crawler))
        except ArchiveError as exc:
            logger.error("run record not written: %s", exc)
            stats = self.crawler.stats
            if not stats.get_value("archive/error"):
                stats.set_value("archive/error", str(exc))
            return None

    def spider_opened(self, spider: Spider) -> None:
        self.run_id = self._write(
            lambda session: session.start_run(spider.name, trigger=self.trigger, pid=os.getpid())
        )
        self.crawler.stats.set_value("govpress/run_id", self.run_id)
        logger.info("%s: run %s started (%s)", spider.name, self.run_id, self.trigger)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        status, counts = run_status(reason, stats), run_counts(stats)
        error = "" if reason == "finished" else str(
            stats.get("govpress/skipped") or stats.get("govpress/error") or stats.get("archive/error") or reason)
        if status in ("failed", "blocked") and not error:
            first = stats.get("fetch_errors/first")
            if status == "blocked" and stats.get("block/kind"):
                error = f"blocked: {block_line(stats)}"
            else:
                error = f"unreachable: {first}" if status == "failed" and first else str(first or "no pages")
        if stats.get("monitor/failed"):
            error = "; ".join(filter(None, [error, "checks failed: " + "; ".join(stats["monitor/failed"])]))
        if status == "partial" and capped(stats):
            error = "; ".join(filter(None, [error, capped(stats)]))
        stats["finish_time"] = datetime.now(UTC)
        run_id = self.run_id
        def finish(session: ArchiveSession) -> None:
            session.finish_run(run_id, status=status, counts=counts, stats=_jsonable(stats), error=error)
            checkpoint(session.db)  # every crawl ends with the main file complete (scrapy crawl too)

        self._write(finish)
        logger.info("%s: run %s %s: %s", spider.name, self.run_id, status, counts)


def block_line(stats: dict[str, Any]) -> str:
    """``kind (detail): url`` of the run's first recognised block."""
    kind, detail, url = stats.get("block/kind"), stats.get("block/detail"), stats.get("block/url")
    return f"{kind} ({detail}): {url}" if detail else f"{kind}: {url}"


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stats.items()}
