"""``govpress check``: try a site definition on one list page and a few articles, archive nothing.

Runs the same spider and cleaning as a crawl, with the archive, the lock, the
run record and the monitors switched off, and collects what would be archived.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.crawl import project_settings, spider_class
from archive.record import DocumentRecord
from core.siteconfig import ListPage, SiteDefinition
from crawler.apilists import list_page

logger = logging.getLogger(__name__)

COLLECTED: list[DocumentRecord] = []
STATS: dict[str, Any] = {}


class CollectPipeline:
    """Keeps cleaned items in ``COLLECTED`` instead of archiving them."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CollectPipeline:
        return cls(crawler)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        COLLECTED.append(item)
        return item

    def close_spider(self) -> None:
        STATS.update(self.crawler.stats.get_stats())


def check_settings(limit: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "ITEM_PIPELINES": {"pipelines.cleaning.CleaningPipeline": 300, "app.check.CollectPipeline": 900},
        "EXTENSIONS": {
            "crawler.extensions.sitelock.SiteLockExtension": None,
            "crawler.extensions.runrecord.RunRecordExtension": None,
            "crawler.extensions.monitors.MonitorExtension": None,
        },
        "INCREMENTAL_ENABLED": False,
        "LIST_MAX_PAGES": 1,
        "CLOSESPIDER_ITEMCOUNT": limit,
        "LOG_LEVEL": "WARNING",
        **(extra or {}),
    }


def run_check(slug: str, *, url: str = "", limit: int = 3, extra: dict[str, Any] | None = None) -> list[DocumentRecord]:
    """Crawl one list page of ``slug`` (or just ``url``) and return up to ``limit`` cleaned items."""
    from scrapy.crawler import CrawlerProcess

    COLLECTED.clear()
    process = CrawlerProcess(project_settings(check_settings(limit, extra)))
    process.crawl(spider_class(slug), url=url or None)
    process.start()
    return list(COLLECTED[:limit])


def _list_for(site: SiteDefinition, url: str, text: str) -> ListPage:
    """The site's list column a saved page belongs to (by URL, then by API parameters)."""
    path = urlsplit(url).path
    query = dict(parse_qsl(urlsplit(url).query))
    for lst in site.lists:
        lpath = urlsplit(lst.url).path
        folder = lpath.rsplit("/", 1)[0] + "/"
        if path in (lpath, folder) or (path.startswith(folder) and "/" not in path[len(folder):]):
            return lst
        if lst.mechanism != "html" and str(lst.api.get("pageId", "")) == query.get("pageId", "-"):
            return lst
        if lst.mechanism == "jpaas_unit" and f"col{query.get('pageId', '-')}/" in lst.url:
            return lst
    for lst in site.lists:  # a data call answer: the first column of that mechanism
        if lst.mechanism in ("jpaas_unit", "gkmlpt_api", "datacall") and lst.mechanism.split("_")[0] in url.replace(
                "jpaas-publish-server", "jpaas").replace("showJsContent", "datacall"):
            return lst
    return site.lists[0]


def check_page(site: SiteDefinition, raw: bytes, url: str) -> dict[str, Any]:
    """Run ``site``'s definition on one saved page, offline: what a crawl would take from it."""
    from pipelines.extract.encoding import decode
    from pipelines.process import clean

    if site.article_re.search(url.split("?", 1)[0].split("#", 1)[0]):
        record = DocumentRecord(site=site.slug, url=url, canonical_url=url, raw=raw)
        cleaned = clean(record, site)
        column = next((lst.column for lst in site.lists
                       if url.startswith(lst.url.rsplit("/", 1)[0] + "/")), "")
        art = {"url": url, "title": record.title, "published": record.published, "source": record.source,
               "author": record.author, "editors": record.editors, "body": record.body,
               "method": record.extraction_method, "flags": record.flags, "encoding": record.encoding,
               "column": column, "region_code": record.region_code, "province": site.province, "city": site.city,
               "county": site.county, "attachments": record.attachments, "dropped": cleaned.dropped}
        ok = bool(record.title and record.body and not cleaned.dropped)
        return {"kind": "article", "ok": ok, "article": art,
                "problem": "" if ok else "no headline or no body text"}
    text = decode(raw, encoding=site.encoding or None).text
    lst = _list_for(site, url, text)
    ctype = "application/json" if text.lstrip().startswith(("{", "[")) else (
        "application/javascript" if "document.write" in text[:300] else "text/html")
    result = list_page(text, url, lst, site, 1, ctype)
    return {"kind": "list", "ok": bool(result.links or result.data_url), "column": lst.column,
            "mechanism": lst.mechanism, "links": result.links, "next_url": result.next_url or "",
            "data_url": result.data_url or "",
            "problem": result.problem or ("" if result.links or result.data_url else
                                          f"no article links matching {site.article_pattern}")}
