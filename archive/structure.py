"""Writes of a document's structure: transcript (events, participants, turns) and references.

``save_structure`` runs inside the caller's save transaction (no commit of its own)
and replaces whatever the document had.  References resolve in both directions at
save time: the document's citations are looked up in ``ref_keys`` (other documents'
own 文号 and title forms), and earlier unresolved citations that match this
document's keys are pointed at it.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from archive.fts import index_text
from archive.structure_types import References, Transcript

logger = logging.getLogger(__name__)

__all__ = ["clear_structure", "has_structure", "save_structure"]


def _drop_transcript(conn: sqlite3.Connection, doc_id: int) -> None:
    rows = conn.execute("SELECT id, text FROM turns WHERE document_id = ?", (doc_id,)).fetchall()
    conn.executemany(
        "INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', ?, ?)",
        [(tid, index_text(text)) for tid, text in rows],
    )
    conn.execute("DELETE FROM turns WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM participants WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM events WHERE document_id = ?", (doc_id,))


def _write_transcript(conn: sqlite3.Connection, doc_id: int, t: Transcript) -> None:
    ev = t.event
    conn.execute(
        "INSERT INTO events (document_id, kind, title, date, organiser, venue, recognised_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (doc_id, ev.kind, ev.title, ev.date, ev.organiser, ev.venue, t.recognised_by),
    )
    pids: list[int] = []
    for pos, p in enumerate(t.participants):
        cur = conn.execute(
            "INSERT INTO participants (document_id, position, name, title, org, role)"
            " VALUES (?, ?, ?, ?, ?, ?)", (doc_id, pos, p.name, p.title, p.org, p.role))
        pids.append(int(cur.lastrowid or 0))
    tids: list[int] = []
    for pos, turn in enumerate(t.turns):
        pid = pids[turn.participant] if turn.participant is not None and 0 <= turn.participant < len(pids) else None
        answers = tids[turn.answers] if turn.answers is not None and 0 <= turn.answers < len(tids) else None
        cur = conn.execute(
            "INSERT INTO turns (document_id, position, speaker, participant_id, role, outlet,"
            " answers_id, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, pos, turn.speaker, pid, turn.role, turn.outlet, answers, turn.text))
        tid = int(cur.lastrowid or 0)
        tids.append(tid)
        conn.execute("INSERT INTO turns_fts (rowid, text) VALUES (?, ?)", (tid, index_text(turn.text)))


def _keys(refs: References) -> list[tuple[str, str]]:
    keys = [("number", refs.doc_number)] if refs.doc_number else []
    return keys + [("title", k) for k in refs.title_keys]


def _target(conn: sqlite3.Connection, kind: str, norm: str, doc_id: int) -> int | None:
    row = conn.execute(
        "SELECT k.document_id FROM ref_keys k JOIN documents d ON d.id = k.document_id"
        " WHERE k.kind = ? AND k.key = ? AND k.document_id != ?"
        " ORDER BY d.duplicate_of IS NOT NULL, d.published IS NULL, d.published, d.id LIMIT 1",
        (kind, norm, doc_id)).fetchone()
    return int(row[0]) if row else None


def _reresolve(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> None:
    """Point unresolved citations matching these keys at the best document now holding them."""
    for kind, key in keys:
        for ref_id, owner in conn.execute(
            "SELECT id, document_id FROM refs WHERE kind = ? AND norm = ? AND target_id IS NULL",
            (kind, key)).fetchall():
            target = _target(conn, kind, key, owner)
            if target is not None:
                conn.execute("UPDATE refs SET target_id = ? WHERE id = ?", (target, ref_id))


def _drop_references(conn: sqlite3.Connection, doc_id: int) -> list[tuple[str, str]]:
    old = [(k, v) for k, v in conn.execute(
        "SELECT kind, key FROM ref_keys WHERE document_id = ?", (doc_id,))]
    conn.execute("DELETE FROM refs WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM ref_keys WHERE document_id = ?", (doc_id,))
    conn.execute("UPDATE refs SET target_id = NULL WHERE target_id = ?", (doc_id,))
    return old


def _write_references(conn: sqlite3.Connection, doc_id: int, refs: References) -> list[tuple[str, str]]:
    keys = _keys(refs)
    conn.executemany("INSERT OR IGNORE INTO ref_keys (kind, key, document_id) VALUES (?, ?, ?)",
                     [(k, v, doc_id) for k, v in keys])
    cited = [("number", c) for c in refs.numbers] + [("title", c) for c in refs.titles]
    for pos, (kind, c) in enumerate(cited):
        conn.execute(
            "INSERT INTO refs (document_id, position, kind, text, norm, target_id) VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, pos, kind, c.text, c.norm, _target(conn, kind, c.norm, doc_id)))
    return keys


def clear_structure(conn: sqlite3.Connection, doc_id: int) -> None:
    """Remove the document's transcript and references (citations of it become unresolved,
    or resolve to another document with the same key)."""
    _drop_transcript(conn, doc_id)
    _reresolve(conn, _drop_references(conn, doc_id))


def save_structure(conn: sqlite3.Connection, document_id: int, transcript: Any,
                   references: Any, *, new: bool = False) -> None:
    """Replace the document's transcript and references inside the caller's transaction.

    ``transcript`` / ``references``: ``Transcript`` / ``References`` (or their ``asdict``
    form), or None for none.  ``new``: the document was inserted in this transaction, so it
    has nothing to replace (the foreign keys on ``document_id`` keep rows of a deleted
    document from outliving it); the deletes are skipped, the costliest statements of a
    new document's save (0.4 ms for ``DELETE FROM turns``, whose rows reference each other).
    """
    t = Transcript.from_value(transcript)
    r = References.from_value(references)
    old_keys: list[tuple[str, str]] = []
    if not new:
        _drop_transcript(conn, document_id)
        old_keys = _drop_references(conn, document_id)
    if t is not None:
        _write_transcript(conn, document_id, t)
    new_keys = _write_references(conn, document_id, r) if r is not None else []
    _reresolve(conn, list(dict.fromkeys(old_keys + new_keys)))


def has_structure(conn: sqlite3.Connection, document_id: int) -> bool:
    """True when the document has an event, a citation or a citation key stored."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM events WHERE document_id = ?)"
        " OR EXISTS (SELECT 1 FROM refs WHERE document_id = ?)"
        " OR EXISTS (SELECT 1 FROM ref_keys WHERE document_id = ?)",
        (document_id, document_id, document_id)).fetchone()
    return bool(row[0])
