"""Distributed crawls on Redis (scrapy-redis): many workers, one frontier, one writer.

Keys (all under ``REDIS_PREFIX``, default ``govpress``):

* ``{prefix}:{site}:requests`` / ``{prefix}:{site}:dupefilter``: scrapy-redis's
  shared queue and seen-set of one site's spider;
* ``{prefix}:known`` (hash canonical URL -> JSON ``Known``) and
  ``{prefix}:state:{site}`` (``finished``, ``full``, ``run_id``): the incremental
  state ``govpress enqueue`` publishes, since workers never open the archive;
* ``{prefix}:items``: the stream of processed ``DocumentRecord``\\ s that
  ``govpress ingest`` (the one writer) drains;
* ``{prefix}:lease:{host}``: the per-domain politeness lease;
* ``{prefix}:worker:{site}:{id}`` (heartbeat) and ``{prefix}:inflight:{site}:{id}`` (requests a
  worker popped and has not finished; requeued when its heartbeat lapses).

``redis`` and ``scrapy_redis`` are imported lazily: they are the ``govpress[redis]`` extra.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

from archive.record import DocumentRecord
from archive.structure_types import References, Transcript

PREFIX = "govpress"
STREAM_GROUP = "ingest"
_BYTES = ("raw", "minhash")


def keys(prefix: str = PREFIX) -> dict[str, str]:
    """The fixed key names under ``prefix``."""
    return {"known": f"{prefix}:known", "items": f"{prefix}:items", "runs": f"{prefix}:runs"}


def connect(url: str) -> Any:
    """A ``redis.Redis`` client for ``url`` (``ImportError`` names the extra to install)."""
    try:
        import redis
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError("distributed mode needs the redis extra: pip install 'govpress[redis]'") from None
    return redis.Redis.from_url(url)


def worker_settings(url: str, base: Any = None, *, prefix: str = PREFIX) -> dict[str, Any]:
    """Settings that turn a crawl into a distributed worker (scheduler, dupefilter, pipelines)."""
    pipelines = dict(base.getdict("ITEM_PIPELINES")) if base is not None else {}
    pipelines.pop("pipelines.archiving.ArchivePipeline", None)
    pipelines["crawler.distributed.stream.StreamPipeline"] = 500
    extensions = dict(base.getdict("EXTENSIONS")) if base is not None else {}
    for name in ("crawler.extensions.sitelock.SiteLockExtension", "crawler.extensions.monitors.MonitorExtension",
                 "crawler.extensions.runrecord.RunRecordExtension"):
        extensions[name] = None  # the archive side belongs to enqueue/ingest
    extensions["crawler.distributed.worker.WorkerExtension"] = 100
    spider_mws = dict(base.getdict("SPIDER_MIDDLEWARES")) if base is not None else {}
    spider_mws["crawler.distributed.inflight.InflightMiddleware"] = 50
    middlewares = dict(base.getdict("DOWNLOADER_MIDDLEWARES")) if base is not None else {}
    middlewares["crawler.distributed.lease.DomainLeaseMiddleware"] = 560
    return {
        "REDIS_URL": url,
        "REDIS_PREFIX": prefix,
        "REDIS_WORKER": True,
        "SCHEDULER": "crawler.distributed.scheduler.WorkerScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": pipelines,
        "EXTENSIONS": extensions,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "SPIDER_MIDDLEWARES": spider_mws,
    }


def encode_record(record: DocumentRecord) -> bytes:
    """JSON for the stream (bytes fields base64)."""
    data = dataclasses.asdict(record)
    for name in _BYTES:
        data[name] = base64.b64encode(data[name]).decode("ascii")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def decode_record(blob: bytes) -> DocumentRecord:
    data = json.loads(blob)
    for name in _BYTES:
        data[name] = base64.b64decode(data[name])
    data["transcript"] = Transcript.from_value(data.get("transcript"))
    data["references"] = References.from_value(data.get("references"))
    return DocumentRecord(**data)
