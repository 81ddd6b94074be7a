"""CleaningPipeline: raw article HTML to clean text and metadata (``pipelines.extract``)."""

from __future__ import annotations

import logging
import re

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from core.items import ArticleItem
from core.siteconfig import ArticleSelectors
from pipelines.extract import extract
from pipelines.structure import structure

logger = logging.getLogger(__name__)

BOILERPLATE = re.compile(r"ICP备|公网安备|网站标识码|版权所有|技术支持[:：]|(?:初审|责任)编辑[:：]|打印本页|关闭窗口")
"""Markers that must never survive cleaning; a hit is counted and checked by the monitors."""


ATTACHMENT_LINE = re.compile(r"^\s*(?:相关)?附件(?:下载)?\s*\d*\s*[:：]|\.(?:pdf|docx?|xlsx?|zip|rar|wps|ofd)\s*$", re.I)


def prose_chars(body: str) -> int:
    """Characters of article text, not counting attachment lines (附件：….pdf)."""
    return sum(len(line.strip()) for line in body.split("\n") if not ATTACHMENT_LINE.search(line))


def clean(item: ArticleItem, selectors: ArticleSelectors | None = None,
          encoding: str | None = None) -> ArticleItem:
    """Fill ``item``'s content fields from its raw HTML (shared with ``govpress reprocess``)."""
    ex = extract(item.raw, item.url, content_type=item.headers.get("content-type"),
                 selectors=selectors, encoding=encoding)
    item.title, item.published, item.published_raw = ex.title, ex.published, ex.published_raw
    item.source, item.author, item.editors, item.body = ex.source, ex.author, ex.editors, ex.body
    item.site_name, item.column_meta = ex.site_name, ex.column
    item.keywords, item.description = ex.keywords, ex.description
    item.attachments, item.images = ex.attachments, ex.images
    item.encoding, item.replacement_chars = ex.encoding, ex.replacement_chars
    item.extraction_method, item.flags = ex.method, list(ex.flags)
    item.transcript, item.references = structure(ex, item.column)
    return item


class CleaningPipeline:
    """Fill the item's content fields; drop pages with neither text nor attachments."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.min_chars = crawler.settings.getint("CLEANING_MIN_CHARS", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.not_modified:
            return item
        site = getattr(self.crawler.spider, "site", None)
        clean(item, site.selectors if site else None, (site.encoding or None) if site else None)
        prose = prose_chars(item.body)
        if prose < self.min_chars and not (item.attachments or item.images):
            self.stats.inc_value("cleaning/too_short")
            raise DropItem(f"{item.site}: no article text ({prose} chars): {item.url}")
        if prose < self.min_chars:
            item.flags.append("no_text")  # image-only or attachment-only: kept, flagged
        if not item.title:
            item.flags.append("no_title")
            logger.error("%s: no headline found: %s", item.site, item.url)
        if not item.published:
            item.flags.append("no_date")
            logger.error(
                "%s: no usable publish date (raw %r): %s", item.site, item.published_raw, item.url
            )
        item.flags = list(dict.fromkeys(item.flags))
        for flag in item.flags:
            self.stats.inc_value(f"cleaning/{flag}")
        if BOILERPLATE.search(item.body):
            self.stats.inc_value("cleaning/boilerplate")
            logger.warning("%s: boilerplate left in the body: %s", item.site, item.url)
        if item.replacement_chars:
            self.stats.inc_value("cleaning/replacement_chars")
            logger.warning(
                "%s: %d undecodable characters (%s): %s",
                item.site, item.replacement_chars, item.encoding, item.url,
            )
        self.stats.inc_value("cleaning/ok")
        logger.debug("cleaned %s (%d chars, %s)", item.url, len(item.body), item.extraction_method)
        return item
