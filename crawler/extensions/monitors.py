"""MonitorExtension: breakage checks after each crawl, in the spirit of Spidermon.

When the spider closes, each check reads the run's stats (and the site's
recent runs from the archive) and may fail with a one-line reason.  Failures
go into the stats as ``monitor/failed`` (the run record then marks the run
``partial`` and keeps them), into the log at ERROR, and optionally to a
webhook (``MONITOR_WEBHOOK_URL``, JSON POST) or by mail (``MONITOR_EMAIL_TO``).
Spidermon itself was not used: its monitors are unittest suites over one
run's stats, while the checks here also need the site's history, which lives
in the archive.
"""

from __future__ import annotations

import json
import logging
import smtplib
import statistics
import urllib.request
from email.message import EmailMessage
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive import ArchiveError
from pipelines.session import session_for

logger = logging.getLogger(__name__)


def run_checks(stats: dict[str, Any], history: list[dict[str, Any]], limits: dict[str, float]) -> list[str]:
    """Failed checks (one line each) for one run's ``stats`` given earlier runs' stats."""
    failed = []
    # First list pages are fetched by every run, incremental or full, so their links compare.
    links = stats.get("lists/first_page_links", 0)
    usual = [h.get("lists/first_page_links", 0) for h in history if h.get("lists/first_page_links")]
    median = statistics.median(usual) if usual else 0
    if links == 0 and stats.get("lists/pages", 0):
        failed.append("no article links on any list page")
    elif stats.get("lists/empty"):
        failed.append(f"{stats['lists/empty']} list page(s) without article links")
    if median and links < limits["min_ratio"] * median:
        failed.append(f"article links on first list pages {links} far below the trailing median {median:g}")
    cleaned = stats.get("cleaning/ok", 0) + stats.get("cleaning/too_short", 0)
    if cleaned >= limits["min_items"]:
        for key, label in (("cleaning/no_title", "no headline"), ("cleaning/no_date", "no date"),
                           ("cleaning/too_short", "body too short"),
                           ("cleaning/boilerplate", "boilerplate left in the body"),
                           ("cleaning/replacement_chars", "undecodable characters")):
            rate = stats.get(key, 0) / cleaned
            if rate > limits["max_rate"]:
                failed.append(f"{label} on {rate:.0%} of articles ({stats.get(key, 0)}/{cleaned})")
    return failed


class MonitorExtension:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("MONITOR_ENABLED", True):
            raise NotConfigured("MONITOR_ENABLED is off")
        self.crawler = crawler
        self.limits = {
            "min_ratio": settings.getfloat("MONITOR_MIN_LINKS_RATIO", 0.5),
            "max_rate": settings.getfloat("MONITOR_MAX_FAILURE_RATE", 0.2),
            "min_items": settings.getint("MONITOR_MIN_ITEMS", 3),
        }
        self.history_runs = settings.getint("MONITOR_HISTORY_RUNS", 10)
        self.webhook = settings.get("MONITOR_WEBHOOK_URL", "")
        self.mail_to = settings.get("MONITOR_EMAIL_TO", "")
        self.smtp_host = settings.get("MONITOR_SMTP_HOST", "localhost")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MonitorExtension:
        return cls(crawler)

    def _history(self, site: str) -> list[dict[str, Any]]:
        try:
            runs = session_for(self.crawler).history(site, self.history_runs + 1)
        except ArchiveError:
            return []
        return [r.stats for r in runs if r.status in ("ok", "partial") and r.stats][: self.history_runs]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason != "finished":
            return
        stats = self.crawler.stats.get_stats()
        failed = run_checks(stats, self._history(spider.name), self.limits)
        if not failed:
            return
        self.crawler.stats.set_value("monitor/failed", failed)
        for line in failed:
            logger.error("%s: check failed: %s", spider.name, line)
        self._notify(spider.name, failed)

    def _notify(self, site: str, failed: list[str]) -> None:
        text = f"govpress: {site} crawl checks failed:\n" + "\n".join(f"- {f}" for f in failed)
        if self.webhook:
            body = json.dumps({"site": site, "failed": failed, "text": text}).encode()
            req = urllib.request.Request(self.webhook, data=body, headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(req, timeout=10).close()
            except OSError as exc:
                logger.warning("monitor webhook %s failed: %s", self.webhook, exc)
        if self.mail_to:
            msg = EmailMessage()
            msg["Subject"], msg["To"], msg["From"] = f"govpress: {site} checks failed", self.mail_to, "govpress"
            msg.set_content(text)
            try:
                with smtplib.SMTP(self.smtp_host, timeout=10) as smtp:
                    smtp.send_message(msg)
            except OSError as exc:
                logger.warning("monitor mail to %s failed: %s", self.mail_to, exc)
