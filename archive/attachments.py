"""Attached files of documents: one transaction per file, its text in the document's search row.

``save_attachment(db, canonical_url, rec)`` stores one fetched (or failed) file
for the archived document with that canonical URL: the bytes compressed like
raw pages, the SHA-256, size, type, text and extraction status. A file saved
again for the same document and URL replaces the old row. When the text
changes and the document is indexed (not a duplicate), its full-text row is
deleted with the old text and added with the new one in the same transaction
(``fts.with_attachments``), so an attachment-only article is found by its
file's text and the contentless index never drifts.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import zlib
from dataclasses import dataclass

from sqlite_utils import Database

from archive import fts
from archive.db import now_iso, transaction
from archive.errors import ArchiveError
from archive.models import Attachment
from archive.save import RAW_COMPRESS_LEVEL

logger = logging.getLogger(__name__)

__all__ = ["AttachmentRecord", "attachment_content", "attachments_of", "missing_attachments", "save_attachment"]


@dataclass
class AttachmentRecord:
    """One attached file as fetched (or not) for a document; fields = ``attachments`` columns."""

    url: str
    name: str = ""
    """The name the page shows (link text or ``showname``)."""
    kind: str = ""
    """pdf, docx, xlsx, doc, xls, wps, ofd, zip, rar or other (``pipelines.attachment_text``)."""
    status: str = ""
    """ok | empty | unsupported | error: … | too_large | robots | fetch_failed: …"""
    text: str = ""
    content: bytes | None = None
    """The file's bytes (None when not fetched); stored compressed."""
    size: int | None = None
    """Bytes; taken from ``content`` when it is given."""
    http_status: int | None = None
    content_type: str = ""
    fetched_at: str = ""

_COLUMNS = ("id", "document_id", "url", "name", "kind", "size", "sha256", "status", "http_status",
            "content_type", "fetched_at", "text")


def _document(conn: sqlite3.Connection, canonical_url: str) -> tuple[int, str, str, str, str | None, int | None]:
    row = conn.execute(
        "SELECT id, title, body, site, published, duplicate_of FROM documents WHERE canonical_url = ?",
        (canonical_url,),
    ).fetchone()
    if row is None:
        raise ArchiveError(f"attachment for a document not in the archive: {canonical_url}")
    return row  # type: ignore[no-any-return]


def save_attachment(db: Database, canonical_url: str, a: AttachmentRecord, *, run_id: int | None = None) -> int:
    """Store one attachment of the archived document ``canonical_url``; returns its row id.

    One transaction: the row and the document's search entry."""
    if not a.url:
        raise ArchiveError(f"cannot save an attachment without a URL for {canonical_url}")
    data = bytes(a.content) if a.content else None
    text = a.text or ""
    with transaction(db) as conn:
        doc_id, title, body, site, published, dup = _document(conn, canonical_url)
        indexed = dup is None
        meta = fts.meta_text(site, published)
        old = conn.execute("SELECT id, text FROM attachments WHERE document_id = ? AND url = ?",
                           (doc_id, a.url)).fetchone()
        reindex = indexed and (old[1] if old else "") != text
        if reindex:
            fts.unindex_document(conn, doc_id, title, fts.with_attachments(conn, doc_id, body), meta)
        values = (
            a.name, a.kind, len(data) if data is not None else a.size,
            hashlib.sha256(data).hexdigest() if data is not None else "", a.status or "unknown",
            a.http_status, a.content_type, a.fetched_at or now_iso(), run_id, text,
            zlib.compress(data, RAW_COMPRESS_LEVEL) if data is not None else None,
        )
        if old is None:
            cur = conn.execute(
                """INSERT INTO attachments (document_id, url, name, kind, size, sha256, status, http_status,
                       content_type, fetched_at, run_id, text, content)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (doc_id, a.url, *values),
            )
            att_id = int(cur.lastrowid or 0)
        else:
            att_id = int(old[0])
            conn.execute(
                """UPDATE attachments SET name = ?, kind = ?, size = ?, sha256 = ?, status = ?, http_status = ?,
                       content_type = ?, fetched_at = ?, run_id = ?, text = ?, content = ? WHERE id = ?""",
                (*values, att_id),
            )
        if reindex:
            fts.index_document(conn, doc_id, title, fts.with_attachments(conn, doc_id, body), meta)
    logger.debug("attachment %s of %s saved (%s)", a.url, canonical_url, a.status)
    return att_id


def attachments_of(conn: sqlite3.Connection, canonical_url: str) -> list[Attachment]:
    """The attachments stored for one document (canonical URL, else the URL as fetched), oldest first."""
    row = conn.execute("SELECT id FROM documents WHERE canonical_url = ?", (canonical_url,)).fetchone() \
        or conn.execute("SELECT id FROM documents WHERE url = ? ORDER BY id LIMIT 1", (canonical_url,)).fetchone()
    if row is None:
        return []
    rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM attachments WHERE document_id = ? ORDER BY id",
                        (row[0],)).fetchall()
    return [Attachment(*row) for row in rows]


def attachment_content(conn: sqlite3.Connection, attachment_id: int) -> bytes | None:
    """The stored bytes of one attachment (decompressed), or None when none were kept."""
    row = conn.execute("SELECT content FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    return zlib.decompress(row[0]) if row and row[0] is not None else None


def missing_attachments(conn: sqlite3.Connection, canonical_url: str, urls: list[str]) -> list[str]:
    """Those of ``urls`` not yet stored with a final status for the document (to fetch again)."""
    done = {a.url for a in attachments_of(conn, canonical_url) if not a.status.startswith("fetch_failed")}
    return [u for u in urls if u not in done]
