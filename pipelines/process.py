"""The one processing path from a fetched page to an archive outcome.

``clean`` (extraction, region, the quality flags, the too-short drop) and
``fingerprint`` (body hash, MinHash) fill a ``DocumentRecord``; the archive
decides its identity when ``ArchiveSession.save`` writes it.  The Scrapy
pipelines (``pipelines.cleaning``, ``pipelines.dedup``, ``pipelines.archiving``)
are thin adapters around these functions, and ``govpress reprocess`` calls
``process_page``, so a crawl and a reprocess give the same rows for the same page.

``prepare_page`` is the CPU-bound part of both (extraction, transcript and
references, fingerprints) from plain arguments: the crawl's pool workers run it
(``pipelines.pool``) and ``clean`` takes its result, so only the archive's SQL is
left on the reactor thread.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive.models import SaveResult
from archive.record import DocumentRecord
from archive.structure_types import References, Transcript
from pipelines import fingerprint as fp
from pipelines.extract import Extraction, extract, pages
from pipelines.extract.dom import MAX_NODES
from pipelines.structure import structure

if TYPE_CHECKING:  # pragma: no cover
    from archive.session import ArchiveSession
    from core.siteconfig import ArticleSelectors, SiteDefinition

logger = logging.getLogger(__name__)

BOILERPLATE = re.compile(r"ICP备|公网安备|网站标识码|版权所有|技术支持[:：]|(?:初审|责任)编辑[:：]|打印本页|关闭窗口")
"""Markers that must never survive cleaning; a hit is counted and checked by the monitors."""


@dataclass(frozen=True)
class Options:
    """The processing policy's knobs (from ``CLEANING_*`` / ``DEDUP_*`` settings)."""

    min_chars: int = 20
    near: bool = True
    max_nodes: int = MAX_NODES
    """Tags parsed per page at most (``EXTRACT_MAX_NODES``); see ``pipelines.extract.dom.parse_guarded``."""


@dataclass
class Cleaned:
    """What ``clean`` decided: ``dropped`` names the reason a page is not archived."""

    dropped: str = ""
    notes: list[str] = field(default_factory=list)
    """Stat names (``cleaning/...``) for this page."""


@dataclass(frozen=True)
class Outcome:
    """The result of processing one page: a save result, or the reason it was dropped."""

    record: DocumentRecord
    saved: SaveResult | None
    dropped: str = ""


def extract_page(raw: bytes, url: str, content_type: str | None, selectors: ArticleSelectors | None,
                 encoding: str | None, min_text: int, max_nodes: int = MAX_NODES) -> Extraction:
    """The extraction of one page from plain arguments (what a pool worker runs: ``pipelines.pool``)."""
    return extract(raw, url, content_type=content_type, selectors=selectors, encoding=encoding,
                   min_text=min_text, max_nodes=max_nodes)


def extract_args(record: DocumentRecord, site: SiteDefinition | None,
                 options: Options = Options()) -> tuple[bytes, str, str | None, ArticleSelectors | None,
                                                         str | None, int, int]:
    """``extract_page``'s arguments for this record and site."""
    return (record.raw, record.url, record.headers.get("content-type"), site.selectors if site else None,
            (site.encoding or None) if site else None, options.min_chars, options.max_nodes)


@dataclass(frozen=True)
class Prepared:
    """``prepare_page``'s result: everything CPU-bound about one page, computed where it ran."""

    extraction: Extraction
    transcript: Transcript | None
    references: References
    body_hash: str
    minhash: bytes = b""
    band_keys: list[int] = field(default_factory=list)


def prepare_page(raw: bytes, url: str, content_type: str | None, selectors: ArticleSelectors | None,
                 encoding: str | None, min_text: int, max_nodes: int, column: str, near: bool) -> Prepared:
    """Extraction, transcript and references, and fingerprints of one page from plain arguments.

    What a pool worker runs (``pipelines.pool``), so that a crawl's reactor thread keeps
    only the SQL; ``clean`` and ``fingerprint`` then use these instead of computing them.
    """
    ex = extract_page(raw, url, content_type, selectors, encoding, min_text, max_nodes)
    transcript, references = structure(ex, column)
    if not (near and ex.body):
        return Prepared(ex, transcript, references, fp.body_hash(ex.body))
    digest, sig = fp.fingerprints(ex.body)
    return Prepared(ex, transcript, references, digest, fp.signature_to_bytes(sig), fp.band_keys(sig))


