"""Read API over transcripts and references (used through ``Archive``).

``transcript(doc_id)`` gives the stored event, participants and turns; ``refs`` the
document's own 文号 and its citations with their resolved targets; ``cited_by`` the
citations that resolve to a document; ``search_turns`` searches the words spoken,
with the same CJK bigram index as document search (``archive.fts``).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive import fts
from archive.db import describe
from archive.errors import ArchiveError, SearchQueryError

if TYPE_CHECKING:
    from archive.read import Archive

logger = logging.getLogger(__name__)

ROLES = ("host", "official", "reporter", "other")


@dataclass(frozen=True)
class StoredParticipant:
    id: int
    position: int
    name: str
    title: str
    org: str
    role: str


@dataclass(frozen=True)
class StoredTurn:
    id: int
    document_id: int
    position: int
    speaker: str
    role: str
    outlet: str
    text: str
    participant: StoredParticipant | None = None
    answers_id: int | None = None


@dataclass(frozen=True)
class StoredTranscript:
    document_id: int
    kind: str
    title: str
    date: str | None
    organiser: str
    venue: str
    recognised_by: str
    participants: list[StoredParticipant] = field(default_factory=list)
    turns: list[StoredTurn] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    id: int
    document_id: int
    kind: str
    """number (a 文号) | title (a 《》 title)"""
    text: str
    norm: str
    target_id: int | None
    target_title: str | None = None
    document_title: str | None = None


@dataclass(frozen=True)
class DocumentRefs:
    document_id: int
    doc_number: str | None
    numbers: list[Reference]
    titles: list[Reference]


@dataclass(frozen=True)
class TurnHit:
    turn: StoredTurn
    document_title: str
    published: str | None
    canonical_url: str
    rank: float
    snippet: str


_TURN_SELECT = (
    "SELECT t.id, t.document_id, t.position, t.speaker, t.role, t.outlet, t.text, t.answers_id,"
    " p.id, p.position, p.name, p.title, p.org, p.role FROM turns t"
    " LEFT JOIN participants p ON p.id = t.participant_id"
)


def _turn(row: tuple[Any, ...]) -> StoredTurn:
    part = StoredParticipant(*row[8:14]) if row[8] is not None else None
    return StoredTurn(row[0], row[1], row[2], row[3], row[4], row[5], row[6], part, row[7])


def transcript(a: Archive, doc_id: int) -> StoredTranscript | None:
    ev = a._exec("SELECT document_id, kind, title, date, organiser, venue, recognised_by FROM events"
                 " WHERE document_id = ?", (doc_id,)).fetchone()
    if ev is None:
        return None
    people = [StoredParticipant(*r) for r in a._exec(
        "SELECT id, position, name, title, org, role FROM participants WHERE document_id = ?"
        " ORDER BY position", (doc_id,))]
    turns = [_turn(r) for r in a._exec(f"{_TURN_SELECT} WHERE t.document_id = ? ORDER BY t.position",
                                       (doc_id,))]
    doc, kind, title, date, organiser, venue, by = ev
    return StoredTranscript(doc, kind, title, date, organiser, venue, by, participants=people, turns=turns)


_REF_SELECT = (
    "SELECT r.id, r.document_id, r.kind, r.text, r.norm, r.target_id, t.title, d.title FROM refs r"
    " LEFT JOIN documents t ON t.id = r.target_id JOIN documents d ON d.id = r.document_id"
)


def refs(a: Archive, doc_id: int) -> DocumentRefs:
    rows = [Reference(*r) for r in a._exec(f"{_REF_SELECT} WHERE r.document_id = ? ORDER BY r.position",
                                           (doc_id,))]
    own = a._exec("SELECT key FROM ref_keys WHERE document_id = ? AND kind = 'number' LIMIT 1",
                  (doc_id,)).fetchone()
    return DocumentRefs(doc_id, own[0] if own else None, [r for r in rows if r.kind == "number"],
                        [r for r in rows if r.kind == "title"])


def cited_by(a: Archive, doc_id: int) -> list[Reference]:
    return [Reference(*r) for r in a._exec(
        f"{_REF_SELECT} WHERE r.target_id = ? ORDER BY r.document_id, r.position", (doc_id,))]


def search_turns(a: Archive, query: str, *, speaker: str | None = None, role: str | None = None,
                 limit: int = 20, mark: tuple[str, str] = ("[", "]")) -> list[TurnHit]:
    """Turns whose text matches ``query`` (``archive.fts`` syntax), best bm25 first.

    ``speaker`` matches the speaker as written (substring: 高本伟 finds
    省委社会工作部副部长高本伟) or the resolved participant's name; ``role`` is one of
    host, official, reporter, other.
    """
    if role is not None and role not in ROLES:
        raise SearchQueryError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    q = fts.parse_query(query)
    match = q.match.replace("title : ", "").replace("body : ", "")
    where = ["turns_fts MATCH ?"]
    args: list[object] = [match]
    if speaker:
        where.append("(t.speaker LIKE ? ESCAPE '\\' OR p.name = ?)")
        esc = speaker.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args += [f"%{esc}%", speaker]
    if role:
        where.append("t.role = ?")
        args.append(role)
    sql = (f"{_TURN_SELECT} JOIN turns_fts ON turns_fts.rowid = t.id WHERE {' AND '.join(where)}"
           " ORDER BY bm25(turns_fts) LIMIT ?")
    try:
        rows = a.conn.execute(sql.replace("SELECT t.id", "SELECT bm25(turns_fts), t.id", 1),
                              (*args, max(1, int(limit)))).fetchall()
    except sqlite3.OperationalError as exc:
        msg = " ".join(str(exc).split())
        if "fts5" in msg.lower() or "syntax" in msg.lower():
            raise SearchQueryError(f"search query {query!r} rejected: {msg}") from None
        raise ArchiveError(describe(a.label, exc)) from exc
    docs = a._docs_by_id(list({r[2] for r in rows}))
    hits: list[TurnHit] = []
    for row in rows:
        turn = _turn(row[1:])
        doc = docs.get(turn.document_id)
        hits.append(TurnHit(turn, doc.title if doc else "", doc.published if doc else None,
                            doc.canonical_url if doc else "", float(row[0]),
                            fts.snippet(turn.text, q.terms, mark=mark)))
    return hits
