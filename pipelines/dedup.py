"""DedupPipeline: exact and near-duplicate identity for each article.

The URL layer already ran in the spider (``canonical_url``).  Here the body is
hashed (exact layer: the same text at another URL becomes a ``duplicate`` row
that points to the first) and MinHash-signed (near layer: a republished copy
joins the cluster of the closest archived document above ``NEAR_THRESHOLD``).
Nothing is dropped: the archive keeps every page and links the copies.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from core.items import ArticleItem
from pipelines import fingerprint

logger = logging.getLogger(__name__)


class Deduplicator:
    """Sets ``body_hash``, ``duplicate_of``, ``signature``/``minhash_keys`` and ``cluster_id``.

    Shared by the pipeline and ``govpress reprocess``; ``reader`` is an
    ``archive.Archive``.  ``identify`` returns the verdict for the stats:
    ``exact``, ``near``, ``url_known`` or ``None`` (a new, unrelated text).
    """

    def __init__(self, reader: Any, *, near: bool = True):
        self.reader = reader
        self.near = near

    def identify(self, item: ArticleItem) -> str | None:
        sig = None
        if self.near and item.body:
            item.body_hash, sig = fingerprint.fingerprints(item.body)  # normalised once for both
        else:
            item.body_hash = fingerprint.body_hash(item.body)
        known = self.reader.known([item.canonical_url]).get(item.canonical_url)
        first = self.reader.find_hash(item.body_hash)
        if known is None and first and first != item.canonical_url:
            item.duplicate_of = first
            logger.info("exact duplicate of %s: %s", first, item.url)
            return "exact"
        if sig is None:
            return "url_known" if known else None
        item.signature = fingerprint.signature_to_bytes(sig)
        item.minhash_keys = fingerprint.band_keys(sig)
        if known is not None:
            return "url_known"
        best, best_sim = None, 0.0
        for cand in self.reader.near_candidates(item.minhash_keys):
            if cand.canonical_url == item.canonical_url or not cand.signature:
                continue
            try:
                other = fingerprint.signature_from_bytes(cand.signature)
            except ValueError:  # a signature from another MinHash configuration
                logger.debug("skipping candidate %s: incompatible signature", cand.canonical_url)
                continue
            sim = fingerprint.similarity(sig, other)
            if sim > best_sim:
                best, best_sim = cand, sim
        if best is None or best_sim < fingerprint.NEAR_THRESHOLD:
            return None
        item.cluster_id = best.cluster_id
        logger.info("near duplicate (%.2f) of %s joins cluster %s: %s",
                    best_sim, best.canonical_url, best.cluster_id, item.url)
        return "near"


class DedupPipeline:
    def __init__(self, crawler: Crawler):
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        self.stats = crawler.stats
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.near = crawler.settings.getbool("DEDUP_NEAR_ENABLED", True)
        self._dedup: Deduplicator | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def _deduplicator(self) -> Deduplicator | None:
        """Opened on first use: the archive pipeline creates the archive when it opens."""
        if self._dedup is None and Path(self.path).exists():
            from archive import Archive

            self._dedup = Deduplicator(Archive(self.path), near=self.near)
        return self._dedup

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.not_modified:
            return item
        dedup = self._deduplicator()
        if dedup is None:
            item.body_hash = fingerprint.body_hash(item.body)
            return item
        verdict = dedup.identify(item)
        if verdict:
            self.stats.inc_value(f"dedup/{verdict}")
        return item
