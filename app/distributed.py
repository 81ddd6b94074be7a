"""``govpress enqueue``, ``govpress worker`` and ``govpress ingest``: a crawl spread over machines.

* ``enqueue`` (next to the archive) opens one run per site, publishes the
  incremental state (known articles, finished runs, ``--full``) to Redis and seeds
  each site's scrapy-redis queue with its list pages;
* ``worker`` (any number, anywhere) crawls from the shared queues, processes each
  page (``pipelines.process`` clean + fingerprint) and XADDs the record to the
  stream; it never opens SQLite and ends after ``MAX_IDLE_TIME_BEFORE_CLOSE``;
* ``ingest`` (one, next to the archive) reads the stream with a consumer group,
  saves each record through ``ArchiveSession.save`` and XACKs it only after the
  commit; it closes the runs once the stream is drained and no worker is left
  (or at once with ``--finish``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.spiders.site import SiteSpider


# Scrapy and app.crawl are imported by the commands that run, so `govpress --help` stays fast.
def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    from app.crawl import project_settings as settings

    return settings(overrides)


def prepare_archive(path: str) -> None:
    from app.crawl import prepare_archive as prepare

    prepare(path)


def spider_class(slug: str) -> type[SiteSpider]:
    from app.crawl import spider_class as cls

    return cls(slug)

logger = logging.getLogger(__name__)


def redis_url(option: str | None) -> str:
    url = option or project_settings().get("REDIS_URL")
    if not url:
        raise click.UsageError("no Redis: give --redis URL or set GOVPRESS_REDIS_URL")
    return str(url)


def distributed_settings(url: str, overrides: dict[str, Any] | None = None) -> Settings:
    """Project settings plus the worker's scrapy-redis wiring."""
    from crawler.distributed import worker_settings

    base = project_settings(overrides)
    base.setdict(worker_settings(url, base, prefix=base.get("REDIS_PREFIX", "govpress")), priority="cmdline")
    return base


# -- enqueue --------------------------------------------------------------------------------------
def enqueue(url: str, slugs: Iterable[str], *, archive: str, full: bool = False,
            overrides: dict[str, Any] | None = None, trigger: str = "manual") -> dict[str, int]:
    """Seed the sites' queues and publish their state; returns ``{site: run_id}``."""
    from scrapy.crawler import Crawler

    from archive import Archive, ArchiveError
    from archive.session import ArchiveSession
    from crawler.distributed.scheduler import WorkerScheduler
    from crawler.distributed.state import RedisState
    from crawler.distributed.worker import stats_key

    settings = distributed_settings(url, {**(overrides or {}), "ARCHIVE_PATH": archive})
    settings.set("REDIS_WORKER", False, priority="cmdline")  # the spider yields its list pages here
    prefix = settings.get("REDIS_PREFIX", "govpress")
    prepare_archive(archive)
    state = RedisState(url, prefix)
    runs: dict[str, int] = {}
    with ArchiveSession(archive) as session, Archive(archive) as reader:
        for slug in slugs:
            if state.run_id(slug) is not None:
                raise ArchiveError(f"{slug}: distributed run {state.run_id(slug)} is still open "
                                   "(govpress ingest --finish closes it)")
            cls = spider_class(slug)
            crawler = Crawler(cls, settings)
            spider = cls.from_crawler(crawler)
            urls = [d.canonical_url for d in reader.documents(site=slug, include_duplicates=True)]
            known = session.known(urls).values()
            session.upsert_site(cls.site)
            run_id = session.start_run(slug, trigger=trigger, pid=os.getpid())
            server = state.server
            server.delete(f"{prefix}:counts:{slug}", stats_key(prefix, slug),  # the new run's counts start at 0
                          f"{prefix}:outcome:{slug}")
            n = state.publish(slug, known, finished=session.has_finished_run(slug), full=full, run_id=run_id)
            state.publish_attachments(_stored_attachments(reader, urls))
            scheduler = WorkerScheduler.from_settings(settings)
            scheduler.open(spider)
            scheduler.flush()  # a new run: last run's seen-set and leftovers go
            for key in list(server.scan_iter(match=f"{prefix}:inflight:{slug}:*")):
                server.delete(key)  # requests an abandoned run's dead workers left

            requests = asyncio.run(_seeds(spider))
            for request in requests:
                scheduler.enqueue_request(request)
            runs[slug] = run_id
            logger.info("%s: run %d, %d list pages queued, %d known articles published",
                        slug, run_id, len(requests), n)
    return runs


