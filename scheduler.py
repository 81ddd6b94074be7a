"""The scheduler daemon: starts each site's crawl on its cron schedule, as a subprocess.

It only schedules.  Each crawl runs ``govpress crawl SLUG --trigger scheduler``
in its own process (Twisted's reactor cannot restart, and one broken site must
not take the others down); the crawl itself takes the site lock and writes its
run record.  A run missed while the daemon was down is caught up once at start,
a hung crawl is stopped after the site's ``schedule.timeout``, and SIGTERM
stops the daemon cleanly: running crawls get SIGTERM (and record themselves as
interrupted), then the daemon exits.

    python scheduler.py [--archive PATH] [--list]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from core.siteconfig import cron_trigger

logger = logging.getLogger("govpress.scheduler")

TZ = ZoneInfo("Asia/Shanghai")
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600}
"""Explicit job defaults: never two runs of one job, merge missed runs, tolerate hours of lateness."""
CATCH_UP_WINDOW = timedelta(days=2)
KILL_GRACE = 60


def trigger_for(cron: str, jitter: int = 0) -> CronTrigger:
    """The site's crontab expression (standard day-of-week numbering) as a trigger."""
    trigger: CronTrigger = cron_trigger(cron, jitter=jitter, timezone=TZ)
    return trigger


def next_run(cron: str, now: datetime) -> datetime | None:
    """The next fire time of a site's schedule after ``now`` (without jitter)."""
    fire: datetime | None = trigger_for(cron).get_next_fire_time(None, now)
    return fire


def previous_run(cron: str, now: datetime, window: timedelta = CATCH_UP_WINDOW) -> datetime | None:
    """The latest fire time at or before ``now`` within ``window``, if any."""
    trigger = trigger_for(cron)
    fire = trigger.get_next_fire_time(None, now - window)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


def missed_sites(
    schedules: Mapping[str, str], last_started: Mapping[str, datetime | None], now: datetime
) -> list[str]:
    """Sites whose latest scheduled time (within the catch-up window) has no run since."""
    missed = []
    for slug, cron in schedules.items():
        due = previous_run(cron, now)
        last = last_started.get(slug)
        if due is not None and (last is None or last < due):
            missed.append(slug)
    return missed


class CrawlRunner:
    """Start crawls as subprocesses, enforce timeouts, stop them all on shutdown."""

    def __init__(self, archive: str | None, command: list[str] | None = None):
        self.archive = archive
        self.command = command or [sys.executable, "-m", "app.cli"]
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, slug: str, timeout: int) -> int:
        if self.stopping:
            return -1
        args = [*self.command, "crawl", slug, "--trigger", "scheduler"]
        if self.archive:
            args += ["--archive", self.archive]
        logger.info("%s: starting crawl", slug)
        proc = subprocess.Popen(args, start_new_session=True)
        with self.lock:
            self.running[slug] = proc
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.error("%s: crawl exceeded %ss; stopping it", slug, timeout)
            code = self._stop(proc)
        finally:
            with self.lock:
                self.running.pop(slug, None)
        level = logging.INFO if code == 0 else logging.WARNING
        logger.log(level, "%s: crawl exited with %s", slug, code)
        return code

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes]) -> int:
        """SIGTERM (the crawl records itself as interrupted), then SIGKILL after a grace period."""
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            return proc.wait(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return proc.wait()
        except ProcessLookupError:
            return proc.wait()

    def stop_all(self) -> None:
        self.stopping = True
        with self.lock:
            procs = list(self.running.items())
        for slug, proc in procs:
            logger.info("%s: stopping crawl (pid %s)", slug, proc.pid)
            self._stop(proc)


def last_started(archive: str | None, slugs: Iterable[str]) -> dict[str, datetime | None]:
    """When each site's latest run (any trigger) started, from the archive's run records."""
    from pathlib import Path

    from archive import Archive
    from crawler import settings as crawl_settings

    path = archive or crawl_settings.ARCHIVE_PATH
    out: dict[str, datetime | None] = dict.fromkeys(slugs)
    if not Path(path).exists():
        return out
    with Archive(path) as reader:
        latest = {slug: reader.runs(site=slug, limit=1) for slug in out}
    for slug, runs in latest.items():
        if runs and runs[0].started_at:
            when = datetime.fromisoformat(runs[0].started_at)
            out[slug] = when if when.tzinfo else when.replace(tzinfo=TZ)
    return out


def build_scheduler(sites: Mapping[str, Any], runner: CrawlRunner, now: datetime | None = None) -> BlockingScheduler:
    """A scheduler with one cron job per site, plus a one-off catch-up for missed runs."""
    scheduler = BlockingScheduler(timezone=TZ, job_defaults=JOB_DEFAULTS)
    now = now or datetime.now(TZ)
    for slug, site in sites.items():
        scheduler.add_job(
            runner.run, trigger_for(site.schedule.cron, site.schedule.jitter),
            args=[slug, site.schedule.timeout], id=slug, name=f"crawl {slug}", **JOB_DEFAULTS,
        )
    schedules = {slug: site.schedule.cron for slug, site in sites.items()}
    for slug in missed_sites(schedules, last_started(runner.archive, sites), now):
        logger.info("%s: missed its last scheduled run; catching up now", slug)
        scheduler.add_job(runner.run, "date", run_date=now, args=[slug, sites[slug].schedule.timeout],
                          id=f"{slug}-catch-up", name=f"catch up {slug}", **JOB_DEFAULTS)
    return scheduler


def schedule_table(sites: Mapping[str, Any], now: datetime) -> list[tuple[str, str, str]]:
    """(slug, cron, next run) rows for ``--list``."""
    rows = []
    for slug, site in sites.items():
        nxt = next_run(site.schedule.cron, now)
        rows.append((slug, site.schedule.cron, nxt.isoformat() if nxt else "never"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run govpress crawls on each site's schedule.")
    parser.add_argument("--archive", help="SQLite archive (default: ARCHIVE_PATH)")
    parser.add_argument("--list", action="store_true", help="print each site's next run and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from core.siteconfig import load_sites
    from crawler.config import ConfigError

    try:
        from crawler import settings  # noqa: F401 - parses and range-checks the environment
    except ConfigError as exc:
        logger.error("%s", exc)
        return 2
    sites, errors = load_sites()
    for line in errors:
        logger.error("site definition skipped: %s", line)
    status = 1 if errors else 0  # the other sites still run; the exit status tells cron/systemd
    if args.list:
        for slug, cron, nxt in schedule_table(sites, datetime.now(TZ)):
            print(f"{slug:14} {cron:14} next {nxt}")
        return status
    runner = CrawlRunner(args.archive)
    scheduler = build_scheduler(sites, runner)

    def shutdown(signum: int, _frame: Any) -> None:
        logger.info("signal %s: stopping running crawls and the scheduler", signum)
        def stop() -> None:
            runner.stop_all()
            scheduler.shutdown(wait=True)

        threading.Thread(target=stop, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    logger.info("scheduler started with %d sites", len(sites))
    scheduler.start()
    logger.info("scheduler stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
