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
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from archive import fts
from archive.db import now_iso
from archive.errors import ArchiveError
from archive.models import SaveResult

logger = logging.getLogger(__name__)

RAW_COMPRESS_LEVEL = 1
"""zlib level of stored raw pages: level 1 takes 40 % less CPU than 6 for 12 % more bytes (docs/benchmarks.md)."""


def as_dict(obj: Any) -> dict[str, Any]:
    """A record (mapping, dataclass such as ``ArticleItem``, or plain object) as a dict."""
    if isinstance(obj, Mapping):
        return dict(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in fields(obj)}
    return dict(vars(obj))


def to_json(value: Any, default: Any) -> str:
    if value is None:
        value = default
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def pack_keys(keys: Iterable[int]) -> bytes:
    """MinHash band keys as little-endian signed 64-bit integers."""
    ks = [int(k) for k in keys]
    return struct.pack(f"<{len(ks)}q", *ks)


def unpack_keys(blob: bytes | None) -> list[int]:
    if not blob:
        return []
    return list(struct.unpack(f"<{len(blob) // 8}q", blob))


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for k, v in (headers or {}).items():
        if k.lower() == name:
            return v
    return None


def _resolve(conn: sqlite3.Connection, url: str | None) -> tuple[int, int] | None:
    """(id, cluster_id) of the document with this canonical URL (or URL as fetched)."""
    if not url:
        return None
    sql = "SELECT id, cluster_id, duplicate_of FROM documents WHERE "
    row = conn.execute(sql + "canonical_url = ?", (url,)).fetchone()
    if row is None:
        row = conn.execute(sql + "url = ? ORDER BY id LIMIT 1", (url,)).fetchone()
    if row is not None and row[2] is not None:  # a duplicate: point at its original
        row = conn.execute(sql + "id = ?", (row[2],)).fetchone()
    return (row[0], row[1] if row[1] is not None else row[0]) if row else None


def _cluster_of(conn: sqlite3.Connection, doc_id: Any) -> int | None:
    if doc_id is None:
        return None
    row = conn.execute("SELECT cluster_id FROM documents WHERE id = ?", (int(doc_id),)).fetchone()
    if row is None:
        logger.warning("cluster_id %s names no archived document; ignored", doc_id)
        return None
    return row[0] if row[0] is not None else int(doc_id)


def _content(r: Mapping[str, Any], conn: sqlite3.Connection, run_id: int | None) -> dict[str, Any]:
    region = r.get("region_code")
    if not region:
        row = conn.execute("SELECT region_code FROM sites WHERE slug = ?", (r["site"],)).fetchone()
        region = row[0] if row else ""
    sig = r.get("signature") or b""
    return {
        "url": r.get("url") or r["canonical_url"], "region_code": region or "",
        "column_name": r.get("column") or "", "column_meta": r.get("column_meta") or "",
        "title": r.get("title") or "", "published": r.get("published") or None,
        "published_raw": r.get("published_raw") or "", "source": r.get("source") or "",
        "author": r.get("author") or "", "editors": to_json(r.get("editors"), []),
        "site_name": r.get("site_name") or "", "keywords": r.get("keywords") or "",
        "description": r.get("description") or "", "body_hash": r.get("body_hash") or "",
        "http_status": r.get("status"), "language": r.get("language") or "",
        "encoding": r.get("encoding") or "", "replacement_chars": int(r.get("replacement_chars") or 0),
        "extraction_method": r.get("extraction_method") or "", "flags": to_json(r.get("flags"), []),
        "attachments": to_json(r.get("attachments"), []), "images": to_json(r.get("images"), []),
        "run_id": run_id, "body": r.get("body") or "", "minhash": bytes(sig) if sig else None,
        "band_keys": pack_keys(r.get("minhash_keys") or ()),
        "etag": _header(r.get("headers"), "etag"),
        "last_modified": _header(r.get("headers"), "last-modified"),
        "fetched_at": r.get("fetched_at") or now_iso(),
    }


