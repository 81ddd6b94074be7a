"""Datasette plugin: ``govpress_match(q)`` turns a search query into the archive's FTS5 MATCH.

The archive indexes Chinese text as character bigrams (see ``archive.fts``), so a
query must be tokenized the same way before FTS5 sees it; the ``search`` canned
query in ``metadata.json`` calls this function.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from archive.fts import parse_query


def govpress_match(query: str) -> str:
    return parse_query(query or "").match


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("govpress_match", 1, govpress_match, deterministic=True)
