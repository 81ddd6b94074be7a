"""How ``save_document`` decides and writes an outcome (internals of ``archive.store``).

``save_record`` runs inside the caller's transaction: it reads the current row for
the canonical URL, then writes the new / duplicate / unchanged / updated outcome
(document row, revision, MinHash bands, FTS entry, raw page) with no commit of
its own, so the whole outcome lands or none of it does.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from archive import fts
from archive.db import now_iso
from archive.errors import ArchiveError
from archive.models import SaveResult
from archive.record import DocumentRecord
from archive.structure import clear_structure, has_structure, save_structure

logger = logging.getLogger(__name__)

RAW_COMPRESS_LEVEL = 1
"""zlib level of stored raw pages: level 1 takes 40 % less CPU than 6 for 12 % more bytes (docs/benchmarks.md)."""


def to_json(value: Any, default: Any) -> str:
    if value is None:
        value = default
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Identity:
    """How the save transaction relates a document to the archived ones.

    The exact layer (same ``body_hash`` as an earlier document: a ``duplicate`` row
    pointing at it) is always on.  The near layer joins a new document to the cluster
    of the most similar candidate sharing a MinHash band key when ``similarity``
    reaches ``near_threshold``; ``similarity`` compares two stored signatures (the
    pipelines supply it, so the archive does not depend on how signatures are made).
    """

    near_threshold: float | None = None
    similarity: Callable[[bytes, bytes], float] | None = None
    candidates: int = 50


EXACT_ONLY = Identity()


def pack_keys(keys: Iterable[int]) -> bytes:
    """MinHash band keys as little-endian signed 64-bit integers."""
    ks = [int(k) for k in keys]
    return struct.pack(f"<{len(ks)}q", *ks)


def unpack_keys(blob: bytes | None) -> list[int]:
    if not blob:
        return []
    return list(struct.unpack(f"<{len(blob) // 8}q", blob))


def _content(r: DocumentRecord, conn: sqlite3.Connection, run_id: int | None) -> dict[str, Any]:
    """The ``documents`` columns a save writes, taken field by field from the record."""
    region = r.region_code
    if not region:
        row = conn.execute("SELECT region_code FROM sites WHERE slug = ?", (r.site,)).fetchone()
        region = row[0] if row else ""
    return {
        "url": r.url or r.canonical_url, "region_code": region or "",
        "column_name": r.column_name, "column_meta": r.column_meta,
        "title": r.title, "published": r.published or None,
        "published_raw": r.published_raw, "source": r.source,
        "author": r.author, "editors": to_json(r.editors, []),
        "site_name": r.site_name, "keywords": r.keywords,
        "description": r.description, "body_hash": r.body_hash,
        "http_status": r.http_status, "language": r.language,
        "encoding": r.encoding, "replacement_chars": int(r.replacement_chars),
        "extraction_method": r.extraction_method, "flags": to_json(r.flags, []),
        "attachments": to_json(r.attachments, []), "images": to_json(r.images, []),
        "tables": to_json(r.tables, []), "published_meta_raw": r.published_meta_raw,
        "run_id": run_id, "body": r.body, "minhash": bytes(r.minhash) if r.minhash else None,
        "band_keys": pack_keys(r.band_keys),
        "etag": r.etag, "last_modified": r.last_modified,
        "fetched_at": r.fetched_at or now_iso(),
    }


def _store_raw(conn: sqlite3.Connection, doc_id: int, r: DocumentRecord, c: Mapping[str, Any]) -> None:
    if not r.raw:
        return
    # Later pages of a multi-page article first, page 1 last: the newest raw page of a
    # document stays its first page (what ``raw_pages(latest=True)`` hands to reprocess).
    for page in r.pages:
        if page.get("raw"):
            conn.execute(
                """INSERT INTO raw_pages (document_id, site, url, canonical_url, fetched_at, status,
                                          headers, encoding, run_id, content)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (doc_id, r.site, page["url"], r.canonical_url, c["fetched_at"], c["http_status"], "{}",
                 c["encoding"], c["run_id"], zlib.compress(bytes(page["raw"]), RAW_COMPRESS_LEVEL)),
            )
    conn.execute(
        """INSERT INTO raw_pages (document_id, site, url, canonical_url, fetched_at, status,
                                  headers, encoding, run_id, content)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (doc_id, r.site, c["url"], r.canonical_url, c["fetched_at"], c["http_status"],
         to_json(dict(r.headers), {}), c["encoding"], c["run_id"],
         zlib.compress(bytes(r.raw), RAW_COMPRESS_LEVEL)),
    )


def _add_bands(conn: sqlite3.Connection, doc_id: int, blob: bytes) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands (band_key, document_id) VALUES (?, ?)",
        [(k, doc_id) for k in unpack_keys(blob)],
    )


def _drop_bands(conn: sqlite3.Connection, doc_id: int, blob: bytes | None) -> None:
    conn.executemany(
        "DELETE FROM minhash_bands WHERE band_key = ? AND document_id = ?",
        [(k, doc_id) for k in unpack_keys(blob)],
    )


def _insert(conn: sqlite3.Connection, r: DocumentRecord, c: dict[str, Any]) -> int:
    doc_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()[0])
    if c["cluster_id"] is None:
        c["cluster_id"] = doc_id
    cols = ["id", "canonical_url", "site", "first_seen", "last_seen", "revision_count", *c]
    vals = [doc_id, r.canonical_url, r.site, c["fetched_at"], c["fetched_at"], 0, *c.values()]
    conn.execute(
        f"INSERT INTO documents ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", vals
    )
    return doc_id


def _structure(conn: sqlite3.Connection, doc_id: int, r: DocumentRecord, *, backfill: bool = False,
               new: bool = False) -> None:
    """Transcript and references (``archive.structure``) in the same transaction.

    ``backfill``: only when the document has none yet (an unchanged page reprocessed
    after the structure tables arrived); a record that carries neither writes nothing then.
    """
    if backfill and (not (r.transcript or r.references) or has_structure(conn, doc_id)):
        return
    save_structure(conn, doc_id, r.transcript, r.references, new=new)


# -- identity, decided inside the save transaction -------------------------------------------
def _exact(conn: sqlite3.Connection, body_hash: str, not_id: int | None) -> tuple[int, int] | None:
    """(id, cluster) of the first non-duplicate document with this body hash, other than ``not_id``."""
    if not body_hash:
        return None
    row = conn.execute(
        "SELECT id, cluster_id FROM documents WHERE body_hash = ? AND duplicate_of IS NULL"
        " AND id IS NOT ? ORDER BY id LIMIT 1",
        (body_hash, not_id),
    ).fetchone()
    return (row[0], row[1] if row[1] is not None else row[0]) if row else None


def _near(conn: sqlite3.Connection, r: DocumentRecord, identity: Identity) -> tuple[int, int, float] | None:
    """(id, cluster, similarity) of the closest band-sharing document at or above the threshold."""
    if identity.near_threshold is None or identity.similarity is None or not (r.minhash and r.band_keys):
        return None
    keys = list(dict.fromkeys(int(k) for k in r.band_keys))
    rows = conn.execute(
        "SELECT d.id, d.cluster_id, d.minhash, count(*) AS n FROM minhash_bands b"
        " JOIN documents d ON d.id = b.document_id"
        f" WHERE b.band_key IN ({', '.join('?' * len(keys))}) AND d.canonical_url != ?"
        " GROUP BY d.id ORDER BY n DESC, d.id LIMIT ?",
        (*keys, r.canonical_url, identity.candidates),
    ).fetchall()
    best: tuple[int, int, float] | None = None
    for doc_id, cluster, sig, _n in rows:
        if not sig:
            continue
        try:
            sim = identity.similarity(bytes(r.minhash), bytes(sig))
        except ValueError:  # a signature from another MinHash configuration
            logger.debug("skipping candidate %s: incompatible signature", doc_id)
            continue
        if sim >= identity.near_threshold and (best is None or sim > best[2]):
            best = (doc_id, cluster if cluster is not None else doc_id, sim)
    return best


def save_record(
    conn: sqlite3.Connection, r: DocumentRecord, run_id: int | None, identity: Identity = EXACT_ONLY
) -> SaveResult:
    """Decide identity and outcome, and write it; the caller holds the transaction."""
    for key in ("site", "canonical_url"):
        if not getattr(r, key):
            raise ArchiveError(f"cannot save a document without {key}: {r.url!r}")
    canon = r.canonical_url
    old = conn.execute(
        """SELECT id, title, body, body_hash, published, fetched_at, revision_count, cluster_id,
                  duplicate_of, band_keys, site FROM documents WHERE canonical_url = ?""",
        (canon,),
    ).fetchone()
    if old is None and r.not_modified:
        raise ArchiveError(f"304 Not Modified for a document not in the archive: {canon}")
    c = _content(r, conn, run_id)
    if old is None:
        dup = _exact(conn, c["body_hash"], None) if c["body"] else None
        if dup is not None:
            c["duplicate_of"], c["cluster_id"] = dup
            doc_id = _insert(conn, r, c)
            logger.info("exact duplicate of document %s: %s", dup[0], r.url)
            return SaveResult("duplicate", doc_id, c["cluster_id"], 0, "exact")
        near = _near(conn, r, identity)
        c["duplicate_of"], c["cluster_id"] = None, (near[1] if near else None)
        doc_id = _insert(conn, r, c)
        if near is not None:
            logger.info("near duplicate (%.2f) of document %s joins cluster %s: %s",
                        near[2], near[0], near[1], r.url)
        _add_bands(conn, doc_id, c["band_keys"])
        fts.index_document(conn, doc_id, c["title"], fts.with_attachments(conn, doc_id, c["body"]),
                           fts.meta_text(r.site, c["published"]))
        _store_raw(conn, doc_id, r, c)
        _structure(conn, doc_id, r, new=True)
        return SaveResult("new", doc_id, c["cluster_id"], 0, "near" if near else "")

    (doc_id, o_title, o_body, o_hash, o_pub, o_fetched, rev, o_cluster, o_dup, o_bands, site) = old
    cluster_now = o_cluster if o_cluster is not None else doc_id
    if r.not_modified:
        same = True
    elif o_fetched and r.fetched_at and r.fetched_at < o_fetched:
        # Older content than what is stored (a reprocess racing a crawl): never written back.
        logger.info("not replacing %s: fetched %s, the archive holds %s", canon, r.fetched_at, o_fetched)
        return SaveResult("unchanged", doc_id, cluster_now, rev, "stale")
    elif o_hash and c["body_hash"]:
        same = o_hash == c["body_hash"] and o_title == c["title"]
    else:
        same = o_body == c["body"] and o_title == c["title"]
    if same:
        conn.execute(
            """UPDATE documents SET last_seen = max(last_seen, ?), etag = coalesce(?, etag),
                      last_modified = coalesce(?, last_modified) WHERE id = ?""",
            (c["fetched_at"], c["etag"], c["last_modified"], doc_id),
        )
        if o_dup is None and not r.not_modified:
            _structure(conn, doc_id, r, backfill=True)
        return SaveResult("unchanged", doc_id, cluster_now, rev, "url_known")

    conn.execute(
        """INSERT INTO revisions (document_id, revision, title, body, body_hash, published,
                                  fetched_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (doc_id, rev, o_title, o_body, o_hash, o_pub, o_fetched, c["fetched_at"]),
    )
    if o_dup is None:
        fts.unindex_document(conn, doc_id, o_title, fts.with_attachments(conn, doc_id, o_body),
                             fts.meta_text(site, o_pub))
    _drop_bands(conn, doc_id, o_bands)
    dup = _exact(conn, c["body_hash"], doc_id) if c["body"] else None
    c["duplicate_of"] = dup[0] if dup else None
    c["cluster_id"] = dup[1] if dup else cluster_now
    assignments = ", ".join(f"{k} = ?" for k in c)
    conn.execute(
        f"""UPDATE documents SET {assignments}, revision_count = ?,
                   last_seen = max(last_seen, ?) WHERE id = ?""",
        (*c.values(), rev + 1, c["fetched_at"], doc_id),
    )
    if dup is None:
        _add_bands(conn, doc_id, c["band_keys"])
        fts.index_document(conn, doc_id, c["title"], fts.with_attachments(conn, doc_id, c["body"]),
                           fts.meta_text(site, c["published"]))
        _structure(conn, doc_id, r)
    else:
        clear_structure(conn, doc_id)  # an exact duplicate now: its original holds the structure
    _store_raw(conn, doc_id, r, c)
    return SaveResult("updated", doc_id, c["cluster_id"], rev + 1, "exact" if dup else "url_known")