def _store_raw(conn: sqlite3.Connection, doc_id: int, r: Mapping[str, Any], c: Mapping[str, Any]) -> None:
    raw = r.get("raw") or b""
    if not raw:
        return
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    conn.execute(
        """INSERT INTO raw_pages (document_id, site, url, canonical_url, fetched_at, status,
                                  headers, encoding, run_id, content)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (doc_id, r["site"], c["url"], r["canonical_url"], c["fetched_at"], c["http_status"],
         to_json(dict(r.get("headers") or {}), {}), c["encoding"], c["run_id"],
         zlib.compress(bytes(raw), RAW_COMPRESS_LEVEL)),
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


def _insert(conn: sqlite3.Connection, r: Mapping[str, Any], c: dict[str, Any]) -> int:
    doc_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()[0]
    if c["cluster_id"] is None:
        c["cluster_id"] = doc_id
    cols = ["id", "canonical_url", "site", "first_seen", "last_seen", "revision_count", *c]
    vals = [doc_id, r["canonical_url"], r["site"], c["fetched_at"], c["fetched_at"], 0, *c.values()]
    conn.execute(
        f"INSERT INTO documents ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", vals
    )
    return doc_id


def save_record(conn: sqlite3.Connection, r: Mapping[str, Any], run_id: int | None) -> SaveResult:
    """Decide and write one outcome; the caller holds the transaction."""
    for key in ("site", "canonical_url"):
        if not r.get(key):
            raise ArchiveError(f"cannot save a document without {key}: {r.get('url')!r}")
    canon = r["canonical_url"]
    old = conn.execute(
        """SELECT id, title, body, body_hash, published, fetched_at, revision_count, cluster_id,
                  duplicate_of, band_keys, site FROM documents WHERE canonical_url = ?""",
        (canon,),
    ).fetchone()
    if old is None and r.get("not_modified"):
        raise ArchiveError(f"304 Not Modified for a document not in the archive: {canon}")
    c = _content(r, conn, run_id)
    if old is None:
        dup = _resolve(conn, r.get("duplicate_of"))
        if r.get("duplicate_of") and dup is None:
            logger.warning("%s: duplicate_of %s is not archived; saving as new", canon, r["duplicate_of"])
        if dup is not None:
            c["duplicate_of"], c["cluster_id"] = dup
            doc_id = _insert(conn, r, c)
            return SaveResult("duplicate", doc_id, c["cluster_id"], 0)
        c["duplicate_of"], c["cluster_id"] = None, _cluster_of(conn, r.get("cluster_id"))
        doc_id = _insert(conn, r, c)
        _add_bands(conn, doc_id, c["band_keys"])
        fts.index_document(conn, doc_id, c["title"], c["body"], fts.meta_text(r["site"], c["published"]))
        _store_raw(conn, doc_id, r, c)
        return SaveResult("new", doc_id, c["cluster_id"], 0)

    (doc_id, o_title, o_body, o_hash, o_pub, o_fetched, rev, o_cluster, o_dup, o_bands, site) = old
    if r.get("not_modified"):
        same = True
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
        return SaveResult("unchanged", doc_id, o_cluster if o_cluster is not None else doc_id, rev)

    conn.execute(
        """INSERT INTO revisions (document_id, revision, title, body, body_hash, published,
                                  fetched_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (doc_id, rev, o_title, o_body, o_hash, o_pub, o_fetched, c["fetched_at"]),
    )
    if o_dup is None:
        fts.unindex_document(conn, doc_id, o_title, o_body, fts.meta_text(site, o_pub))
    _drop_bands(conn, doc_id, o_bands)
    dup = _resolve(conn, r.get("duplicate_of"))
    if dup is not None and dup[0] == doc_id:
        dup = None
    cluster = _cluster_of(conn, r.get("cluster_id"))
    c["duplicate_of"] = dup[0] if dup else None
    c["cluster_id"] = dup[1] if dup else (cluster if cluster is not None else o_cluster)
    c["cluster_id"] = doc_id if c["cluster_id"] is None else c["cluster_id"]
    assignments = ", ".join(f"{k} = ?" for k in c)
    conn.execute(
        f"""UPDATE documents SET {assignments}, revision_count = ?,
                   last_seen = max(last_seen, ?) WHERE id = ?""",
        (*c.values(), rev + 1, c["fetched_at"], doc_id),
    )
    if dup is None:
        _add_bands(conn, doc_id, c["band_keys"])
        fts.index_document(conn, doc_id, c["title"], c["body"], fts.meta_text(site, c["published"]))
    _store_raw(conn, doc_id, r, c)
    return SaveResult("updated", doc_id, c["cluster_id"], rev + 1)
