"""Line-level boilerplate filter run over the text of the chosen container.

Drops footer/legal lines, widgets (share, print, font size), pagers, editor
credits (collecting the names), info lines (来源/发布时间 … kept aside for the
metadata stage), a repeated headline deck at the top, and everything after a
related-links heading.  Reporter bylines, 原标题 notes, captions, signatures
and closing attributions such as ``(山东省人民政府新闻办公室)`` are kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.textfold import nfkc

from . import patterns as P

logger = logging.getLogger(__name__)

_CREDIT_LABEL_RE = re.compile(P.CREDIT_LABELS + r"\s*[:：|｜/]?\s*")
_NAME_CLEAN_RE = re.compile(r"_[A-Za-z0-9]+$|^[\[【(（\s]+|[\]】)）\s]+$")
_NONWORD_RE = re.compile(r"[\W_]+")
_CODE_RE = re.compile(r"^[A-Za-z]*\d+[A-Za-z\d]*$")


@dataclass
class Filtered:
    lines: list[str]
    editors: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    """Dropped info lines (来源/发布时间 …) for the metadata stage."""
    dropped: int = 0


@lru_cache(maxsize=8192)
def squash(text: str) -> str:
    """NFKC text without whitespace and punctuation, for loose comparisons.

    Cached: the headline, date, source and author searches squash the same page lines
    again and again (28 NFKC calls a page on the simulator's pages, a sixth of extraction)."""
    return _NONWORD_RE.sub("", nfkc(text)).lower()


def credit_names(line: str) -> list[str]:
    """Names following editor labels in a credit line."""
    names: list[str] = []
    marks = list(_CREDIT_LABEL_RE.finditer(line))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
        chunk = line[m.end():end]
        chunk = re.split(r"(?:作者|记者|来源|摄影)\s*[:：]", chunk)[0]
        tokens = [_NAME_CLEAN_RE.sub("", t).strip() for t in P.NAME_SPLIT_RE.split(chunk)]
        tokens = [t for t in tokens if t and len(t) <= 20 and not _NONWORD_RE.fullmatch(t)]
        if tokens and all(len(t) == 1 for t in tokens):
            tokens = ["".join(tokens)]  # 邹 明 → 邹明 (names spaced for alignment)
        if len(tokens) > 1:
            tokens = [t for t in tokens if not _CODE_RE.match(t)] or tokens
        names.extend(t for t in tokens if t not in names)
    return names


def is_footer(text: str) -> bool:
    """Footer/legal text: a strong marker, a footer label outside a sentence, or a site disclaimer."""
    if P.FOOTER_LINE_RE.search(text):
        return True
    if "。" not in text and P.FOOTER_LABEL_RE.search(text):
        return True
    return bool(P.DISCLAIMER_RE.search(text)) and bool(P.DISCLAIMER_CONTEXT_RE.search(text))


def _is_widget(line: str) -> bool:
    return len(line) <= P.WIDGET_MAX_LEN and bool(P.WIDGET_LINE_RE.search(line) or P.DOWNLOAD_BAR_RE.match(line))


def _is_info(line: str, top: bool = False) -> bool:
    if len(line) > P.INFO_MAX_LEN:
        return False
    m = P.DATE_LED_RE.match(line)
    if m and top and P.DATELINE_RE.match(line):
        return False  # a dateline in words (2026年4月8日) heads a transcript or speech
    if m and (P.DATE_LED_LABEL_RE.search(m.group("rest")) or (top and len(m.group("rest").strip()) <= 30)):
        return True
    if P.INFO_START_RE.search(line) or P.REPOST_TAIL_RE.search(line) or (top and P.INFO_TOP_START_RE.search(line)):
        return True
    labels = {m.group(0)[:2] for m in P.INFO_LABEL_RE.finditer(line)}
    return len(labels) >= 2


def _deck_end(lines: list[str], start: int, t: str) -> tuple[int, str]:
    """End index and squashed text of the lines from ``start`` that spell the headline ``t``."""
    joined, i = "", start
    while i < min(len(lines), start + 6):
        s = squash(lines[i])
        if s and (t.startswith(joined + s) or (joined + s).startswith(t)):
            joined += s
            i += 1
            if len(joined) >= len(t):
                break
            continue
        if s:
            break
        i += 1
    if not joined or not (joined == t or (joined.startswith(t) and len(joined) <= len(t) + P.DECK_EXTRA_CHARS)):
        return start, ""
    return i, joined


def _is_deck_line(line: str) -> bool:
    return bool(P.DECK_LINE_RE.search(line)) and not P.BYLINE_RE.search(line)


def strip_headline(lines: list[str], title: str) -> tuple[list[str], int]:
    """Drop a headline deck repeated at the top of the content.

    The headline may be split over several lines, may carry a trailing verb
    (``…座谈会强调``), may be followed by short subtitle lines (副题) and may
    come after up to ``DECK_MAX_KICKERS`` short kicker lines (引题).
    """
    t = squash(title)
    if len(t) < 4:
        return lines, 0
    i, joined = _deck_end(lines, 0, t)
    for k in range(1, P.DECK_MAX_KICKERS + 1):
        if joined or k >= len(lines) or not _is_deck_line(lines[k - 1]):
            break
        i, joined = _deck_end(lines, k, t)  # kickers above the headline go with the deck
    if not joined:
        return lines, 0
    # Subtitles (副题) follow a deck that runs on (``…座谈会强调``) or start with a dash
    # (``——访…``); after a plain headline a short line is a caption or a label, not a subtitle.
    runs_on = joined != t
    for _ in range(P.DECK_MAX_SUBTITLES):
        if i < len(lines) - 1 and (runs_on or P.SUBTITLE_DASH_RE.match(lines[i])) and _is_deck_line(lines[i]):
            i += 1
    return lines[i:], i


def _is_link_line(line: str, share: float) -> bool:
    return share >= P.LINK_LINE_SHARE and len(line) <= P.LINK_LINE_MAX_LEN


def drop_link_lines(items: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Drop lines that are links at the edges or in runs; keep a lone linked subheading."""
    flags = [_is_link_line(t, s) for t, s in items]
    n = len(items)
    keep = [True] * n
    start = 0
    while start < n and (flags[start] or not items[start][0]):
        keep[start] = False
        start += 1
    end = n - 1
    while end >= start and (flags[end] or not items[end][0]):
        keep[end] = False
        end -= 1
    for i in range(start, end + 1):
        if flags[i] and ((i > 0 and flags[i - 1]) or (i + 1 < n and flags[i + 1])):
            keep[i] = False
    return [it for it, k in zip(items, keep) if k]


def filter_lines(items: list[tuple[str, float]] | list[str], title: str = "") -> Filtered:
    """Apply the line rules in order; see the module docstring.

    ``items`` are lines or ``(line, link_share)`` pairs from ``dom.iter_lines``.
    """
    pairs = [(it, 0.0) if isinstance(it, str) else it for it in items]
    pairs = drop_link_lines(pairs)
    lines = [t for t, _ in pairs]
    out: list[str] = []
    res = Filtered(lines=out)
    title_sq = squash(title)
    total = sum(map(len, lines)) or 1
    seen = 0
    for idx, line in enumerate(lines):
        seen += len(line)
        if idx and P.TRUNCATE_RE.search(line):
            if seen >= P.TRUNCATE_MIN_SHARE * total:
                res.dropped += len(lines) - idx
                break
            res.dropped += 1  # a related-links heading high up: drop the heading only
            continue
        if len(line) <= P.CREDIT_MAX_LEN and P.CREDIT_LINE_RE.search(line):
            res.editors.extend(n for n in credit_names(line) if n not in res.editors)
            res.info.append(line)
            res.dropped += 1
            continue
        m = P.CREDIT_TAIL_RE.search(line)
        if m:
            res.editors.extend(n for n in credit_names(m.group(0)) if n not in res.editors)
            line = line[:m.start()].rstrip()
            if not line:
                res.dropped += 1
                continue
        line = P.TAIL_JUNK_RE.sub("", line)
        if not line or is_footer(line) or _is_widget(line):
            res.dropped += 1
            continue
        if _is_info(line, top=not out or (len(out) == 1 and bool(title_sq) and squash(out[0]) == title_sq)):
            res.info.append(line)
            res.dropped += 1
            continue
        out.append(line)
    if title:
        res.lines, n = strip_headline(out, title)
        res.dropped += n
    while res.lines and (P.SYMBOL_LINE_RE.search(res.lines[-1]) or (
            len(res.lines[-1]) <= P.MEDIA_CREDIT_MAX_LEN and P.MEDIA_CREDIT_RE.search(res.lines[-1]))):
        res.lines.pop()  # stray symbols, 图文来源：/图片来源： credits after the text
        res.dropped += 1
    while res.lines and P.SYMBOL_LINE_RE.search(res.lines[0]):
        res.lines.pop(0)
    return res
