"""SiteLockExtension: one crawl per site and archive at a time, whatever started it.

The lock is an ``fcntl.flock`` on ``LOCK_DIR/<slug>.lock`` (default: a ``locks``
folder beside the archive), taken by the crawl itself, so cron, the scheduler
and a manual ``govpress crawl`` or ``scrapy crawl`` all respect it.  The kernel
drops the lock when the holding process dies, so a killed run leaves no stale
lock; the file only records who holds it, for the "skipped" message.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

logger = logging.getLogger(__name__)

SKIPPED = "skipped"
LOCK_ERROR = "lock_error"
"""Close reason when the lock cannot be taken at all: the crawl refuses to run unlocked."""


class SiteLock:
    """An exclusive, non-blocking, process-lifetime lock on one site."""

    def __init__(self, directory: Path, slug: str):
        self.path = Path(directory) / f"{slug}.lock"
        self.slug = slug
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the crawl's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        since = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "since": since}))
        handle.flush()
        self._file = handle
        return True

    def holder(self) -> str:
        """``pid N since T`` of the current holder, as far as the file tells."""
        try:
            info = json.loads(self.path.read_text("utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        return f"pid {info.get('pid', '?')} since {info.get('since', '?')}"

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_dir(settings: Any) -> Path:
    """``LOCK_DIR``, or a ``locks`` folder beside the archive (shared by crawls and ``reprocess``)."""
    archive = Path(settings.get("ARCHIVE_PATH") or "data/govpress.sqlite")
    return Path(settings.get("LOCK_DIR") or archive.parent / "locks")


class SiteLockExtension:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("LOCK_ENABLED", True):
            raise NotConfigured("LOCK_ENABLED is off")
        self.directory = lock_dir(settings)
        self.crawler = crawler
        self.lock: SiteLock | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteLockExtension:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        lock = SiteLock(self.directory, spider.name)
        try:
            acquired = lock.acquire()
        except OSError as exc:
            message = f"{spider.name}: cannot take the site lock {lock.path}: {exc.strerror or exc}; not crawling"
            logger.error(message)
            self.crawler.stats.set_value("govpress/error", message)
            raise CloseSpider(LOCK_ERROR) from None
        if not acquired:
            message = f"skipped: {spider.name} is being crawled ({lock.holder()})"
            logger.warning(message)
            self.crawler.stats.set_value("govpress/skipped", message)
            raise CloseSpider(SKIPPED)
        self.lock = lock

    def spider_closed(self, spider: Spider) -> None:
        if self.lock is not None:
            self.lock.release()
