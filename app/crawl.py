"""Run crawls in this process and summarise them from the archive's run records.

Used by ``govpress crawl`` and ``govpress demo``.  The Twisted reactor can
start only once per process, so one call to ``run_crawls`` is one process's
worth of crawling (the scheduler starts each crawl as a subprocess).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from crawler.spiders.site import SiteSpider

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_SKIPPED = 0, 1, 2, 3
"""Exit codes of ``govpress crawl`` (documented in docs/operations.md)."""


@dataclass(frozen=True)
class RunSummary:
    site: str
    status: str
    pages: int
    new: int
    updated: int
    unchanged: int
    duplicate: int
    errors: int
    error: str = ""


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project's settings module with ``overrides`` on top (command-line priority).

    Every value is parsed and range-checked (``crawler.config``); a bad one raises
    ``ConfigError`` with one line naming it.
    """
    from crawler.config import check_settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    check_settings(settings)
    return settings


def contact_warning(settings: Settings) -> str:
    """A warning when a crawl of the live sites would name the placeholder contact ('' otherwise)."""
    placeholder = settings.get("GOVPRESS_CONTACT_PLACEHOLDER", "")
    if settings.get("GOVPRESS_TRIGGER") == "demo" or not placeholder:
        return ""  # a demo crawls the simulator: nothing leaves loopback
    if placeholder in settings.get("USER_AGENT", ""):
        return (f"GOVPRESS_CONTACT is not set: the User-Agent names the placeholder {placeholder}; "
                "set GOVPRESS_CONTACT to a URL or mailto: where site operators can reach you")
    return ""


def run_crawls(slugs: Iterable[str], settings: Settings) -> list[RunSummary]:
    """Crawl the given sites (concurrently, each under its own politeness limits).

    The archive is checkpointed before and after, so its main file alone is complete.
    """
    from archive.backup import checkpoint_path

    slugs = list(slugs)
    path = settings.get("ARCHIVE_PATH")
    prepare_archive(path)
    after = last_run_id(path)
    process = CrawlerProcess(settings)
    crawlers = {slug: process.create_crawler(spider_class(slug)) for slug in slugs}
    for crawler in crawlers.values():
        process.crawl(crawler)
    process.start()
    try:
        checkpoint_path(path)
    except Exception as exc:  # the crawl's result matters more than the checkpoint: say why, go on
        logger.warning("final checkpoint not done: %s", exc)
    recorded = settle(summaries(path, after=after), crawlers)
    missing = set(slugs) - {r.site for r in recorded}
    return sorted(recorded + [unrecorded(slug, crawlers[slug]) for slug in missing], key=lambda r: r.site)


def settle(recorded: list[RunSummary], crawlers: dict[str, Any]) -> list[RunSummary]:
    """Runs still ``running`` after the process ended could not close their record (disk
    full, archive locked): they failed, with the archive error as the reason (issue #17)."""
    return [unrecorded(r.site, crawlers[r.site]) if r.status == "running" and r.site in crawlers else r
            for r in recorded]


def unrecorded(slug: str, crawler: Any) -> RunSummary:
    """A failed summary for a crawl whose run record could not be written (archive errors)."""
    stats = crawler.stats.get_stats() or getattr(crawler.stats, "spider_stats", {}).get(slug, {})
    reason = stats.get("archive/error") or stats.get("finish_reason") or "did not run (see the log)"
    return RunSummary(slug, "failed", stats.get("response_received_count", 0), 0, 0, 0, 0, 1, str(reason))


def spider_class(slug: str) -> type[SiteSpider]:
    from crawler.spiders import sites

    cls: type[SiteSpider] = getattr(sites, f"Spider_{slug}")
    return cls


def prepare_archive(path: str) -> None:
    """Create or upgrade the archive before anything reads it; raises ``ArchiveError``.

    A crawl killed while creating the archive leaves a file without the schema;
    migrating it here, once, keeps every later reader (spider, dedup, monitors) simple.
    """
    from archive import open_archive
    from archive.backup import checkpoint

    db = open_archive(path, check=True)  # a corrupt archive is refused before any write
    try:
        checkpoint(db)  # a killed crawl's WAL goes into the main file now
    finally:
        db.close()


def last_run_id(path: str) -> int:
    """Id of the newest run in the archive (0 when there is none yet)."""
    from archive import Archive

    if not Path(path).exists():
        return 0
    with Archive(path) as a:
        runs = a.runs(limit=1)
    return runs[0].id if runs else 0


def summaries(path: str, *, after: int) -> list[RunSummary]:
    """This process's runs newer than run ``after``, read back from the archive."""
    from archive import Archive

    out = []
    with Archive(path) as a:
        recent = a.runs(limit=1000)
    for run in recent:
        if run.id > after and run.pid == os.getpid():
            out.append(
                RunSummary(run.site, run.status, run.pages or 0, run.new or 0, run.updated or 0,
                           run.unchanged or 0, run.duplicate or 0, run.errors or 0, run.error or "")
            )
    return sorted(out, key=lambda r: r.site)


def exit_code(runs: list[RunSummary]) -> int:
    """0 all ok; 1 some site partial or failed; 2 every site failed; 3 every site skipped."""
    if not runs:
        return EXIT_FAILED
    statuses = {r.status for r in runs}
    if statuses == {"skipped"}:
        return EXIT_SKIPPED
    if statuses <= {"failed", "blocked", "interrupted", "skipped"}:
        return EXIT_FAILED
    if statuses - {"ok", "skipped"}:
        return EXIT_PARTIAL
    return EXIT_OK
