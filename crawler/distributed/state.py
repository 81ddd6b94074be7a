"""The incremental state a worker reads from Redis instead of the archive.

``govpress enqueue`` publishes, per site, what a local crawl would ask the
archive: the known articles (``{prefix}:known``, canonical URL -> JSON ``Known``)
and ``{prefix}:state:{site}`` (``finished``: the site has a finished run;
``full``: walk every list page).  ``IncrementalMiddleware`` asks this object the
same two questions it asks an ``ArchiveSession``, so the due/known decisions are
the same code.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from archive.models import Known
from crawler.distributed import connect, keys


class RedisState:
    def __init__(self, url: str, prefix: str = "govpress", server: Any = None) -> None:
        self.server: Any = server if server is not None else connect(url)
        self.prefix = prefix

    def known(self, canonical_urls: Iterable[str]) -> dict[str, Known]:
        urls = list(dict.fromkeys(canonical_urls))
        if not urls:
            return {}
        values = self.server.hmget(keys(self.prefix)["known"], urls)
        return {u: Known(**json.loads(v)) for u, v in zip(urls, values) if v is not None}

    def has_finished_run(self, site: str) -> bool:
        return bool(self.server.hget(f"{self.prefix}:state:{site}", "finished") == b"1")

    def full(self, site: str) -> bool:
        return bool(self.server.hget(f"{self.prefix}:state:{site}", "full") == b"1")

    # -- written by ``govpress enqueue`` ------------------------------------------------------
    def publish(self, site: str, known: Iterable[Known], *, finished: bool, full: bool, run_id: int) -> int:
        pipe = self.server.pipeline()
        count = 0
        batch: dict[str, str] = {}
        for k in known:
            batch[k.canonical_url] = json.dumps(dataclasses.asdict(k), ensure_ascii=False)
            count += 1
            if len(batch) >= 1000:
                pipe.hset(keys(self.prefix)["known"], mapping=batch)
                batch = {}
        if batch:
            pipe.hset(keys(self.prefix)["known"], mapping=batch)
        pipe.hset(f"{self.prefix}:state:{site}",
                  mapping={"finished": int(finished), "full": int(full), "run_id": run_id})
        pipe.execute()
        return count

    def publish_attachments(self, stored: dict[str, list[str]]) -> None:
        """Canonical URL -> its files already stored (``StreamAttachmentPipeline`` fetches the others)."""
        key = keys(self.prefix)["attachments"]
        items = [(url, json.dumps(files, ensure_ascii=False)) for url, files in stored.items()]
        for i in range(0, len(items), 1000):
            self.server.hset(key, mapping=dict(items[i:i + 1000]))

    def run_id(self, site: str) -> int | None:
        value = self.server.hget(f"{self.prefix}:state:{site}", "run_id")
        return int(value) if value else None
