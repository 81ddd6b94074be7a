"""WorkerExtension: a worker's heartbeat, its end after an idle spell, and a dead worker's requests.

* Every ``REDIS_HEARTBEAT`` seconds a thread of the process (``Heartbeat``, one for all its
  spiders) renews ``{prefix}:worker:{site}:{id}`` (expiry three beats).  It is a thread, not
  a reactor call, because the heartbeat says "this process is alive": a reactor busy
  extracting pages for a few seconds on a loaded machine is alive and will finish its
  requests, and taking it for dead would have them fetched twice (the benchmark saw 148
  of 362 records refetched so with two workers of 22 spiders each).
* Every beat, on the reactor, it requeues the in-flight requests of workers whose heartbeat
  lapsed (the hash is claimed with an atomic RENAME, so one worker requeues it), and wakes
  the engine when the shared queue holds work (Scrapy polls an idle scheduler
  only every five seconds).
* With each beat, and when the spider closes, it adds what its Scrapy stats gained since
  the last beat to ``{prefix}:stats:{site}`` (integers summed, a text stat such as
  ``block/kind`` kept from the first worker that set it), so the run record
  ``govpress ingest`` closes covers every worker: pages fetched, errors, blocks, as a
  local crawl's does.  A killed worker's last beat of counts is lost with it.
* On ``spider_idle`` it keeps the spider open until the site's queue has been empty
  and nothing has been in flight anywhere for ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds
  (the scrapy-redis setting, which its ``RedisSpider`` uses the same way).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.distributed import connect
from crawler.distributed.scheduler import requeue, worker_id

logger = logging.getLogger(__name__)


LOCAL_STATS = ("memusage/", "elapsed_time", "finish_reason")
"""Stats that describe one worker process, not the run (not summed into the run's stats)."""


def stats_key(prefix: str, site: str) -> str:
    """The run's stats summed over its workers (read by ``govpress ingest`` when it closes the run)."""
    return f"{prefix}:stats:{site}"


class Heartbeat:
    """One daemon thread per process renewing its workers' heartbeat keys every ``beat`` seconds."""

    _instance: Heartbeat | None = None
    _guard = threading.Lock()

    def __init__(self, server: Any, beat: float) -> None:
        self.server, self.beat = server, beat
        self.keys: set[str] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, name="govpress-heartbeat", daemon=True)
        self.thread.start()

    @classmethod
    def shared(cls, server: Any, beat: float) -> Heartbeat:
        with cls._guard:
            if cls._instance is None:
                cls._instance = cls(server, beat)
            return cls._instance

    def add(self, key: str) -> None:
        with self.lock:
            self.keys.add(key)
        self.server.set(key, 1, px=int(self.beat * 3000))

    def remove(self, key: str) -> None:
        with self.lock:
            self.keys.discard(key)
        self.server.delete(key)

    def run(self) -> None:
        while True:
            time.sleep(self.beat)
            with self.lock:
                keys = list(self.keys)
            try:
                pipe = self.server.pipeline(transaction=False)
                for key in keys:
                    pipe.set(key, 1, px=int(self.beat * 3000))
                pipe.execute()
            except Exception as exc:  # a Redis hiccup: the next beat tries again
                logger.warning("worker heartbeat failed: %s", exc)


class WorkerExtension:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("REDIS_WORKER") or not settings.get("REDIS_URL"):
            raise NotConfigured("not a distributed worker")
        self.crawler = crawler
        self.server: Any = connect(settings.get("REDIS_URL"))
        self.prefix = settings.get("REDIS_PREFIX", "govpress")
        self.worker = settings.get("REDIS_WORKER_ID") or worker_id()
        self.beat = settings.getfloat("REDIS_HEARTBEAT", 1.0)
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 10)
        self.idle_since: float | None = None
        self.loop: Any = None
        self.pushed: dict[str, int] = {}
        self.heartbeat: Heartbeat | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerExtension:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        self.spider = spider.name
        self.queue_key = self.crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name}
        self.server.hincrby(stats_key(self.prefix, spider.name), "distributed/workers", 1)
        self.heartbeat_key = f"{self.prefix}:worker:{spider.name}:{self.worker}"
        self.heartbeat = Heartbeat.shared(connect(self.crawler.settings.get("REDIS_URL")), self.beat)
        self.heartbeat.add(self.heartbeat_key)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.beat, now=True)
        logger.info("%s: worker %s on the shared queue %s", spider.name, self.worker, self.queue_key)

    def tick(self) -> None:
        try:
            self.requeue_dead()
            self.push_stats()
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:  # pull new shared work now, or run the idle check
                slot.nextcall.schedule()
        except Exception as exc:  # a Redis hiccup must not kill the loop
            logger.warning("worker tick failed: %s", exc)

    def push_stats(self) -> None:
        """Add this worker's stats gained since the last push to the run's shared stats."""
        assert self.crawler.stats is not None
        now = self.crawler.stats.get_stats()
        pipe = self.server.pipeline(transaction=True)
        key = stats_key(self.prefix, self.spider)
        pushed = dict(self.pushed)
        for name, value in now.items():
            if name.startswith(LOCAL_STATS):
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                if value != pushed.get(name, 0):
                    pipe.hincrby(key, name, value - pushed.get(name, 0))
                    pushed[name] = value
            elif isinstance(value, str) and name not in pushed:
                pipe.hsetnx(key, name, value)
                pushed[name] = 0
        pipe.execute()
        self.pushed = pushed

    def requeue_dead(self) -> None:
        pattern = f"{self.prefix}:inflight:{self.spider}:*"
        for raw in self.server.scan_iter(match=pattern):
            key = raw.decode()
            owner = key.rsplit(":", 1)[1]
            if owner == self.worker or self.server.exists(f"{self.prefix}:worker:{self.spider}:{owner}"):
                continue
            n = requeue(self.server, key, self.queue_key, self.worker)
            if n is None:  # another worker claimed it first
                continue
            logger.warning("%s: worker %s is gone; requeued its %d in-flight requests", self.spider, owner, n)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("distributed/requeued", n)

    def busy_elsewhere(self) -> bool:
        if self.server.zcard(self.queue_key):
            return True
        pattern = f"{self.prefix}:inflight:{self.spider}:*"
        return any(self.server.hlen(k) for k in self.server.scan_iter(match=pattern))

    def spider_idle(self, spider: Any) -> None:
        now = time.monotonic()
        if self.busy_elsewhere():
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.max_idle:
            raise DontCloseSpider
        logger.info("%s: queue idle for %.0f s; worker %s ends", spider.name, now - self.idle_since, self.worker)

    def spider_closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            self.push_stats()
        except Exception as exc:  # the run then misses this worker's last beat of counts
            logger.warning("worker stats not pushed: %s", exc)
        if self.heartbeat is not None:
            self.heartbeat.remove(self.heartbeat_key)
