"""``Archive.stats``: per-site document counts, documents per day, last runs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from archive.models import RUN_COLUMNS, SiteStats, run_from_row

if TYPE_CHECKING:
    from archive.read import Archive

logger = logging.getLogger(__name__)

_RUN_SELECT = "SELECT " + ", ".join(RUN_COLUMNS) + " FROM runs"


def site_stats(reader: Archive) -> dict[str, SiteStats]:
    """One ``SiteStats`` per site known from documents, sites or runs, by slug."""
    ex = reader._exec
    names = dict(ex("SELECT slug, name FROM sites").fetchall())
    acc: dict[str, dict[str, Any]] = {}

    def entry(site: str) -> dict[str, Any]:
        return acc.setdefault(site, {"documents": 0, "duplicates": 0, "revisions": 0,
                                     "first": None, "last": None, "seen": None, "per_day": {}})

    # doc_counts and site_counts are kept by triggers (migration m006_counts): one row per
    # site and publication day instead of a scan of every document; sums in SQL
    for site, n, dups, seen in ex(
        "SELECT site, sum(documents), sum(duplicates), max(last_seen) FROM doc_counts GROUP BY site"
    ):
        if n or dups:
            e = entry(site)
            e.update(documents=n, duplicates=dups, seen=seen or None)
    day_rows = ex("SELECT site, day, documents FROM doc_counts WHERE documents > 0 AND day != ''"
                  " ORDER BY site, day").fetchall()
    for site, day, n in day_rows:
        acc[site]["per_day"][day] = n
    for site in list(acc):  # idx_documents_site_published: two index probes per site
        first = ex("SELECT published FROM documents WHERE site = ? AND published IS NOT NULL"
                   " ORDER BY published LIMIT 1", (site,)).fetchone()
        last = ex("SELECT published FROM documents WHERE site = ? AND published IS NOT NULL"
                  " ORDER BY published DESC LIMIT 1", (site,)).fetchone()
        acc[site].update(first=first[0] if first else None, last=last[0] if last else None)
    for site, n in ex("SELECT site, revisions FROM site_counts WHERE revisions > 0"):
        if site is not None:
            entry(site)["revisions"] = n
    last_run = {r.site: r for r in map(run_from_row, ex(
        f"{_RUN_SELECT} WHERE id IN (SELECT max(id) FROM runs GROUP BY site)"))}
    last_ok = {r.site: r for r in map(run_from_row, ex(
        f"{_RUN_SELECT} WHERE id IN (SELECT max(id) FROM runs WHERE status = 'ok' GROUP BY site)"))}
    for site in (*names, *last_run):
        entry(site)
    return {
        site: SiteStats(
            site=site, name=names.get(site, ""), documents=e["documents"],
            duplicates=e["duplicates"], revisions=e["revisions"], first_published=e["first"],
            last_published=e["last"], last_seen=e["seen"], per_day=dict(sorted(e["per_day"].items())),
            last_run=last_run.get(site), last_success=last_ok.get(site),
        )
        for site, e in sorted(acc.items())
    }
