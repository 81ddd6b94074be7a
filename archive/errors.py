"""Exceptions raised by the archive; every message is one line naming the file or query."""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive cannot be opened, read or written (bad file, not writable, disk full...)."""


class SchemaTooNewError(ArchiveError):
    """The archive was migrated by a newer govpress than this one."""


class SearchQueryError(ArchiveError):
    """A search query that cannot be turned into a full-text query."""
