"""WorkerScheduler: scrapy-redis's scheduler, remembering what this worker has popped.

scrapy-redis pops a request off the shared queue for good; a worker killed with
requests in flight would lose them (the seen-set keeps them from being queued
again).  This subclass records each popped request in ``{prefix}:inflight:{spider}:{worker}``
(the scrapy-redis encoding) until its callback's output is through
(``crawler.distributed.inflight``); ``crawler.distributed.worker`` requeues the
entries of workers whose heartbeat lapsed.  Nothing else differs from
``scrapy_redis.scheduler.Scheduler`` (0.9.1 works unchanged with Scrapy 2.19).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)


def inflight_key(prefix: str, spider: str, worker: str) -> str:
    return f"{prefix}:inflight:{spider}:{worker}"


class WorkerScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis ships no type hints
    prefix = "govpress"
    worker = ""

    @classmethod
    def from_crawler(cls, crawler: Any) -> WorkerScheduler:
        instance: WorkerScheduler = super().from_crawler(crawler)
        instance.prefix = crawler.settings.get("REDIS_PREFIX", "govpress")
        instance.worker = crawler.settings.get("REDIS_WORKER_ID") or worker_id()
        return instance

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.inflight = inflight_key(self.prefix, spider.name, self.worker)

    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None:
            token = uuid.uuid4().hex
            request.meta["govpress_inflight"] = token
            self.server.hset(self.inflight, token, self.queue._encode_request(request))
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