def _stored_attachments(reader: Any, urls: Iterable[str]) -> dict[str, list[str]]:
    """Canonical URL -> the files stored for it with a final status (a failed fetch is retried)."""
    out: dict[str, list[str]] = {}
    for url in urls:
        done = [a.url for a in reader.attachments(url) if not a.status.startswith("fetch_failed")]
        if done:
            out[url] = done
    return out


async def _seeds(spider: Any) -> list[Any]:
    """The spider's start requests: its list pages."""
    return [r async for r in spider.start()]


# -- worker ---------------------------------------------------------------------------------------
def run_worker(url: str, slugs: Iterable[str], overrides: dict[str, Any] | None = None) -> None:
    """Crawl the sites' shared queues in this process until they have been idle long enough."""
    from scrapy.crawler import CrawlerProcess

    settings = distributed_settings(url, overrides)
    process = CrawlerProcess(settings)
    for slug in slugs:
        process.crawl(process.create_crawler(spider_class(slug)))
    process.start()


# -- ingest ---------------------------------------------------------------------------------------
@dataclass
class IngestReport:
    saved: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    attachments: int = 0
    """Attachment entries handled (saved, or skipped as the local crawl would not have fetched them)."""
    closed: list[int] = field(default_factory=list)


def _group(server: Any, stream: str, group: str) -> None:
    import redis

    try:
        server.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def workers_left(server: Any, prefix: str) -> bool:
    """Any worker heartbeat, queued request or in-flight request left."""
    for pattern in (f"{prefix}:worker:*", f"{prefix}:inflight:*"):
        if any(True for _ in server.scan_iter(match=pattern)):
            return True
    return any(server.zcard(k) for k in server.scan_iter(match=f"{prefix}:*:requests"))


def ingest(url: str, *, archive: str, finish: bool = False, consumer: str = "ingest-1",
           block_ms: int = 500, batch: int = 100, max_records: int | None = None,
           prefix: str = "govpress", near: bool = True) -> IngestReport:
    """Drain the stream into the archive; close the open runs when the crawl is over."""
    from archive.session import ArchiveSession
    from crawler.distributed import STREAM_GROUP, connect, decode_record, keys
    from crawler.distributed.state import RedisState
    from pipelines.session import identity_for

    server = connect(url)
    stream = keys(prefix)["items"]
    _group(server, stream, STREAM_GROUP)
    state = RedisState(url, prefix, server=server)
    report = IngestReport()
    prepare_archive(archive)
    with ArchiveSession(archive, identity=identity_for(near)) as session:
        while True:
            # Our own unacknowledged entries first (left by a killed ingester of this name),
            # then entries idle 60 s in another consumer, then new ones.
            got = server.xreadgroup(STREAM_GROUP, consumer, {stream: "0"}, count=batch)
            entries = got[0][1] if got else []
            if not entries:
                claimed = server.xautoclaim(stream, STREAM_GROUP, consumer, min_idle_time=60_000, count=batch)
                entries = claimed[1] if claimed else []
            if not entries and not finish:
                got = server.xreadgroup(STREAM_GROUP, consumer, {stream: ">"}, count=batch, block=block_ms)
                entries = got[0][1] if got else []
            if not entries and not finish and server.xpending(stream, STREAM_GROUP)["pending"] == 0 \
                    and not workers_left(server, prefix):
                got = server.xreadgroup(STREAM_GROUP, consumer, {stream: ">"}, count=batch)
                entries = got[0][1] if got else []
                if not entries:
                    break
            if not entries and finish:
                got = server.xreadgroup(STREAM_GROUP, consumer, {stream: ">"}, count=batch)
                entries = got[0][1] if got else []
                if not entries:
                    break
            for entry_id, fields in entries:
                if b"attachment" in fields:
                    save_attachment(server, session, state, prefix, fields[b"attachment"])
                    server.xack(stream, STREAM_GROUP, entry_id)  # only after the commit
                    report.attachments += 1
                    continue
                record = decode_record(fields[b"record"])
                result = session.save(record, run_id=state.run_id(record.site))  # one transaction
                server.hset(f"{prefix}:outcome:{record.site}", record.canonical_url, result.outcome)
                server.hincrby(f"{prefix}:counts:{record.site}", result.outcome, 1)
                server.xack(stream, STREAM_GROUP, entry_id)  # only after the commit
                report.saved += 1
                report.outcomes[result.outcome] = report.outcomes.get(result.outcome, 0) + 1
                if max_records is not None and report.saved >= max_records:
                    return report
        report.closed = close_runs(server, session, prefix)
    return report