def prepare_args(record: DocumentRecord, site: SiteDefinition | None,
                 options: Options = Options()) -> tuple[Any, ...]:
    """``prepare_page``'s arguments for this record and site."""
    return (*extract_args(record, site, options), record.column_name, options.near)


def clean(record: DocumentRecord, site: SiteDefinition | None, options: Options = Options(),
          prepared: Prepared | None = None) -> Cleaned:
    """Fill ``record``'s content fields from its raw page; decide whether it is kept.

    ``prepared`` is ``prepare_page(*prepare_args(...))`` when it already ran elsewhere (the
    crawl's pool): its extraction, structure and fingerprints are used as they are, except
    for a multi-page article, whose joined text gets its own.  Without it the fingerprints
    are cleared, for ``fingerprint`` to compute from the new body.
    """
    args = extract_args(record, site, options)
    ex = prepared.extraction if prepared is not None else extract_page(*args)
    record.body_hash, record.minhash, record.band_keys = "", b"", []
    if record.pages:  # a multi-page article (crawler/multipage.py): one document of all pages
        rest = [extract_page(p["raw"], p["url"], *args[2:]) for p in record.pages if p.get("raw")]
        ex = pages.join(ex, rest)
        if any(not p.get("raw") for p in record.pages):
            ex.flags.append("pages_incomplete")
        prepared = None
    for name in (
        "title", "published", "published_raw", "source", "author", "editors", "body", "site_name",
        "column_meta", "keywords", "description", "attachments", "images", "tables", "published_meta_raw",
        "encoding",
        "replacement_chars", "extraction_method",
    ):
        setattr(record, name, getattr(ex, name))
    record.flags = list(dict.fromkeys(ex.flags))
    record.region_code = site.region_code if site else record.region_code
    if prepared is not None:
        record.transcript, record.references = prepared.transcript, prepared.references
        record.body_hash, record.minhash, record.band_keys = (prepared.body_hash, prepared.minhash,
                                                              list(prepared.band_keys))
    else:
        record.transcript, record.references = structure(ex, record.column_name)
    out = Cleaned()
    if "no_text" in record.flags and not (record.attachments or record.images):
        out.dropped = "too_short"
        out.notes.append("cleaning/too_short")
        return out
    if "no_title" in record.flags:
        logger.error("%s: no headline found: %s", record.site, record.url)
    if record.published is None:
        logger.error("%s: no usable publish date (raw %r): %s", record.site, record.published_raw, record.url)
    out.notes += [f"cleaning/{flag}" for flag in record.flags]
    if BOILERPLATE.search(record.body):
        out.notes.append("cleaning/boilerplate")
        logger.warning("%s: boilerplate left in the body: %s", record.site, record.url)
    if record.replacement_chars:
        logger.warning("%s: %d undecodable characters (%s): %s",
                       record.site, record.replacement_chars, record.encoding, record.url)
    out.notes.append("cleaning/ok")
    logger.debug("cleaned %s (%d chars, %s)", record.url, len(record.body), record.extraction_method)
    return out


def fingerprint(record: DocumentRecord, options: Options = Options()) -> None:
    """Body hash (exact layer) and, with ``options.near``, the MinHash signature and band keys.

    Nothing to do when ``clean`` already set them from ``prepare_page`` (it clears them otherwise).
    """
    if record.body_hash:
        return
    if not (options.near and record.body):
        record.body_hash = fp.body_hash(record.body)
        return
    record.body_hash, sig = fp.fingerprints(record.body)  # the body normalised once for both
    record.minhash = fp.signature_to_bytes(sig)
    record.band_keys = fp.band_keys(sig)


def process_page(
    record: DocumentRecord, site: SiteDefinition | None, session: ArchiveSession,
    *, run_id: int | None = None, options: Options = Options(),
) -> Outcome:
    """The whole policy for one fetched page: clean, fingerprint, save."""
    if record.not_modified:
        return Outcome(record, session.save(record, run_id=run_id))
    cleaned = clean(record, site, options)
    if cleaned.dropped:
        logger.info("%s: dropped (%s): %s", record.site, cleaned.dropped, record.url)
        return Outcome(record, None, cleaned.dropped)
    fingerprint(record, options)
    return Outcome(record, session.save(record, run_id=run_id))
