"""Datasette plugin: ``govpress_match(q)`` turns a search query into the archive's FTS5 MATCH.

The archive indexes Chinese text as character bigrams (see ``archive.fts``), so a
query must be tokenized the same way before FTS5 sees it; the ``search`` canned
query in ``metadata.json`` calls this function.  An empty or unsearchable query
matches nothing instead of raising (SQLite would show "user-defined function
raised exception"); the ``/search`` page explains what is wrong with it.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from archive.errors import SearchQueryError
from archive.fts import parse_query

NOTHING = 'meta : ("govpress0nomatch")'
"""A valid MATCH that no document has (``meta`` holds only site and month tokens)."""


def govpress_match(query: str | None) -> str:
    try:
        return parse_query(query or "").match
    except SearchQueryError:
        return NOTHING


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("govpress_match", 1, govpress_match, deterministic=True)
