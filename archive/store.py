"""Writes: sites, runs and documents.  Each public function is one transaction.

``save_document`` decides the outcome (new / duplicate / unchanged / updated) and
the document's identity (exact duplicate, near-duplicate cluster) and writes it in
the same transaction, so a crash or a kill never leaves a document half-written.
Documents are ``archive.record.DocumentRecord``; a crawl goes through
``archive.session.ArchiveSession``, which calls these functions on its one connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from sqlite_utils import Database

from archive import fts
from archive.db import now_iso, transaction
from archive.errors import ArchiveError
from archive.models import SaveResult
from archive.record import DocumentRecord
from archive.save import EXACT_ONLY, Identity, save_record, to_json

logger = logging.getLogger(__name__)

__all__ = [
    "COUNT_KEYS",
    "PROBE_FIELDS",
    "STATUSES",
    "TRIGGERS",
    "Identity",
    "SaveResult",
    "finish_run",
    "optimize",
    "save_document",
    "save_documents",
    "save_probes",
    "start_run",
    "touch_document",
    "upsert_site",
]

TRIGGERS = frozenset({"manual", "cron", "scheduler", "demo"})
STATUSES = frozenset({"ok", "partial", "failed", "skipped", "interrupted", "running", "blocked"})
COUNT_KEYS = ("pages", "new", "updated", "unchanged", "duplicate", "errors")


# -- sites and runs --------------------------------------------------------------------------
def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Mapping):
        return dict(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in fields(obj)}
    return dict(vars(obj))


def upsert_site(db: Database, site: Any) -> None:
    """Insert or update a site from a ``SiteDefinition``-like object or mapping."""
    s = _as_dict(site)
    row = (
        s["slug"], s.get("name") or "", s.get("cms") or "", s.get("province") or "",
        s.get("city") or "", s.get("region_code") or "", str(s.get("path") or ""),
        to_json(list(s.get("allowed_domains") or ()), []), now_iso(),
    )
    with transaction(db) as conn:
        conn.execute(
            """INSERT INTO sites (slug, name, cms, province, city, region_code,
                                  definition_path, allowed_domains, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (slug) DO UPDATE SET
                 name = excluded.name, cms = excluded.cms, province = excluded.province,
                 city = excluded.city, region_code = excluded.region_code,
                 definition_path = excluded.definition_path,
                 allowed_domains = excluded.allowed_domains, updated_at = excluded.updated_at""",
            row,
        )


def start_run(db: Database, site: str, *, trigger: str, pid: int, started_at: str | None = None) -> int:
    """Record a crawl run as ``running``; returns its id."""
    if trigger not in TRIGGERS:
        raise ValueError(f"run trigger must be one of {sorted(TRIGGERS)}, got {trigger!r}")
    with transaction(db) as conn:
        cur = conn.execute(
            "INSERT INTO runs (site, trigger, pid, started_at, status) VALUES (?, ?, ?, ?, 'running')",
            (site, trigger, pid, started_at or now_iso()),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid


def finish_run(
    db: Database, run_id: int, *, status: str, counts: Mapping[str, int], stats: Mapping[str, Any],
    error: str = "", finished_at: str | None = None,
) -> None:
    """Close a run: status, the six counters, free-form stats and the error text."""
    if status not in STATUSES:
        raise ValueError(f"run status must be one of {sorted(STATUSES)}, got {status!r}")
    extra = {k: v for k, v in counts.items() if k not in COUNT_KEYS}
    all_stats = dict(stats)
    if extra:
        all_stats.setdefault("counts", {}).update(extra)
    values = [int(counts.get(k, 0) or 0) for k in COUNT_KEYS]
    with transaction(db) as conn:
        cur = conn.execute(
            f"""UPDATE runs SET status = ?, finished_at = ?, error = ?, stats = ?,
                {", ".join(f"{k} = ?" for k in COUNT_KEYS)} WHERE id = ?""",
            (status, finished_at or now_iso(), error or "", to_json(all_stats, {}), *values, run_id),
        )
        if cur.rowcount == 0:
            raise ArchiveError(f"run {run_id} does not exist")


def save_document(
    db: Database, rec: DocumentRecord, *, run_id: int | None = None, identity: Identity = EXACT_ONLY
) -> SaveResult:
    """Archive one fetched article in one transaction; identity is decided inside it."""
    with transaction(db) as conn:
        return save_record(conn, rec, run_id, identity)


def save_documents(
    db: Database, recs: Iterable[DocumentRecord], *, run_id: int | None = None,
    identity: Identity = EXACT_ONLY,
) -> list[SaveResult]:
    """Bulk path: ``save_document`` semantics for many records in ONE transaction.

    Used by imports and ``bench/archive_scale.py``; the crawl saves one at a time.
    """
    with transaction(db) as conn:
        return [save_record(conn, rec, run_id, identity) for rec in recs]


def touch_document(
    db: Database, canonical_url: str, *, seen_at: str, etag: str | None = None,
    last_modified: str | None = None,
) -> bool:
    """Record an unchanged re-fetch (or a 304): ``last_seen`` and validators only."""
    with transaction(db) as conn:
        cur = conn.execute(
            """UPDATE documents SET last_seen = max(last_seen, ?), etag = coalesce(?, etag),
                      last_modified = coalesce(?, last_modified) WHERE canonical_url = ?""",
            (seen_at, etag, last_modified, canonical_url),
        )
        return cur.rowcount > 0


def optimize(db: Database) -> None:
    """After a bulk load: merge FTS segments and refresh planner statistics."""
    with transaction(db) as conn:
        fts.optimize(conn)
    db.conn.execute("PRAGMA optimize")


# -- probes ------------------------------------------------------------------------------------
PROBE_FIELDS = ("site", "kind", "column_name", "url", "state", "http_status", "bytes", "seconds",
                "egress", "detail")


def save_probes(db: Database, rows: Iterable[Mapping[str, Any]], *, probed_at: str | None = None) -> int:
    """Record one ``govpress probe`` (its rows share ``probed_at``); returns the rows written."""
    stamp = probed_at or now_iso()
    values = [(stamp, *(r.get(f, r.get("column") if f == "column_name" else None) for f in PROBE_FIELDS))
              for r in rows]
    with transaction(db) as conn:
        conn.executemany(
            f"INSERT INTO probes (probed_at, {', '.join(PROBE_FIELDS)}) VALUES (?{', ?' * len(PROBE_FIELDS)})",
            [(v[0], v[1], v[2], v[3] or "", v[4], v[5], v[6], v[7] or 0, v[8], v[9] or "direct", v[10] or "")
             for v in values],
        )
    return len(values)