def site_busy(server: Any, prefix: str, site: str) -> int:
    """Requests of ``site`` still queued or in flight."""
    inflight = sum(int(server.hlen(k)) for k in server.scan_iter(match=f"{prefix}:inflight:{site}:*"))
    return int(server.zcard(f"{prefix}:{site}:requests")) + inflight


def run_stats(server: Any, prefix: str, site: str) -> dict[str, Any]:
    """The run's stats: the workers' (summed) and the ingester's outcome counts as ``archive/*``."""
    from crawler.distributed.worker import stats_key

    stats: dict[str, Any] = {}
    for k, v in server.hgetall(stats_key(prefix, site)).items():
        text = v.decode()
        stats[k.decode()] = int(text) if text.lstrip("-").isdigit() else text
    for k, v in server.hgetall(f"{prefix}:counts:{site}").items():
        stats[f"archive/{k.decode()}"] = int(v)
    return stats


ATTACHED_OUTCOMES = ("new", "updated", "unchanged")
"""Outcomes of a document whose files are kept (``pipelines.attachments``: a duplicate's are not fetched)."""


def save_attachment(server: Any, session: Any, state: Any, prefix: str, blob: bytes) -> None:
    """Save one streamed attachment of a document this run saved; a failure is counted, not raised."""
    from archive import ArchiveError
    from crawler.distributed import decode_attachment
    from crawler.distributed.worker import stats_key

    site, document, record = decode_attachment(blob)
    outcome = server.hget(f"{prefix}:outcome:{site}", document)
    if outcome is None or outcome.decode() not in ATTACHED_OUTCOMES:
        server.hincrby(stats_key(prefix, site), "attachments/not_kept", 1)
        return
    try:
        session.save_attachment(document, record, run_id=state.run_id(site))
    except ArchiveError as exc:
        server.hincrby(stats_key(prefix, site), "attachments/archive_errors", 1)
        logger.error("attachment %s of %s not archived: %s", record.url, document, exc)


def close_runs(server: Any, session: Any, prefix: str) -> list[int]:
    """Finish every open distributed run as a local crawl's run record would be finished.

    Status, pages and errors come from the workers' summed stats (``run_status`` and
    ``run_counts`` of ``crawler.extensions.runrecord``, the local crawl's own rules), the
    outcome counts from the ingester.  A run closed while requests are still queued or in
    flight (``--finish`` with workers gone) is ``interrupted``.
    """
    from crawler.distributed.worker import stats_key
    from crawler.extensions.runrecord import block_line, capped, run_counts, run_status

    closed = []
    for raw in list(server.scan_iter(match=f"{prefix}:state:*")):
        key = raw.decode()
        site = key.rsplit(":", 1)[1]
        run_id = server.hget(key, "run_id")
        if not run_id:
            continue
        stats = run_stats(server, prefix, site)
        left = site_busy(server, prefix, site)
        reason = "shutdown" if left else "finished"
        status, counts = run_status(reason, stats), run_counts(stats)
        for name, value in stats.items():  # outcomes with no column of their own go to stats.counts
            outcome = name.removeprefix("archive/")
            if name.startswith("archive/") and outcome not in counts and isinstance(value, int):
                counts[outcome] = value
        error = ""
        if left:
            error = f"closed by ingest --finish with {left} requests queued or in flight"
        elif status == "blocked":
            error = f"blocked: {block_line(stats)}"
        elif status == "failed":
            first = stats.get("fetch_errors/first")
            error = f"unreachable: {first}" if first else "no pages"
        elif status == "partial":
            error = capped(stats)  # as a local crawl says it (crawler/extensions/runrecord.py)
        stats.update({"distributed": True, "finished_by": "ingest", "finish_reason": reason})
        session.finish_run(int(run_id), status=status, counts=counts, stats=stats, error=error)
        server.hdel(key, "run_id")
        server.delete(f"{prefix}:counts:{site}", stats_key(prefix, site), f"{prefix}:outcome:{site}")
        closed.append(int(run_id))
        logger.info("%s: distributed run %s %s: %s", site, run_id.decode(), status, counts)
    return closed


