"""Distributed crawls on Redis (scrapy-redis): many workers, one frontier, one writer.

Keys (all under ``REDIS_PREFIX``, default ``govpress``):

* ``{prefix}:{site}:requests`` / ``{prefix}:{site}:dupefilter``: scrapy-redis's
  shared queue and seen-set of one site's spider;
* ``{prefix}:known`` (hash canonical URL -> JSON ``Known``) and
  ``{prefix}:state:{site}`` (``finished``, ``full``, ``run_id``): the incremental
  state ``govpress enqueue`` publishes, since workers never open the archive;
* ``{prefix}:items``: the stream of processed ``DocumentRecord``\\ s (and, after each,
  its attached files' ``AttachmentRecord``\\ s) that ``govpress ingest`` (the one writer) drains;
* ``{prefix}:attachments`` (canonical URL -> JSON list of file URLs already stored),
  published by ``govpress enqueue``;
* ``{prefix}:stats:{site}``, ``{prefix}:counts:{site}``: the open run's stats summed over
  its workers and the ingester's outcome counts;
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

from archive.attachments import AttachmentRecord
from archive.record import DocumentRecord
from archive.structure_types import References, Transcript

PREFIX = "govpress"
STREAM_GROUP = "ingest"
_BYTES = ("raw", "minhash")


def keys(prefix: str = PREFIX) -> dict[str, str]:
    """The fixed key names under ``prefix``."""
    return {"known": f"{prefix}:known", "items": f"{prefix}:items", "runs": f"{prefix}:runs",
            "attachments": f"{prefix}:attachments"}


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
    if pipelines.pop("pipelines.attachments.AttachmentPipeline", None) is not None:  # it opens the archive
        pipelines["crawler.distributed.attachments.StreamAttachmentPipeline"] = 600
    extensions = dict(base.getdict("EXTENSIONS")) if base is not None else {}
    for name in ("crawler.extensions.sitelock.SiteLockExtension", "crawler.extensions.monitors.MonitorExtension",
                 "crawler.extensions.runrecord.RunRecordExtension"):
        extensions[name] = None  # the archive side belongs to enqueue/ingest
    extensions["crawler.distributed.worker.WorkerExtension"] = 100
    middlewares = dict(base.getdict("DOWNLOADER_MIDDLEWARES")) if base is not None else {}
    middlewares["crawler.distributed.lease.DomainLeaseMiddleware"] = 950  # lease.ORDER: next to the downloader
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


def encode_attachment(site: str, document: str, record: AttachmentRecord) -> bytes:
    """JSON for the stream: the file of ``document`` (canonical URL), its bytes base64."""
    data = dataclasses.asdict(record)
    data["content"] = base64.b64encode(record.content).decode("ascii") if record.content is not None else None
    return json.dumps({"site": site, "document": document, "attachment": data}, ensure_ascii=False).encode("utf-8")


def decode_attachment(blob: bytes) -> tuple[str, str, AttachmentRecord]:
    """``(site, document canonical URL, record)``."""
    data = json.loads(blob)
    att = data["attachment"]
    if att.get("content") is not None:
        att["content"] = base64.b64decode(att["content"])
    return data["site"], data["document"], AttachmentRecord(**att)
