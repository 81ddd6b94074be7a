"""Plain frozen dataclasses returned by the archive (never sqlite rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class SaveResult:
    outcome: str
    """new | updated | unchanged | duplicate"""
    document_id: int
    cluster_id: int
    revision: int
    """The document's current revision number (0 = as first archived)."""
    identity: str = ""
    """How it relates to archived documents: exact | near | url_known | stale | ''."""


@dataclass(frozen=True)
class Known:
    document_id: int
    canonical_url: str
    last_seen: str
    first_seen: str
    published: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str
    title: str


@dataclass(frozen=True)
class Candidate:
    document_id: int
    canonical_url: str
    site: str
    signature: bytes
    cluster_id: int
    published: str | None
    shared_bands: int = 0


@dataclass(frozen=True)
class Document:
    id: int
    canonical_url: str
    url: str
    site: str
    region_code: str
    column_name: str
    column_meta: str
    title: str
    published: str | None
    published_raw: str
    source: str
    author: str
    editors: list[str]
    site_name: str
    keywords: str
    description: str
    body_hash: str
    cluster_id: int | None
    duplicate_of: int | None
    first_seen: str
    last_seen: str
    fetched_at: str
    http_status: int | None
    etag: str | None
    last_modified: str | None
    revision_count: int
    language: str
    encoding: str
    replacement_chars: int
    extraction_method: str
    flags: list[str]
    attachments: list[dict[str, str]]
    images: list[dict[str, str]]
    run_id: int | None
    body: str
    minhash: bytes | None
    band_keys: bytes | None
    tables: list[dict[str, Any]] = field(default_factory=list)
    """Data tables of the body, ``{"caption", "rows"}`` (m005)."""
    published_meta_raw: str = ""
    """The published meta's raw value when the page showed another date (m005)."""

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None


DOCUMENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Document))
JSON_COLUMNS = frozenset({"editors", "flags", "attachments", "images", "tables"})
_JSON_IDX = tuple(i for i, c in enumerate(DOCUMENT_COLUMNS) if c in JSON_COLUMNS)


def loads(text: str | None, default: Any) -> Any:
    """Decode a JSON column, tolerating NULL or hand-edited garbage."""
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def document_from_row(row: tuple[Any, ...]) -> Document:
    values = list(row[: len(DOCUMENT_COLUMNS)])
    for i in _JSON_IDX:
        values[i] = loads(values[i], [])
    return Document(*values)


@dataclass(frozen=True)
class SearchHit:
    document: Document
    rank: float
    """FTS5 bm25 rank: more negative is a better match; hits come best first."""
    snippet: str


@dataclass(frozen=True)
class Revision:
    id: int
    document_id: int
    revision: int
    title: str
    body: str
    body_hash: str
    published: str | None
    fetched_at: str
    replaced_at: str


@dataclass(frozen=True)
class Run:
    id: int
    site: str
    trigger: str
    pid: int | None
    started_at: str
    finished_at: str | None
    status: str
    pages: int
    new: int
    updated: int
    unchanged: int
    duplicate: int
    errors: int
    error: str
    stats: dict[str, Any]

    @property
    def block_kind(self) -> str:
        """The run's first recognised block (``legacy_tls``, ``js_challenge`` …), kept in its stats."""
        return str(self.stats.get("block/kind") or "")


RUN_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Run))


def run_from_row(row: tuple[Any, ...]) -> Run:
    values = list(row)
    values[-1] = loads(values[-1], {})
    return Run(*values)


@dataclass(frozen=True)
class RawPage:
    id: int
    document_id: int
    site: str
    url: str
    canonical_url: str
    fetched_at: str
    status: int | None
    headers: dict[str, str]
    encoding: str
    content: bytes
    """Decompressed response body, exactly as fetched."""
    run_id: int | None


@dataclass(frozen=True)
class Site:
    """A row of ``sites``: the site definition as last crawled."""

    slug: str
    name: str
    cms: str
    province: str
    city: str
    region_code: str


@dataclass(frozen=True)
class SiteStats:
    site: str
    name: str
    documents: int
    """Documents that are not exact duplicates."""
    duplicates: int
    revisions: int
    first_published: str | None
    last_published: str | None
    last_seen: str | None
    per_day: dict[str, int] = field(default_factory=dict)
    """Documents (not duplicates) per publication date, ``YYYY-MM-DD`` -> count."""
    last_run: Run | None = None
    last_success: Run | None = None
    """Last run with status ``ok``."""


@dataclass(frozen=True)
class Attachment:
    """A file attached to a document (``attachments`` table); ``content`` decompressed on request."""

    id: int
    document_id: int
    url: str
    name: str
    kind: str
    size: int | None
    sha256: str
    status: str
    http_status: int | None
    content_type: str
    fetched_at: str
    text: str
