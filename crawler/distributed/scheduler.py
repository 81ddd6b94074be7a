"""WorkerScheduler: scrapy-redis's scheduler, remembering what this worker has popped.

scrapy-redis pops a request off the shared queue for good; a worker killed with
requests in flight would lose them (the seen-set keeps them from being queued
again).  This subclass makes the hand-offs atomic, so a kill at any instant loses
nothing:

* ``next_request`` pops the queue's head *and* records it in
  ``{prefix}:inflight:{spider}:{worker}`` (the scrapy-redis encoding) in one Lua
  script; scrapy-redis pops with MULTI and would leave a kill window before the record.
* ``enqueue_request`` adds the fingerprint to the seen-set and the request to the
  queue in one script; scrapy-redis does ``SADD`` then ``ZADD``, and a kill in between
  leaves a URL marked seen but queued nowhere.
* The in-flight entry is dropped when the engine is completely done with the request
  (``done``, called from the engine slot's ``remove_request``): after its callback *and*
  the item pipelines have handled every item it gave (so the record is in the stream),
  after its errback, or after a retry or redirect that replaced it was queued.  Dropping
  it when the callback's output was merely iterated would lose the article of a worker
  killed while the page is still being extracted.
* A retry's back-off deadline (``crawler.middlewares.backoff``, a ``time.monotonic``
  instant, which means nothing on another machine) travels as a wall-clock instant and
  is turned back into this process's clock when popped.
* At open, entries a previous process with the same ``REDIS_WORKER_ID`` left are
  requeued: a fresh process has nothing in flight.

``crawler.distributed.worker`` requeues the entries of workers whose heartbeat lapsed.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from scrapy_redis.scheduler import Scheduler

from crawler.middlewares.backoff import NOT_BEFORE

logger = logging.getLogger(__name__)

# KEYS: queue, inflight; ARGV: token.  Pop the best-scored request and record it, atomically.
_POP = """
local head = redis.call('zrange', KEYS[1], 0, 0)
if head[1] == nil then return nil end
redis.call('zremrangebyrank', KEYS[1], 0, 0)
redis.call('hset', KEYS[2], ARGV[1], head[1])
return head[1]
"""

# KEYS: seen-set, queue; ARGV: fingerprint ('' = dont_filter), score, data.  1 = queued, 0 = seen.
WALL_NOT_BEFORE = "govpress_retry_not_before_wall"
"""The back-off deadline as ``time.time()`` while the request is in Redis."""

_PUSH = """
if ARGV[1] ~= '' and redis.call('sadd', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('zadd', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


def inflight_key(prefix: str, spider: str, worker: str) -> str:
    return f"{prefix}:inflight:{spider}:{worker}"


def requeue(server: Any, key: str, queue_key: str, claimer: str) -> int | None:
    """Move the in-flight hash ``key`` back onto ``queue_key``; ``None`` if another claimed it."""
    claimed = f"{key}:claimed-by-{claimer}"
    try:
        server.rename(key, claimed)  # atomic: exactly one claimer wins
    except Exception:  # the key is gone: claimed by another worker first
        return None
    entries = server.hvals(claimed)
    if entries:
        server.zadd(queue_key, dict.fromkeys(entries, 0))
    server.delete(claimed)
    return len(entries)


class WorkerScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis ships no type hints
    prefix = "govpress"
    worker = ""
    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> WorkerScheduler:
        instance: WorkerScheduler = super().from_crawler(crawler)
        instance.prefix = crawler.settings.get("REDIS_PREFIX", "govpress")
        instance.worker = crawler.settings.get("REDIS_WORKER_ID") or worker_id()
        instance.crawler = crawler
        return instance

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.inflight = inflight_key(self.prefix, spider.name, self.worker)
        self._pop = self.server.register_script(_POP)
        self._push = self.server.register_script(_PUSH)
        if self.server.exists(self.inflight):
            n = requeue(self.server, self.inflight, self.queue.key, self.worker)
            logger.warning("%s: requeued %s requests a previous worker %s left in flight",
                           spider.name, n, self.worker)
        self._hook_engine()

    def _hook_engine(self) -> None:
        """Call ``done`` when the engine slot lets go of a request (the one point every path reaches)."""
        if self.crawler is None:  # ``govpress enqueue`` only pushes: no engine, nothing popped
            return
        slot: Any = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        remove = getattr(slot, "remove_request", None)
        if remove is None:  # pragma: no cover - a Scrapy without the engine slot this was written for
            raise RuntimeError("WorkerScheduler needs Scrapy's engine slot (scrapy.core.engine._Slot.remove_request)")

        def remove_request(request: Any) -> None:
            try:
                remove(request)
            finally:
                token = request.meta.get("govpress_inflight")
                if token:
                    self.done(token)

        slot.remove_request = remove_request

    def enqueue_request(self, request: Any) -> bool:
        fp = "" if request.dont_filter else self.df.request_fingerprint(request)
        request.meta.pop("govpress_inflight", None)  # a retry or redirect gets its own token when popped
        if NOT_BEFORE in request.meta:
            request.meta[WALL_NOT_BEFORE] = time.time() + request.meta.pop(NOT_BEFORE) - time.monotonic()
        if not self._push(keys=[self.df.key, self.queue.key],
                          args=[fp, -request.priority, self.queue._encode_request(request)]):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True

    def next_request(self) -> Any:
        token = uuid.uuid4().hex
        data = self._pop(keys=[self.queue.key, self.inflight], args=[token])
        if data is None:
            return None
        request = self.queue._decode_request(data)
        request.meta["govpress_inflight"] = token
        if WALL_NOT_BEFORE in request.meta:
            request.meta[NOT_BEFORE] = time.monotonic() + request.meta.pop(WALL_NOT_BEFORE) - time.time()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        return request

    def done(self, token: str) -> None:
        self.server.hdel(self.inflight, token)

    def close(self, reason: str) -> None:
        super().close(reason)
        if reason == "finished":
            self.server.delete(self.inflight)


def worker_id() -> str:
    import os
    import socket

    return f"{socket.gethostname()}-{os.getpid()}"