# -- the commands (registered in app/cli.py) ---------------------------------------------------
REDIS_HELP = "Redis URL (default: $GOVPRESS_REDIS_URL), e.g. redis://10.0.0.5:6379/0"


def _chosen(slugs: tuple[str, ...], all_sites: bool) -> list[str]:
    from crawler.spiders.sites import SITES

    if all_sites == bool(slugs):
        raise click.UsageError("give SLUG... or --all (not both)")
    chosen = list(SITES) if all_sites else list(slugs)
    unknown = [s for s in chosen if s not in SITES]
    if unknown:
        raise click.ClickException(f"unknown site {', '.join(unknown)} (known: {', '.join(SITES)})")
    return chosen


def _sets(items: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set {item!r}: expected NAME=VALUE")
        out[name] = value
    return out


def _archive(option: str | None) -> str:
    return str(option or project_settings().get("ARCHIVE_PATH"))


_SET = click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a setting.")


@click.command("enqueue")
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Every site definition.")
@click.option("--full", is_flag=True, help="Walk every list page (backfill).")
@click.option("--redis", "redis_opt", help=REDIS_HELP)
@click.option("--archive", type=click.Path(dir_okay=False), help="SQLite archive (default: ARCHIVE_PATH).")
@_SET
def enqueue_cmd(slugs: tuple[str, ...], all_sites: bool, full: bool, redis_opt: str | None,
                archive: str | None, overrides: tuple[str, ...]) -> None:
    """Open a distributed run: seed SLUG... (or --all) into Redis for `govpress worker`.

    \b
    Example:
        govpress enqueue --all --redis redis://10.0.0.5:6379/0
    """
    from archive import ArchiveError

    try:
        runs = enqueue(redis_url(redis_opt), _chosen(slugs, all_sites), archive=_archive(archive),
                       full=full, overrides=_sets(overrides))
    except (ArchiveError, ImportError) as exc:
        raise click.ClickException(str(exc)) from None
    for site, run_id in runs.items():
        click.echo(f"{site}: run {run_id} queued")


@click.command("worker")
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Every site definition.")
@click.option("--redis", "redis_opt", help=REDIS_HELP)
@_SET
def worker_cmd(slugs: tuple[str, ...], all_sites: bool, redis_opt: str | None, overrides: tuple[str, ...]) -> None:
    """Crawl the shared Redis queues of SLUG... (or --all); never opens the archive.

    \b
    Example:
        govpress worker --all --redis redis://10.0.0.5:6379/0
    """
    run_worker(redis_url(redis_opt), _chosen(slugs, all_sites), _sets(overrides))


@click.command("ingest")
@click.option("--redis", "redis_opt", help=REDIS_HELP)
@click.option("--archive", type=click.Path(dir_okay=False), help="SQLite archive (default: ARCHIVE_PATH).")
@click.option("--finish", is_flag=True, help="Drain what is there, then close the open runs now.")
@click.option("--consumer", default="ingest-1", show_default=True, help="Consumer name in the stream group.")
def ingest_cmd(redis_opt: str | None, archive: str | None, finish: bool, consumer: str) -> None:
    """The one writer: save the workers' records into the archive, acknowledging each after commit.

    Returns when the stream is drained and no worker is left, closing the runs.

    \b
    Example:
        govpress ingest --redis redis://10.0.0.5:6379/0 --archive data/govpress.sqlite
    """
    from archive import ArchiveError

    try:
        report = ingest(redis_url(redis_opt), archive=_archive(archive), finish=finish, consumer=consumer)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"ingested {report.saved}: {report.outcomes}; {report.attachments} attachments; "
               f"runs closed: {report.closed}")


COMMANDS = [enqueue_cmd, worker_cmd, ingest_cmd]
