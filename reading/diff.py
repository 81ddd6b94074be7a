"""A readable diff between two versions of a document (headline and paragraphs).

Paragraphs are aligned first (``difflib.SequenceMatcher`` over the lists of
paragraphs); a changed paragraph is then compared character by character, which
suits Chinese text, where there are no spaces to split words on.  Long runs of
unchanged paragraphs are folded into one line.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass

from markupsafe import Markup, escape

logger = logging.getLogger(__name__)

CONTEXT = 1
"""Unchanged paragraphs shown on each side of a change."""


@dataclass(frozen=True)
class Block:
    kind: str
    """equal | changed | added | removed | folded"""
    html: Markup


@dataclass(frozen=True)
class VersionDiff:
    title: Markup | None
    """Inline diff of the headline, None when it did not change."""
    blocks: list[Block]
    added: int
    """Characters of the text added (the headline is diffed apart)."""
    removed: int
    """Characters removed."""

    @property
    def unchanged(self) -> bool:
        return self.title is None and not (self.added or self.removed)


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n") if p.strip()]


def inline(old: str, new: str) -> tuple[Markup, int, int]:
    """``old`` -> ``new`` with ``<del>`` / ``<ins>`` marks, characters removed and added."""
    out: list[str] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(str(escape(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(old[i1:i2])}</del>")
            removed += i2 - i1
        if j2 > j1:
            out.append(f"<ins>{escape(new[j1:j2])}</ins>")
            added += j2 - j1
    return Markup("".join(out)), removed, added


def diff_versions(old_title: str, old_body: str, new_title: str, new_body: str) -> VersionDiff:
    """The diff from one version to the next."""
    a, b = paragraphs(old_body), paragraphs(new_body)
    blocks: list[Block] = []
    added = removed = 0
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            same = a[i1:i2]
            head = same[:CONTEXT] if n > 0 else []
            tail = same[-CONTEXT:] if n < len(ops) - 1 else []
            if len(same) <= len(head) + len(tail) + 1:
                head, tail = same, []
            for p in head:
                blocks.append(Block("equal", Markup(escape(p))))
            hidden = len(same) - len(head) - len(tail)
            if hidden > 0:
                blocks.append(Block("folded", Markup(escape(f"… {hidden} unchanged paragraph(s) …"))))
            for p in tail:
                blocks.append(Block("equal", Markup(escape(p))))
        elif op == "replace":
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                if k < len(olds) and k < len(news):
                    html, r, ad = inline(olds[k], news[k])
                    blocks.append(Block("changed", html))
                    removed, added = removed + r, added + ad
                elif k < len(olds):
                    blocks.append(Block("removed", Markup(f"<del>{escape(olds[k])}</del>")))
                    removed += len(olds[k])
                else:
                    blocks.append(Block("added", Markup(f"<ins>{escape(news[k])}</ins>")))
                    added += len(news[k])
        elif op == "delete":
            for p in a[i1:i2]:
                blocks.append(Block("removed", Markup(f"<del>{escape(p)}</del>")))
                removed += len(p)
        else:
            for p in b[j1:j2]:
                blocks.append(Block("added", Markup(f"<ins>{escape(p)}</ins>")))
                added += len(p)
    title = None if old_title == new_title else inline(old_title, new_title)[0]
    return VersionDiff(title, blocks, added, removed)
