"""What the archive stores about a document's structure: its transcript and its references.

Plain dataclasses, filled by ``pipelines.transcript`` / ``pipelines.references`` and written
by ``archive.structure.save_structure``.  ``from_value`` accepts the dataclass or its
``dataclasses.asdict`` form (a record that went through ``asdict`` carries dicts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ROLES = ("host", "official", "reporter", "other")


@dataclass
class Event:
    title: str = ""
    date: str | None = None
    """ISO date (``2026-01-21``) when the text or the page gives one."""
    organiser: str = ""
    venue: str = ""
    kind: str = ""
    """新闻发布会, 政策吹风会, 答记者问, 文字实录 … as named by the page."""


@dataclass
class Participant:
    name: str = ""
    """Personal name; empty when the page names only a title (省财政厅负责人)."""
    title: str = ""
    org: str = ""
    role: str = "official"


@dataclass
class Turn:
    speaker: str
    """The speaker mark as written, without brackets and colon (``省财政厅副厅长郑宏``)."""
    role: str
    """host | official | reporter | other"""
    text: str
    outlet: str = ""
    """The reporter's news outlet (``大众日报``), empty otherwise."""
    participant: int | None = None
    """Index into ``Transcript.participants`` of the resolved speaker."""
    answers: int | None = None
    """For an answer: index of the question turn it answers."""


@dataclass
class Transcript:
    event: Event = field(default_factory=Event)
    participants: list[Participant] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    recognised_by: str = ""
    """headline | column | text: what made the page a transcript."""

    def public(self) -> dict[str, Any]:
        """The ``govpress extract --json`` shape."""
        return {
            "event": asdict(self.event),
            "participants": [{"name": p.name, "title": p.title, "org": p.org} for p in self.participants],
            "turns": [{"speaker": t.speaker, "role": t.role, "outlet": t.outlet, "text": t.text}
                      for t in self.turns],
        }

    @classmethod
    def from_value(cls, value: Any) -> Transcript | None:
        if value is None or isinstance(value, Transcript):
            return value
        v = dict(value)
        return cls(
            event=Event(**dict(v.get("event") or {})),
            participants=[Participant(**dict(p)) for p in v.get("participants") or []],
            turns=[Turn(**dict(t)) for t in v.get("turns") or []],
            recognised_by=v.get("recognised_by", ""),
        )


@dataclass
class Citation:
    text: str
    """As written, full-width forms folded (a 文号, or a title without 《》)."""
    norm: str
    """Normalised form, the key resolution compares."""


@dataclass
class References:
    doc_number: str | None = None
    """The document's own 发文字号, normalised, when the page states it."""
    numbers: list[Citation] = field(default_factory=list)
    titles: list[Citation] = field(default_factory=list)
    title_keys: list[str] = field(default_factory=list)
    """Normalised titles under which other documents may cite this one."""

    def public(self) -> dict[str, Any]:
        """The ``govpress extract --json`` shape."""
        return {"doc_number": self.doc_number, "numbers": [c.norm for c in self.numbers],
                "titles": [c.text for c in self.titles]}

    @classmethod
    def from_value(cls, value: Any) -> References | None:
        if value is None or isinstance(value, References):
            return value
        v = dict(value)
        return cls(
            doc_number=v.get("doc_number"),
            numbers=[Citation(**dict(c)) for c in v.get("numbers") or []],
            titles=[Citation(**dict(c)) for c in v.get("titles") or []],
            title_keys=list(v.get("title_keys") or []),
        )
