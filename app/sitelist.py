"""``govpress sites``: one row per site definition, with its archive figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.siteconfig import SiteDefinition


def site_rows(sites: dict[str, SiteDefinition], archive_path: str | None) -> list[dict[str, Any]]:
    """``slug, name, province, city, county, region_code, cms, platform, columns, evidence``,
    plus ``last_run`` and ``documents`` from the archive when it exists."""
    stats: dict[str, Any] = {}
    if archive_path and Path(archive_path).exists():
        from archive import Archive

        with Archive(archive_path) as reader:
            stats = reader.stats()
    rows = []
    for site in sites.values():
        st = stats.get(site.slug)
        run = st.last_run if st else None
        rows.append({
            "slug": site.slug, "name": site.name, "province": site.province, "city": site.city,
            "county": site.county, "region_code": site.region_code, "cms": site.cms, "platform": site.platform,
            "columns": [{"column": lst.column, "role": lst.role, "mechanism": lst.mechanism, "url": lst.url}
                        for lst in site.lists],
            "evidence": {k: {"tag": e.tag, "source": e.source} for k, e in site.evidence.items()},
            "evidence_counts": site.evidence_counts(),
            "confirmed_share": round(site.confirmed_share(), 2),
            "last_run": f"{run.started_at[:16]} {run.status}" if run else "",
            "documents": st.documents if st else 0,
        })
    return rows
