"""AttachmentPipeline: fetch the files an archived article links to and store their text.

Runs after ``ArchivePipeline``. For a document just saved (new, updated, or an
unchanged revisit whose files are not all stored yet) it asks Scrapy for each
attachment (``extraction.attachments``: PDF, DOC(X), XLS(X), WPS, OFD …, up to
``ATTACHMENTS_MAX_PER_DOCUMENT``) with ``crawler.engine.crawl``. The requests go
through the same downloader as the pages, so robots.txt, the allowed domains,
per-domain concurrency, the download delay, retries and the User-Agent apply to
them unchanged, and ``ATTACHMENTS_MAX_BYTES`` caps each download
(``download_maxsize``). Each response is read (``pipelines.attachment_text``) and
saved by ``ArchiveSession.save_attachment`` in its own transaction, linked to the
document's canonical URL.

Why separate records instead of holding the article until its files arrive: the
article is committed before any file is asked for, so a crash or a kill while
files download loses no article, and a half-fetched document is consistent
(its missing files are asked for again the next time the page is fetched,
``ArchiveSession.missing_attachments``). A failed download is stored too
(``status`` ``fetch_failed: …``, ``robots``, ``too_large``, ``offsite``), so
nothing is silently absent. ``ATTACHMENTS_ENABLED = False`` (``--no-attachments``)
turns it off.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive import ArchiveError
from archive.attachments import AttachmentRecord
from archive.record import DocumentRecord
from archive.session import ArchiveSession
from pipelines.attachment_text import file_text, name_kind
from pipelines.session import session_for

logger = logging.getLogger(__name__)

FETCHED_KINDS = frozenset({"pdf", "docx", "doc", "xlsx", "xls", "wps", "ofd", "other"})
"""Kinds asked for; ``other`` is a download script naming no extension (sniffed from the bytes)."""


MAX_BYTES = 20 * 1024 * 1024
MAX_PER_DOCUMENT = 20


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AttachmentPipeline:
    """Request each stored document's attachments; save them as ``attachments`` rows."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ATTACHMENTS_ENABLED"):
            raise NotConfigured("ATTACHMENTS_ENABLED is off")
        self.crawler = crawler
        self.max_bytes = settings.getint("ATTACHMENTS_MAX_BYTES", MAX_BYTES)
        self.max_per_document = settings.getint("ATTACHMENTS_MAX_PER_DOCUMENT", MAX_PER_DOCUMENT)
        self.session: ArchiveSession | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.session = session_for(self.crawler)

    def _stat(self, name: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"attachments/{name}", n)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        if item.outcome not in ("new", "updated", "unchanged") or not item.attachments or self.session is None:
            return item
        wanted = self._wanted(item)
        try:
            missing = self.session.missing_attachments(item.canonical_url, list(wanted))
        except ArchiveError as exc:
            logger.error("%s: attachments not checked: %s", item.site, exc)
            return item
        engine = self.crawler.engine
        for request in self._requests(item, wanted, missing):
            assert engine is not None
            engine.crawl(request)
        return item

    @staticmethod
    def _wanted(item: DocumentRecord) -> dict[str, dict[str, Any]]:
        """The record's attachments by URL (http(s) only, each once)."""
        wanted: dict[str, dict[str, Any]] = {}
        for att in item.attachments:
            url = att.get("url", "")
            if url.startswith(("http://", "https://")) and url not in wanted:
                wanted[url] = att
        return wanted

    def _requests(self, item: DocumentRecord, wanted: dict[str, dict[str, Any]],
                  missing: list[str]) -> list[scrapy.Request]:
        """Requests for the ``missing`` files, at most ``max_per_document``; a kind that is not
        fetched is saved at once as ``skipped: <kind>``."""
        if len(missing) > self.max_per_document:
            logger.warning("%s: %d attachments on %s; fetching the first %d", item.site, len(missing),
                           item.url, self.max_per_document)
            self._stat("over_limit", len(missing) - self.max_per_document)
            missing = missing[: self.max_per_document]
        requests: list[scrapy.Request] = []
        for url in missing:
            att = wanted[url]
            kind = name_kind(url, att.get("name", ""))
            if kind not in FETCHED_KINDS:
                self._save(item, AttachmentRecord(url=url, name=att.get("name", ""), kind=kind,
                                                  status=f"skipped: {kind}", fetched_at=_now()))
                continue
            meta = {"download_maxsize": self.max_bytes, "download_warnsize": 0,
                    "attachment": {"document": item.canonical_url, "site": item.site, "url": url,
                                   "name": att.get("name", ""), "kind": kind}}
            requests.append(scrapy.Request(url, callback=self._fetched, errback=self._failed, meta=meta,
                                           dont_filter=True, priority=1, headers={"Referer": item.url}))
            self._stat("requested")
        return requests

    def _save(self, item_or_doc: DocumentRecord | str, rec: AttachmentRecord) -> None:
        assert self.session is not None and self.crawler.stats is not None
        doc = item_or_doc if isinstance(item_or_doc, str) else item_or_doc.canonical_url
        status = rec.status.split(":")[0]
        try:
            self.session.save_attachment(doc, rec, run_id=self.crawler.stats.get_value("govpress/run_id"))
        except ArchiveError as exc:
            self._stat("archive_errors")
            logger.error("attachment %s of %s not archived: %s", rec.url, doc, exc)
            return
        self._stat(status)
        logger.debug("attachment %s (%s): %s", rec.url, rec.kind, rec.status)

    def _fetched(self, response: Response) -> None:
        info = response.meta["attachment"]
        if response.status != 200:
            self._save(info["document"], AttachmentRecord(
                url=info["url"], name=info["name"], kind=info["kind"], status=f"fetch_failed: HTTP {response.status}",
                http_status=response.status, fetched_at=_now()))
            return
        ft = file_text(response.body, response.url, info["name"])
        if ft.status.startswith("error"):
            logger.warning("%s: attachment unreadable (%s): %s", info["site"], ft.status, response.url)
        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1")
        self._save(info["document"], AttachmentRecord(
            url=info["url"], name=info["name"], kind=ft.kind,
            status=ft.status, text=ft.text, content=response.body, http_status=response.status,
            content_type=ctype, fetched_at=_now()))

    def _failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        info = request.meta["attachment"]
        status = failure_status(failure)
        logger.info("%s: attachment not fetched (%s): %s", info["site"], status, request.url)
        response = getattr(failure.value, "response", None)
        self._save(info["document"], AttachmentRecord(
            url=info["url"], name=info["name"], kind=info["kind"], status=status,
            http_status=getattr(response, "status", None), fetched_at=_now()))


def failure_status(failure: Failure) -> str:
    """``robots``, ``offsite``, ``too_large`` or ``fetch_failed: …`` for a failed download."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"fetch_failed: HTTP {exc.response.status}"
    message = str(exc) or (failure.type.__name__ if failure.type else "error")
    lowered = message.lower()
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in lowered:
            return "robots"
        if "offsite" in lowered or "allowed_domains" in lowered:
            return "offsite"
    if "maxsize" in lowered or "max size" in lowered or "larger than download" in lowered:
        return "too_large"
    name = failure.type.__name__ if failure.type else "Error"
    return f"fetch_failed: {name}: {' '.join(message.split())}"[:200]
