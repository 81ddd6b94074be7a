"""The scheduler daemon: starts each site's crawl on its cron schedule, as a subprocess.

It only schedules.  Each crawl runs ``govpress crawl SLUG --trigger scheduler``
in its own process (Twisted's reactor cannot restart, and one broken site must
not take the others down); the crawl itself takes the site lock and writes its
run record.  At start it prints its plan: each site's next run, and which
sites it catches up now.  A site that ran before but missed its latest
scheduled run (within two days) is caught up once at start; a site never
crawled (a fresh archive) waits for its scheduled time unless ``--catch-up``
is given; catch-up crawls are staggered, never all started at once.
A hung crawl is stopped after the site's ``schedule.timeout``, and SIGTERM
stops the daemon cleanly: running crawls get SIGTERM (and record themselves as
interrupted), then the daemon exits.

    python scheduler.py [--archive PATH] [--list] [--catch-up]
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
CATCH_UP_STAGGER = timedelta(seconds=60)
"""Delay between two catch-up crawls started at daemon start."""
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

    def __init__(self, archive: str | None, command: list[str] | None = None, *,
                 trigger: str = "scheduler", extra_args: list[str] | None = None):
        self.archive = archive
        self.command = command or [sys.executable, "-m", "app.cli"]
        self.trigger = trigger
        self.extra_args = list(extra_args or [])
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, slug: str, timeout: int) -> int:
        if self.stopping:
            return -1
        args = [*self.command, "crawl", slug, "--trigger", self.trigger, *self.extra_args]
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


def plan(sites: Mapping[str, Any], last: Mapping[str, datetime | None], now: datetime, *,
         catch_up: bool = False, stagger: timedelta = CATCH_UP_STAGGER) -> list[tuple[str, str, datetime | None, str]]:
    """What the daemon will do: (slug, cron, catch-up start or None, explanation) per site.

    A missed run of a site that has run before is caught up; a site never crawled
    only with ``catch_up``.  Catch-ups start ``stagger`` apart, in site order.
    """
    rows = []
    start = now
    missed = set(missed_sites({s: site.schedule.cron for s, site in sites.items()}, last, now))
    for slug, site in sites.items():
        nxt = next_run(site.schedule.cron, now)
        when_next = nxt.isoformat() if nxt else "never"
        at: datetime | None = None
        if slug in missed and (last.get(slug) is not None or catch_up):
            at, start = start, start + stagger
            why = "never crawled" if last.get(slug) is None else "missed its last scheduled run"
            note = f"next {when_next}  {why}: catch-up crawl at {at.isoformat(timespec='seconds')}"
        elif last.get(slug) is None:
            note = f"next {when_next}  never crawled: waits for that time (--catch-up crawls it now)"
        else:
            note = f"next {when_next}  up to date"
        rows.append((slug, site.schedule.cron, at, note))
    return rows


def build_scheduler(sites: Mapping[str, Any], runner: CrawlRunner, now: datetime | None = None, *,
                    catch_up: bool = False, stagger: timedelta = CATCH_UP_STAGGER) -> BlockingScheduler:
    """A scheduler with one cron job per site, plus staggered one-off catch-ups (see ``plan``)."""
    scheduler = BlockingScheduler(timezone=TZ, job_defaults=JOB_DEFAULTS)
    now = now or datetime.now(TZ)
    for slug, site in sites.items():
        scheduler.add_job(
            runner.run, trigger_for(site.schedule.cron, site.schedule.jitter),
            args=[slug, site.schedule.timeout], id=slug, name=f"crawl {slug}", **JOB_DEFAULTS,
        )
    last = last_started(runner.archive, sites)
    for slug, _cron, at, note in plan(sites, last, now, catch_up=catch_up, stagger=stagger):
        if at is None:
            continue
        logger.info("%s: %s", slug, note)
        scheduler.add_job(runner.run, "date", run_date=at, args=[slug, sites[slug].schedule.timeout],
                          id=f"{slug}-catch-up", name=f"catch up {slug}", **JOB_DEFAULTS)
    return scheduler


def schedule_table(sites: Mapping[str, Any], now: datetime) -> list[tuple[str, str, str]]:
    """(slug, cron, next run) rows."""
    rows = []
    for slug, site in sites.items():
        nxt = next_run(site.schedule.cron, now)
        rows.append((slug, site.schedule.cron, nxt.isoformat() if nxt else "never"))
    return rows


def run(archive: str | None, *, list_only: bool = False, catch_up: bool = False,
        runner: CrawlRunner | None = None, stagger: timedelta = CATCH_UP_STAGGER) -> int:
    """Print the plan; then (unless ``list_only``) run the daemon until SIGTERM/SIGINT."""
    from core.siteconfig import load_sites
    from crawler.config import ConfigError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        from crawler import settings  # noqa: F401 - parses and range-checks the environment
    except ConfigError as exc:
        logger.error("%s", exc)
        return 2
    sites, errors = load_sites()
    for line in errors:
        logger.error("site definition skipped: %s", line)
    status = 1 if errors else 0  # the other sites still run; the exit status tells cron/systemd
    runner = runner or CrawlRunner(archive)
    now = datetime.now(TZ)
    rows = plan(sites, last_started(runner.archive, sites), now, catch_up=catch_up, stagger=stagger)
    for slug, cron, _at, note in rows:
        print(f"{slug:14} {cron:14} {note}", flush=True)
    if list_only:
        return status
    if not any(at for _s, _c, at, _n in rows):
        print("no catch-up crawls; each site runs at its scheduled time", flush=True)
    scheduler = build_scheduler(sites, runner, now, catch_up=catch_up, stagger=stagger)

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run govpress crawls on each site's schedule.")
    parser.add_argument("--archive", help="SQLite archive (default: ARCHIVE_PATH)")
    parser.add_argument("--list", action="store_true", help="print the plan (next runs, catch-ups) and exit")
    parser.add_argument("--catch-up", action="store_true", help="also crawl never-crawled sites now (staggered)")
    args = parser.parse_args(argv)
    return run(args.archive, list_only=args.list, catch_up=args.catch_up)


if __name__ == "__main__":
    sys.exit(main())
