"""The archive: SQLite schema, writes (``archive.store``) and the read API (``Archive``).

This package is the only code in govpress that writes SQL.  It imports nothing
from ``crawler`` or ``pipelines``; records are mappings or duck-typed objects.
"""

from __future__ import annotations

from archive import store
from archive.db import open_archive
from archive.errors import ArchiveError, SchemaTooNewError, SearchQueryError
from archive.models import (
    Candidate,
    Document,
    Known,
    RawPage,
    Revision,
    Run,
    SaveResult,
    SearchHit,
    Site,
    SiteStats,
)
from archive.read import Archive

__all__ = [
    "Archive",
    "ArchiveError",
    "Candidate",
    "Document",
    "Known",
    "RawPage",
    "Revision",
    "Run",
    "SaveResult",
    "SchemaTooNewError",
    "SearchHit",
    "SearchQueryError",
    "Site",
    "SiteStats",
    "open_archive",
    "store",
]
