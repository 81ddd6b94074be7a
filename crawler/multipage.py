"""Multi-page articles in the spider: fetch an article's later pages, then yield one record.

``SiteSpider.parse_article`` calls ``first_page``: when page 1 links to pages of
its own (``pipelines.extract.pages.page_links``: ``_2.html``, 第2页, 下一页 inside
the article's name space) the record is held and the next page requested
(``meta["govpress"] == "article_page"``, ahead of other requests so a record is
never held long); ``next_page`` adds each page's bytes to ``record.pages`` and
follows the pages it names in turn, up to ``ARTICLE_MAX_PAGES``; the last one
yields the record. A page that fails is kept as ``{"url", "raw": b"", "error"}``
(the document is still archived, flagged ``pages_incomplete``). The pages' text
is joined in ``pipelines.process.clean``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archive.record import DocumentRecord
from pipelines.extract.pages import page_links

logger = logging.getLogger(__name__)

META = "govpress_pages"


def _next(state: dict[str, Any], callback: Callable[..., Any], errback: Callable[..., Any]) -> Request:
    url = state["pending"].pop(0)
    return Request(url, callback=callback, errback=errback, priority=10,
                   meta={"govpress": "article_page", META: state})


def first_page(record: DocumentRecord, response: Response, callback: Callable[..., Any],
               errback: Callable[..., Any], max_pages: int) -> Request | None:
    """The request for page 2 when the article has more pages (the record is held), else None."""
    if response.status != 200 or not isinstance(response, TextResponse) or max_pages < 2:
        return None
    links = page_links(response.body, response.url)  # bytes: a bogus charset (hex, zlib) cannot raise
    if not links:
        return None
    links = links[: max_pages - 1]
    state = {"record": record, "pending": list(links), "seen": {response.url, *links}, "max": max_pages}
    logger.debug("%s: %d more pages", response.url, len(links))
    return _next(state, callback, errback)


def next_page(response: Response, callback: Callable[..., Any],
              errback: Callable[..., Any]) -> Request | DocumentRecord:
    """Keep this page; the request for the next one, or the finished record."""
    state = response.meta[META]
    record: DocumentRecord = state["record"]
    record.pages.append({"url": response.url, "raw": response.body})
    if isinstance(response, TextResponse):
        for url in page_links(response.body, response.url, first_url=record.url):
            if url not in state["seen"] and len(state["seen"]) < state["max"]:
                state["seen"].add(url)
                state["pending"].append(url)
    return _next(state, callback, errback) if state["pending"] else record


def page_failed(failure: Failure, callback: Callable[..., Any],
                errback: Callable[..., Any]) -> Request | DocumentRecord:
    """A later page could not be fetched: note it and go on (the document is not lost)."""
    request = failure.request  # type: ignore[attr-defined]
    state = request.meta[META]
    record: DocumentRecord = state["record"]
    message = " ".join(str(failure.value).split())[:200] or (failure.type.__name__ if failure.type else "error")
    logger.warning("%s: page %s of the article not fetched: %s", record.site, request.url, message)
    record.pages.append({"url": request.url, "raw": b"", "error": message})
    return _next(state, callback, errback) if state["pending"] else record
